/* test_text.c -- core/text.c: text_copy's bound (never a byte past
 * capacity) and text_utf8_sequence_length against the well-formed byte
 * sequences of the Unicode Standard (chapter 3, table 3-7), over every first
 * and second byte. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"

/* text_copy writes at most capacity bytes (capacity - 1 and the NUL), and
 * returns what it copied. */
START_TEST(test_copy_bounded) {
    struct {
        char out[4];
        char after[4];
    } buffer;
    memset(&buffer, 'x', sizeof buffer);
    ck_assert_uint_eq(text_copy(buffer.out, sizeof buffer.out, "abcdefgh"), 3);
    ck_assert_str_eq(buffer.out, "abc");
    ck_assert(memcmp(buffer.after, "xxxx", 4) == 0);
    ck_assert_uint_eq(text_copy(buffer.out, sizeof buffer.out, "ab"), 2);
    ck_assert_str_eq(buffer.out, "ab");
    ck_assert_uint_eq(text_copy(buffer.out, 1, "ab"), 0);
    ck_assert_str_eq(buffer.out, "");
}
END_TEST

/* The table's answer: the length of the well-formed multibyte sequence at
 * bytes (2 to 4), 0 for ASCII, a bad or a cut-short sequence. */
static size_t model_length(const unsigned char *bytes, size_t available) {
    if (available == 0) return 0;
    unsigned first = bytes[0];
    size_t length;
    unsigned low = 0x80, high = 0xBF; /* the second byte's range */
    if (first >= 0xC2 && first <= 0xDF) {
        length = 2;
    } else if (first >= 0xE0 && first <= 0xEF) {
        length = 3;
        if (first == 0xE0) low = 0xA0;
        if (first == 0xED) high = 0x9F;
    } else if (first >= 0xF0 && first <= 0xF4) {
        length = 4;
        if (first == 0xF0) low = 0x90;
        if (first == 0xF4) high = 0x8F;
    } else {
        return 0;
    }
    if (available < length) return 0;
    if (bytes[1] < low || bytes[1] > high) return 0;
    for (size_t index = 2; index < length; index++)
        if (bytes[index] < 0x80 || bytes[index] > 0xBF) return 0;
    return length;
}

/* Every first and second byte, the third and fourth at the edges of the
 * continuation range and just outside it, every available count 0..4. */
START_TEST(test_utf8_matches_table) {
    static const unsigned char tails[] = {0x00, 0x7F, 0x80, 0xBF, 0xC0, 0xFF};
    unsigned char bytes[4];
    size_t checked = 0;
    for (unsigned first = 0; first < 256; first++)
        for (unsigned second = 0; second < 256; second++)
            for (size_t third = 0; third < sizeof tails; third++)
                for (size_t fourth = 0; fourth < sizeof tails; fourth++) {
                    bytes[0] = (unsigned char)first;
                    bytes[1] = (unsigned char)second;
                    bytes[2] = tails[third];
                    bytes[3] = tails[fourth];
                    for (size_t available = 0; available <= 4; available++) {
                        size_t expected = model_length(bytes, available);
                        size_t got = text_utf8_sequence_length(bytes, available);
                        if (got != expected)
                            ck_abort_msg("%02x %02x %02x %02x, %zu available: %zu, expected %zu", bytes[0],
                                         bytes[1], bytes[2], bytes[3], available, got, expected);
                        checked++;
                    }
                }
    ck_assert_uint_eq(checked, 256u * 256u * 36u * 5u);
    /* named cases: U+00A2, U+20AC, U+10348 (two, three, four bytes) */
    ck_assert_uint_eq(text_utf8_sequence_length((const unsigned char *)"\xC2\xA2", 2), 2);
    ck_assert_uint_eq(text_utf8_sequence_length((const unsigned char *)"\xE2\x82\xAC", 3), 3);
    ck_assert_uint_eq(text_utf8_sequence_length((const unsigned char *)"\xF0\x90\x8D\x88", 4), 4);
}
END_TEST

/* Nothing available: not a byte is read (the pointer may be one past the
 * end of its buffer; make asan sees a read there). */
START_TEST(test_utf8_reads_nothing_when_empty) {
    unsigned char *buffer = malloc(2);
    ck_assert_ptr_nonnull(buffer);
    buffer[0] = 0xC2;
    buffer[1] = 0xA2;
    ck_assert_uint_eq(text_utf8_sequence_length(buffer + 2, 0), 0);
    ck_assert_uint_eq(text_utf8_sequence_length(buffer + 1, 1), 0); /* a continuation byte */
    ck_assert_uint_eq(text_utf8_sequence_length(buffer, 1), 0);     /* cut short */
    ck_assert_uint_eq(text_utf8_sequence_length(buffer, 2), 2);
    free(buffer);
}
END_TEST

/* Every test of core/text.c. */
static Suite *text_suite(void) {
    Suite *suite = suite_create("text");
    TCase *cases = tcase_create("text");
    tcase_add_test(cases, test_copy_bounded);
    tcase_add_test(cases, test_utf8_matches_table);
    tcase_add_test(cases, test_utf8_reads_nothing_when_empty);
    suite_add_tcase(suite, cases);
    return suite;
}

int main(void) {
    SRunner *runner = srunner_create(text_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
