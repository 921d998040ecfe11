/* test_report_text.c -- the text the report and the progress line show:
 * io/progress.c's progress_format (the line drawn on a terminal, without
 * the terminal), and reports/'s number text (report_append_grouped,
 * append_display) and series_write_defined (gap rows left out). */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "io/progress.h"
#include "reports/report_internal.h"

/* A reporter as progress_init_bytes leaves it, drawing or not. */
static progress bytes_reporter(const char *label, long total) {
    progress reporter;
    progress_init_bytes(&reporter, label, total);
    return reporter;
}

START_TEST(test_replay_line) {
    progress reporter = bytes_reporter("replay big.csv", 1000);
    reporter.done = 420;
    reporter.has_counts = true;
    reporter.rows = 1234567;
    reporter.events = 850000;
    char line[PROGRESS_LINE_CAPACITY];
    progress_format(&reporter, 1000, line);
    /* 420 of 1000 bytes in 1 s: 580 left at 420/s is 1.38 s, shown 0:01. */
    ck_assert_str_eq(line, "replay big.csv  42%  1,234,567 rows  850,000 events/s  0:01 left");
}
END_TEST

START_TEST(test_bytes_line_shows_no_bytes) {
    progress reporter = bytes_reporter("report: reading nav.csv", 123456789);
    reporter.done = 61728394;
    char line[PROGRESS_LINE_CAPACITY];
    progress_format(&reporter, 120000, line);
    ck_assert_str_eq(line, "report: reading nav.csv  49%  2:00 left");
    ck_assert_ptr_null(strstr(line, "123456789"));
}
END_TEST

START_TEST(test_early_line_has_no_estimate) {
    progress reporter = bytes_reporter("replay x.csv", 1000);
    reporter.done = 10;
    char line[PROGRESS_LINE_CAPACITY];
    progress_format(&reporter, 100, line); /* under half a second: no time left yet */
    ck_assert_str_eq(line, "replay x.csv   1%");
}
END_TEST

START_TEST(test_counted_line) {
    progress reporter;
    progress_init(&reporter, "fuzz seeds", 1000);
    reporter.done = 420;
    char line[PROGRESS_LINE_CAPACITY];
    progress_format(&reporter, 0, line);
    ck_assert_str_eq(line, "fuzz seeds  42% (420/1000)");
}
END_TEST

START_TEST(test_finish_is_silent_when_not_drawn) {
    progress reporter = bytes_reporter("replay", 10);
    progress_finish(&reporter);
    progress_finish(&reporter); /* twice is safe */
    ck_assert(!reporter.enabled && !reporter.drawn);
}
END_TEST

/* The text report_append_grouped gives value at decimals. */
static void grouped(double value, int decimals, const char *expected) {
    buffer out;
    buffer_init(&out, 256);
    report_append_grouped(&out, value, decimals);
    buffer_append(&out, "", 1);
    ck_assert_str_eq(out.data, expected);
    buffer_free(&out);
}

START_TEST(test_grouped_money) {
    grouped(3060.4139280000004, 2, "3,060.41");
    grouped(-9000, 2, "-9,000.00");
    grouped(1234567.891, 2, "1,234,567.89");
    grouped(0.005, 2, "0.01");
    grouped(12.5, 1, "12.5");
    grouped(NAN, 2, "n/a");
}
END_TEST

/* The text append_display gives value as kind. */
static void display(double value, cell_kind kind, const char *expected) {
    buffer out;
    buffer_init(&out, 256);
    append_display(&out, value, kind);
    buffer_append(&out, "", 1);
    ck_assert_str_eq(out.data, expected);
    buffer_free(&out);
}

START_TEST(test_display_kinds) {
    display(48783.151197, CELL_PRICE, "48,783.15");
    display(143.764375, CELL_PRICE, "143.7644");
    display(0.000123456789, CELL_PRICE, "0.000123457");
    display(0.30000000000000004, CELL_QTY, "0.3");
    display(13, CELL_QTY, "13");
    display(1683, CELL_COUNT, "1,683");
    display(NAN, CELL_MONEY, "&mdash;");
}
END_TEST

START_TEST(test_series_write_defined_skips_gaps) {
    series deltas;
    series_init(&deltas, 3, 1);
    double rows[4][3] = {{0, 1, 2}, {NAN, NAN, NAN}, {0.5, 1, 2}, {NAN, NAN, NAN}};
    for (int index = 0; index < 4; index++) ck_assert(series_add(&deltas, index + 1, rows[index], 0));
    buffer all, defined;
    buffer_init(&all, 4096);
    buffer_init(&defined, 4096);
    series_write(&deltas, &all);
    series_write_defined(&deltas, 1, &defined);
    buffer_append(&all, "", 1);
    buffer_append(&defined, "", 1);
    ck_assert_str_eq(all.data, "1 0 1 2 0\n2 NaN NaN NaN 0\n3 0.5 1 2 0\n4 NaN NaN NaN 0\n");
    ck_assert_str_eq(defined.data, "1 0 1 2 0\n3 0.5 1 2 0\n");
    buffer_free(&all);
    buffer_free(&defined);
    series_free(&deltas);
}
END_TEST

/* Every test of the report's and the progress line's text. */
static Suite *report_text_suite(void) {
    Suite *suite = suite_create("report_text");
    TCase *progress_case = tcase_create("progress");
    tcase_add_test(progress_case, test_replay_line);
    tcase_add_test(progress_case, test_bytes_line_shows_no_bytes);
    tcase_add_test(progress_case, test_early_line_has_no_estimate);
    tcase_add_test(progress_case, test_counted_line);
    tcase_add_test(progress_case, test_finish_is_silent_when_not_drawn);
    suite_add_tcase(suite, progress_case);
    TCase *numbers = tcase_create("numbers");
    tcase_add_test(numbers, test_grouped_money);
    tcase_add_test(numbers, test_display_kinds);
    tcase_add_test(numbers, test_series_write_defined_skips_gaps);
    suite_add_tcase(suite, numbers);
    return suite;
}

int main(void) {
    SRunner *runner = srunner_create(report_text_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
