/* test_suggest.c -- core/suggest.c (the "did you mean" of usage, config-key
 * and expect-path errors) and io/junit_writer.c (counts, escaping of any
 * byte into well-formed XML, the file written whole). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/config.h"
#include "core/suggest.h"
#include "io/junit_writer.h"

START_TEST(test_distance) {
    ck_assert_uint_eq(suggest_distance("check", "check"), 0);
    ck_assert_uint_eq(suggest_distance("chek", "check"), 1);    /* a deletion */
    ck_assert_uint_eq(suggest_distance("ckeck", "check"), 1);   /* a substitution */
    ck_assert_uint_eq(suggest_distance("chcek", "check"), 1);   /* two neighbours swapped */
    ck_assert_uint_eq(suggest_distance("", "run"), 3);
    ck_assert_uint_eq(suggest_distance("run", ""), 3);
    char long_name[SUGGEST_NAME_MAX + 2];
    memset(long_name, 'a', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    ck_assert_uint_eq(suggest_distance(long_name, "a"), SUGGEST_NAME_MAX + 1);
}
END_TEST

START_TEST(test_nearest) {
    static const char *const commands[] = {"run", "check", "ledger", "report", "fuzz", "gen", "live"};
    ck_assert_str_eq(suggest_nearest("chek", commands, 7), "check");
    ck_assert_str_eq(suggest_nearest("reprot", commands, 7), "report");
    ck_assert_str_eq(suggest_nearest("rn", commands, 7), "run");
    ck_assert_ptr_null(suggest_nearest("frobnicate", commands, 7));
    ck_assert_ptr_null(suggest_nearest("xyz", commands, 7));      /* 3 edits from "run": too far for 3 bytes */
    static const char *const options[] = {"--junit", "--out", NULL, "--allow-empty"};
    ck_assert_str_eq(suggest_nearest("--junt", options, 4), "--junit");
    ck_assert_str_eq(suggest_nearest("--allow-emtpy", options, 4), "--allow-empty");
}
END_TEST

START_TEST(test_unknown_config_key_lists_every_key) {
    kernel_config config;
    config_defaults(&config);
    char reason[CONFIG_REASON_CAPACITY];
    ck_assert_int_eq(config_set(&config, "seed_capitol", "1", reason, sizeof reason), CONFIG_SET_UNKNOWN_KEY);
    ck_assert_msg(strncmp(reason, "unknown config key 'seed_capitol' (did you mean 'seed_capital'?); valid keys: "
                                  "seed_capital, min_capital, ", 84) == 0, "%s", reason);
    ck_assert_msg(strstr(reason, ", sl.pct") != NULL, "the list is cut: %s", reason);
    ck_assert_int_eq(config_set(&config, "zzzz", "1", reason, sizeof reason), CONFIG_SET_UNKNOWN_KEY);
    ck_assert_msg(strncmp(reason, "unknown config key 'zzzz'; valid keys: ", 39) == 0, "%s", reason);
}
END_TEST

/* Reads the whole file at path into a malloc'ed string. */
static char *read_text(const char *path) {
    FILE *file = fopen(path, "rb");
    ck_assert_ptr_nonnull(file);
    static char text[1 << 16];
    size_t length = fread(text, 1, sizeof text - 1, file);
    fclose(file);
    text[length] = '\0';
    return strdup(text);
}

START_TEST(test_junit_document) {
    char directory[] = "/tmp/test_suggest.XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(directory));
    char path[sizeof directory + 16];
    snprintf(path, sizeof path, "%s/j.xml", directory);
    junit_writer writer;
    junit_writer_init(&writer);
    junit_case_record passed = {.classname = "a.csv", .name = "line 2: k.capital = 1", .file = "a.csv", .line = 2,
                                .outcome = JUNIT_PASSED};
    junit_case(&writer, &passed);
    /* markup, a control byte, a lone continuation byte, an overlong form */
    junit_case_record failed = {.classname = "a.csv", .name = "<&\"x\">", .file = "a.csv", .line = 3,
                                .outcome = JUNIT_FAILED, .message = "a\x01" "b\x80" "c\xC0\xAF" "d\xE2\x82\xAC",
                                .type = "expectation"};
    junit_case(&writer, &failed);
    junit_suite_end(&writer, "a.csv", "a.csv", 0.25);
    junit_case_record error = {.classname = "b.csv", .name = "read", .outcome = JUNIT_ERROR, .message = "b.csv:4: bad"};
    junit_case(&writer, &error);
    junit_suite_end(&writer, "b.csv", "b.csv", -1);
    char message[256];
    ck_assert(junit_writer_save(&writer, path, "ledgersim check", message, sizeof message));
    junit_writer_free(&writer);
    char *text = read_text(path);
    ck_assert_msg(strstr(text, "<testsuites name=\"ledgersim check\" tests=\"3\" failures=\"1\" errors=\"1\" "
                               "time=\"0.250\">") != NULL, "%s", text);
    ck_assert(strstr(text, "<testsuite name=\"a.csv\" file=\"a.csv\" tests=\"2\" failures=\"1\" errors=\"0\" "
                           "skipped=\"0\" time=\"0.250\">") != NULL);
    ck_assert(strstr(text, "<testsuite name=\"b.csv\" file=\"b.csv\" tests=\"1\" failures=\"0\" errors=\"1\" "
                           "skipped=\"0\">") != NULL);
    ck_assert(strstr(text, "name=\"&lt;&amp;&quot;x&quot;&gt;\"") != NULL);
    /* every bad byte became U+FFFD; the euro sign (valid UTF-8) is kept */
    ck_assert_msg(strstr(text, "message=\"a\xEF\xBF\xBD" "b\xEF\xBF\xBD" "c\xEF\xBF\xBD\xEF\xBF\xBD" "d\xE2\x82\xAC\"")
                      != NULL, "%s", text);
    ck_assert(strstr(text, "<error message=\"b.csv:4: bad\">b.csv:4: bad</error>") != NULL);
    free(text);
    /* an unwritable path fails and says why */
    snprintf(path, sizeof path, "%s/no/such/j.xml", directory);
    junit_writer_init(&writer);
    ck_assert(!junit_writer_save(&writer, path, "x", message, sizeof message));
    ck_assert(strstr(message, "no/such/j.xml") != NULL);
    junit_writer_free(&writer);
    snprintf(path, sizeof path, "%s/j.xml", directory);
    unlink(path);
    rmdir(directory);
}
END_TEST

static Suite *suggest_suite(void) {
    Suite *suite = suite_create("suggest");
    TCase *names = tcase_create("names");
    tcase_add_test(names, test_distance);
    tcase_add_test(names, test_nearest);
    tcase_add_test(names, test_unknown_config_key_lists_every_key);
    suite_add_tcase(suite, names);
    TCase *junit = tcase_create("junit");
    tcase_add_test(junit, test_junit_document);
    suite_add_tcase(suite, junit);
    return suite;
}

int main(void) {
    SRunner *runner = srunner_create(suggest_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
