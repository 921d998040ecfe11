/* test_json_writer.c -- io/json_writer.c: the compact layout's fast paths
 * (keys and strings copied whole when they need no escape) against the
 * escaping path, separators, the pretty layout, and a buffer that must grow
 * mid-line. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "io/buffer.h"
#include "io/json_writer.h"

enum { TEST_LIMIT = 1 << 20 };

/* A compact object with keys and strings of every kind the writers use. */
static void write_sample(json_writer *writer) {
    json_object_begin(writer);
    JSON_KEY(writer, "plain"); json_string(writer, "text");
    json_key(writer, "dynamic"); json_number(writer, 0.1);
    json_key(writer, "quo\"te"); json_string(writer, "back\\slash \"and\" \x01 control");
    JSON_KEY(writer, "list");
    json_array_begin(writer);
    json_string(writer, "");
    json_string(writer, "sixteen bytes ok");               /* exactly 16: one vector, no tail */
    json_string(writer, "seventeen bytes, \"seventeen\"");  /* an escape after the first vector */
    json_integer(writer, -42);
    json_array_end(writer);
    json_object_end(writer);
}

static const char sample_compact[] =
    "{\"plain\":\"text\",\"dynamic\":0.1,\"quo\\\"te\":\"back\\\\slash \\\"and\\\" \\u0001 control\","
    "\"list\":[\"\",\"sixteen bytes ok\",\"seventeen bytes, \\\"seventeen\\\"\",-42]}";

START_TEST(test_compact_escapes_and_separators) {
    buffer out;
    buffer_init(&out, TEST_LIMIT);
    json_writer writer;
    json_writer_init(&writer, &out, false);
    write_sample(&writer);
    ck_assert(!buffer_failed(&out));
    ck_assert_str_eq(out.data, sample_compact);
    buffer_free(&out);
}
END_TEST

START_TEST(test_compact_same_when_the_buffer_grows) {
    /* Many lines into one buffer: some calls find no room and take the
     * general path; every line must still read the same. */
    buffer out;
    buffer_init(&out, TEST_LIMIT);
    enum { LINES = 200 };
    for (int line = 0; line < LINES; line++) {
        json_writer writer;
        json_writer_init(&writer, &out, false);
        write_sample(&writer);
        buffer_append(&out, "\n", 1);
    }
    ck_assert(!buffer_failed(&out));
    size_t line_length = strlen(sample_compact) + 1;
    ck_assert_uint_eq(out.length, line_length * LINES);
    for (int line = 0; line < LINES; line++) ck_assert(memcmp(out.data + line * line_length, sample_compact, line_length - 1) == 0);
    buffer_free(&out);
}
END_TEST

START_TEST(test_pretty_keys) {
    buffer out;
    buffer_init(&out, TEST_LIMIT);
    json_writer writer;
    json_writer_init(&writer, &out, true);
    json_object_begin(&writer);
    JSON_KEY(&writer, "a"); json_integer(&writer, 1);
    json_key(&writer, "b\""); json_string(&writer, "x");
    json_object_end(&writer);
    ck_assert_str_eq(out.data, "{\n  \"a\": 1,\n  \"b\\\"\": \"x\"\n}");
    buffer_free(&out);
}
END_TEST

static Suite *json_writer_suite(void) {
    Suite *suite = suite_create("json_writer");
    TCase *layout = tcase_create("layout");
    tcase_add_test(layout, test_compact_escapes_and_separators);
    tcase_add_test(layout, test_compact_same_when_the_buffer_grows);
    tcase_add_test(layout, test_pretty_keys);
    suite_add_tcase(suite, layout);
    return suite;
}

int main(void) {
    SRunner *runner = srunner_create(json_writer_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
