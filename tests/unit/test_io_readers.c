/* test_io_readers.c -- the readers' guards of issue 15: io/utf8 (RFC 3629
 * well-formedness), io/json_file's json_text_check (NUL, invalid UTF-8,
 * \u0000 in a string), io/line_reader (lines by length: a NUL is data, the
 * next line stays itself, an over-long line is skipped with its number) and
 * io/input_file (regular files only). */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/input_file.h"
#include "io/json_file.h"
#include "io/line_reader.h"
#include "io/utf8.h"

START_TEST(test_utf8_accepts_well_formed) {
    static const char *const good[] = {"", "ascii", "caf\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80",
                                       "\xed\x9f\xbf", "\xf4\x8f\xbf\xbf"};
    for (size_t index = 0; index < sizeof good / sizeof good[0]; index++)
        ck_assert_msg(utf8_valid(good[index], strlen(good[index]), NULL), "refused case %zu", index);
}
END_TEST

START_TEST(test_utf8_refuses_ill_formed_at_its_byte) {
    static const struct {
        const char *text;
        size_t bad;
    } cases[] = {{"ab\xff", 2},          {"\xc0\x80", 0} /* overlong NUL */, {"x\xe0\x80\x80", 1},
                 {"\xed\xa0\x80", 0} /* surrogate */, {"\xf4\x90\x80\x80", 0} /* > U+10FFFF */,
                 {"ok\xc3", 2} /* cut short */,       {"\x80", 0}};
    for (size_t index = 0; index < sizeof cases / sizeof cases[0]; index++) {
        size_t bad = 99;
        ck_assert_msg(!utf8_valid(cases[index].text, strlen(cases[index].text), &bad), "accepted case %zu", index);
        ck_assert_uint_eq(bad, cases[index].bad);
    }
}
END_TEST

START_TEST(test_json_text_check) {
    size_t offset = 0;
    const char *problem = NULL;
    const char plain[] = "{\"BTCUSDT\": \"a\\\\u0000 is text here\"}";
    ck_assert(json_text_check(plain, strlen(plain), &offset, &problem));
    const char escaped[] = "{\"BTC\\u0000USDT\": 1}";
    ck_assert(!json_text_check(escaped, strlen(escaped), &offset, &problem));
    ck_assert_uint_eq(offset, 5);
    const char nul[] = "{\"a\": 1}\0";
    ck_assert(!json_text_check(nul, sizeof nul - 1, &offset, &problem));
    ck_assert_uint_eq(offset, 8);
    const char invalid[] = "{\"a\": \"\xfe\"}";
    ck_assert(!json_text_check(invalid, strlen(invalid), &offset, &problem));
    ck_assert_uint_eq(offset, 7);
    ck_assert_str_eq(problem, "not valid UTF-8");
}
END_TEST

/* A pipe holding data, its read end returned (the writer is closed). */
static int pipe_with(const char *data, size_t length) {
    int ends[2];
    ck_assert_int_eq(pipe(ends), 0);
    ck_assert_int_eq(write(ends[1], data, length), (ssize_t)length);
    close(ends[1]);
    return ends[0];
}

START_TEST(test_line_reader_by_length) {
    static const char data[] = "one\n\0two\nthr\0ee\nfour";
    int descriptor = pipe_with(data, sizeof data - 1);
    line_reader reader;
    ck_assert_int_eq(line_reader_open(&reader, descriptor, 16), 0);
    char *text;
    size_t length;
    bool too_long;
    ck_assert_int_eq(line_reader_next(&reader, &text, &length, &too_long), 1);
    ck_assert(length == 3 && memcmp(text, "one", 3) == 0 && reader.line == 1);
    ck_assert_int_eq(line_reader_next(&reader, &text, &length, &too_long), 1);
    ck_assert(length == 4 && memcmp(text, "\0two", 4) == 0 && reader.line == 2); /* the NUL is data */
    ck_assert_int_eq(line_reader_next(&reader, &text, &length, &too_long), 1);
    ck_assert(length == 6 && memcmp(text, "thr\0ee", 6) == 0 && reader.line == 3);
    ck_assert_int_eq(line_reader_next(&reader, &text, &length, &too_long), 1);
    ck_assert(length == 4 && strcmp(text, "four") == 0 && reader.line == 4); /* last line, NUL after it */
    ck_assert_int_eq(line_reader_next(&reader, &text, &length, &too_long), 0);
    line_reader_close(&reader);
    close(descriptor);
}
END_TEST

START_TEST(test_line_reader_skips_a_long_line) {
    char data[200];
    memset(data, 'x', sizeof data);
    data[150] = '\n';
    memcpy(data + 151, "short\n", 6);
    int descriptor = pipe_with(data, 157);
    line_reader reader;
    ck_assert_int_eq(line_reader_open(&reader, descriptor, 16), 0);
    char *text;
    size_t length;
    bool too_long;
    ck_assert_int_eq(line_reader_next(&reader, &text, &length, &too_long), 1);
    ck_assert(too_long && length == 0 && reader.line == 1);
    ck_assert_int_eq(line_reader_next(&reader, &text, &length, &too_long), 1);
    ck_assert(!too_long && length == 5 && strcmp(text, "short") == 0 && reader.line == 2);
    ck_assert_int_eq(line_reader_next(&reader, &text, &length, &too_long), 0);
    line_reader_close(&reader);
    close(descriptor);
}
END_TEST

START_TEST(test_input_file_regular_only) {
    char error[512];
    ck_assert_int_eq(input_file_open("/dev/zero", error, sizeof error), -1);
    ck_assert(strstr(error, "not a regular file") != NULL);
    ck_assert_int_eq(input_file_open("/", error, sizeof error), -1);
    ck_assert_int_eq(input_file_open("/no/such/file", error, sizeof error), -1);
    ck_assert_int_eq(errno, ENOENT);
    char fifo[] = "/tmp/ledgersim-test-fifo-XXXXXX";
    int made = mkstemp(fifo);
    ck_assert_int_ge(made, 0);
    close(made);
    int descriptor = input_file_open(fifo, error, sizeof error); /* a regular file opens */
    ck_assert_int_ge(descriptor, 0);
    close(descriptor);
    unlink(fifo);
    ck_assert_int_eq(mkfifo(fifo, 0600), 0);
    ck_assert_int_eq(input_file_open(fifo, error, sizeof error), -1); /* never blocks: refused */
    unlink(fifo);
}
END_TEST

static Suite *readers_suite(void) {
    Suite *suite = suite_create("io_readers");
    TCase *cases = tcase_create("readers");
    tcase_add_test(cases, test_utf8_accepts_well_formed);
    tcase_add_test(cases, test_utf8_refuses_ill_formed_at_its_byte);
    tcase_add_test(cases, test_json_text_check);
    tcase_add_test(cases, test_line_reader_by_length);
    tcase_add_test(cases, test_line_reader_skips_a_long_line);
    tcase_add_test(cases, test_input_file_regular_only);
    suite_add_tcase(suite, cases);
    return suite;
}

int main(void) {
    SRunner *runner = srunner_create(readers_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
