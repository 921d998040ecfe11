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

/* The optimal string alignment distance by its definition, on a full
 * matrix (the model suggest_distance's three rolling rows must match). */
static size_t model_distance(const char *a, const char *b) {
    size_t n = strlen(a), m = strlen(b);
    static size_t d[SUGGEST_NAME_MAX + 1][SUGGEST_NAME_MAX + 1];
    for (size_t i = 0; i <= n; i++)
        for (size_t j = 0; j <= m; j++) {
            if (i == 0 || j == 0) {
                d[i][j] = i + j;
                continue;
            }
            size_t best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            if (d[i - 1][j] + 1 < best) best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best) best = d[i][j - 1] + 1;
            if (i >= 2 && j >= 2 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    return d[n][m];
}

/* A random word of 0..limit bytes over a 3-letter alphabet (so swaps,
 * matches and repeats are common); state is the caller's LCG state. */
static void random_word(unsigned long *state, char *out, size_t limit) {
    *state = *state * 6364136223846793005UL + 1442695040888963407UL;
    size_t length = (size_t)(*state >> 33) % (limit + 1);
    for (size_t index = 0; index < length; index++) {
        *state = *state * 6364136223846793005UL + 1442695040888963407UL;
        out[index] = (char)('a' + (*state >> 33) % 3);
    }
    out[length] = '\0';
}

/* suggest_distance against the model: 3000 random pairs up to 12 bytes,
 * 200 up to SUGGEST_NAME_MAX (the longest compared), swaps at either end. */
START_TEST(test_distance_matches_model) {
    unsigned long state = 20261206;
    char a[SUGGEST_NAME_MAX + 1], b[SUGGEST_NAME_MAX + 1];
    for (int pair = 0; pair < 3200; pair++) {
        size_t limit = pair < 3000 ? 12 : SUGGEST_NAME_MAX;
        random_word(&state, a, limit);
        random_word(&state, b, limit);
        size_t expected = model_distance(a, b);
        size_t got = suggest_distance(a, b);
        if (got != expected) ck_abort_msg("distance(\"%s\", \"%s\") = %zu, expected %zu", a, b, got, expected);
    }
    ck_assert_uint_eq(suggest_distance("ba", "ab"), 1);
    ck_assert_uint_eq(suggest_distance("xba", "xab"), 1);
    memset(a, 'a', SUGGEST_NAME_MAX);
    a[SUGGEST_NAME_MAX] = '\0';
    memcpy(b, a, sizeof b);
    b[0] = 'b';
    ck_assert_uint_eq(suggest_distance(a, b), 1); /* both at the limit: compared */
    ck_assert_uint_eq(suggest_distance(b, a), 1);
}
END_TEST

/* The typo allowance: 1 edit up to 4 bytes, 2 up to 8, 3 beyond. */
START_TEST(test_nearest_allowance) {
    static const char *const names[] = {"abcd", "abcdefgh", "abcdefghijkl"};
    ck_assert_ptr_null(suggest_nearest("abxy", names, 1));      /* 4 bytes, 2 edits */
    ck_assert_str_eq(suggest_nearest("abcx", names, 1), "abcd"); /* 4 bytes, 1 edit */
    ck_assert_str_eq(suggest_nearest("abcdefxy", names + 1, 1), "abcdefgh");
    ck_assert_ptr_null(suggest_nearest("abcdexyz", names + 1, 1)); /* 8 bytes, 3 edits */
    ck_assert_str_eq(suggest_nearest("abcdefghixyz", names + 2, 1), "abcdefghijkl");
    ck_assert_ptr_null(suggest_nearest("abcdefghwxyz", names + 2, 1)); /* 12 bytes, 4 edits */
    static const char *const bounds[] = {"abcde", "abcdefghi"};
    ck_assert_str_eq(suggest_nearest("abcxy", bounds, 1), "abcde");      /* 5 bytes: 2 allowed */
    ck_assert_str_eq(suggest_nearest("abcdefxyz", bounds + 1, 1), "abcdefghi"); /* 9 bytes: 3 */
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
    tcase_add_test(names, test_distance_matches_model);
    tcase_add_test(names, test_nearest_allowance);
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
