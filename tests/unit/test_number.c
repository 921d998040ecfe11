/* test_number.c -- core/number.c: the canonical text of a double, strict
 * number parsing and timestamps. Expected texts are written by hand from the
 * rules in number.h; the property test checks the formatter against an
 * independent rendering built from printf's %e and %f. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/number.h"

/* Formats value and returns the text in a static buffer (one call at a time). */
static const char *formatted(double value) {
    static char text[NUMBER_TEXT_CAPACITY];
    size_t length = number_format(value, text);
    ck_assert_uint_eq(length, strlen(text));
    return text;
}

/* The raw IEEE-754 bits of value, for bitwise comparisons. */
static uint64_t bits_of(double value) {
    uint64_t bits;
    memcpy(&bits, &value, sizeof bits);
    return bits;
}

/* The double whose IEEE-754 bits are bits. */
static double double_from_bits(uint64_t bits) {
    double value;
    memcpy(&value, &bits, sizeof value);
    return value;
}

/* Parses a NUL-terminated text with number_parse. */
static bool parse_text(const char *text, double *value) { return number_parse(text, strlen(text), value); }

/* Parses a NUL-terminated text with number_parse_timestamp. */
static bool parse_timestamp_text(const char *text, double *value) {
    return number_parse_timestamp(text, strlen(text), value);
}

typedef struct {
    double value;
    const char *text;
} format_case;

START_TEST(test_format_canonical_table) {
    const format_case cases[] = {
        {0.0, "0"},
        {25000.0, "25000"},
        {0.1, "0.1"},
        {-12.345, "-12.345"},
        {100.0, "100"},
        {1.0, "1"},
        {-1.0, "-1"},
        {123.456, "123.456"},
        {0.000123, "0.000123"},
        {1e-5, "0.00001"},
        {1.5e-5, "0.000015"},
        {5e-5, "0.00005"},
        {0.00001234, "0.00001234"},
        {1e14, "100000000000000"},
        {999999999999999.0, "999999999999999"},
        {999999999999999.9, "999999999999999.9"},
        {123456789012345.6, "123456789012345.6"},
        {1.0 / 3.0, "0.3333333333333333"},
        {100.0 / 3.0, "33.333333333333336"},
        {1e15, "1e+15"},
        {-1e15, "-1e+15"},
        {1.5e-7, "1.5e-07"},
        {-1e-7, "-1e-07"},
        {9.5e-6, "9.5e-06"},
        {9.999999999999999e-06, "9.999999999999999e-06"},
        {1e21, "1e+21"},
        {1e100, "1e+100"},
        {1.5e300, "1.5e+300"},
        {9007199254740992.0, "9.007199254740992e+15"},
        {1.7976931348623157e308, "1.7976931348623157e+308"},
        {2.2250738585072014e-308, "2.2250738585072014e-308"},
        {5e-324, "5e-324"},
        {-5e-324, "-5e-324"},
    };
    for (size_t index = 0; index < sizeof cases / sizeof cases[0]; index++)
        ck_assert_msg(strcmp(formatted(cases[index].value), cases[index].text) == 0,
                      "case %zu: expected %s, got %s", index, cases[index].text, formatted(cases[index].value));
}
END_TEST

START_TEST(test_format_zero_sign_and_non_finite) {
    ck_assert_str_eq(formatted(0.0), "0");
    ck_assert_str_eq(formatted(-0.0), "-0");
    ck_assert_str_eq(formatted(NAN), "null");
    ck_assert_str_eq(formatted(-NAN), "null");
    ck_assert_str_eq(formatted(INFINITY), "null");
    ck_assert_str_eq(formatted(-INFINITY), "null");
}
END_TEST

START_TEST(test_format_point_one_plus_point_two) {
    volatile double first = 0.1, second = 0.2;
    ck_assert_str_eq(formatted(first + second), "0.30000000000000004");
    ck_assert_str_eq(formatted(0.3), "0.3");
}
END_TEST

START_TEST(test_format_fixed_notation_boundaries) {
    /* 1e-5 is the smallest fixed value, 1e15 the smallest exponent one. */
    ck_assert_str_eq(formatted(nextafter(1e15, 0)), "999999999999999.9");
    ck_assert_str_eq(formatted(nextafter(1e15, INFINITY)), "1.0000000000000001e+15");
    ck_assert_str_eq(formatted(nextafter(1e-5, 0)), "9.999999999999999e-06");
    ck_assert_str_eq(formatted(nextafter(1e-5, 1)), "0.000010000000000000003");
}
END_TEST

/* splitmix64: the fixed-seed generator of the property tests. */
static uint64_t next_random(uint64_t *state) {
    uint64_t mixed = (*state += 0x9E3779B97F4A7C15ULL);
    mixed = (mixed ^ (mixed >> 30)) * 0xBF58476D1CE4E5B9ULL;
    mixed = (mixed ^ (mixed >> 27)) * 0x94D049BB133111EBULL;
    return mixed ^ (mixed >> 31);
}

/* The expected canonical text, built independently of number.c: the shortest
 * precision p whose "%.{p}e" reads back as value gives the significant digit
 * count and the decimal exponent; the text is then "%.{d}f" with just enough
 * decimals for those digits (fixed range) or "%.{digits-1}e". */
static void reference_text(double value, char *out, size_t capacity) {
    char scientific[48];
    /* Round-tripping is monotone in the precision (a correctly rounded longer
     * rendering is never farther away), so a binary search finds the least. */
    int low = 0, high = 16;
    while (low < high) {
        int middle = (low + high) / 2;
        snprintf(scientific, sizeof scientific, "%.*e", middle, value);
        if (strtod(scientific, NULL) == value)
            high = middle;
        else
            low = middle + 1;
    }
    int precision = low;
    snprintf(scientific, sizeof scientific, "%.*e", precision, value);
    if (strtod(scientific, NULL) != value) precision = 17;
    const char *exponent_marker = strchr(scientific, 'e');
    if (precision > 16 || exponent_marker == NULL) ck_abort_msg("no round-trip rendering of %a", value);
    int exponent = atoi(exponent_marker + 1);
    int significant = precision + 1;
    /* drop trailing zeros of the mantissa: they are not significant */
    const char *last = exponent_marker - 1;
    while (significant > 1 && *last == '0') {
        significant--;
        last--;
    }
    double magnitude = fabs(value);
    if (magnitude >= 1e-5 && magnitude < 1e15) {
        int decimals = significant - 1 - exponent;
        snprintf(out, capacity, "%.*f", decimals > 0 ? decimals : 0, value);
    } else {
        snprintf(out, capacity, "%.*e", significant - 1, value);
    }
}

/* Asserts that value formats to the reference text and reads back bitwise.
 * Check's assertions cost a pipe write each, so success is silent here. */
static void check_round_trip(double value) {
    char text[NUMBER_TEXT_CAPACITY];
    number_format(value, text);
    double back = strtod(text, NULL);
    if (bits_of(back) != bits_of(value))
        ck_abort_msg("%.17g formatted as %s reads back as %.17g", value, text, back);
    char expected[64];
    reference_text(value, expected, sizeof expected);
    if (strcmp(text, expected) != 0) ck_abort_msg("%.17g: expected %s, got %s", value, expected, text);
    double parsed = 0;
    if (!parse_text(text, &parsed) || bits_of(parsed) != bits_of(value))
        ck_abort_msg("number_parse(%s) does not give %.17g back", text, value);
}

START_TEST(test_format_round_trip_random_bit_patterns) {
    uint64_t state = 20260105;
    size_t checked = 0;
    while (checked < 150000) {
        double value = double_from_bits(next_random(&state));
        if (!isfinite(value) || value == 0) continue;
        check_round_trip(value);
        checked++;
    }
}
END_TEST

START_TEST(test_format_round_trip_money_like_values) {
    static const double scales[] = {1, 10, 100, 1e3, 1e4, 1e6, 1e8};
    uint64_t state = 42;
    for (size_t round = 0; round < 200000; round++) {
        uint64_t draw = next_random(&state);
        double scale = scales[draw % (sizeof scales / sizeof scales[0])];
        double value;
        switch ((draw >> 8) % 6) {
        case 0: /* prices and balances in cents up to 1e11 */
            value = (double)(next_random(&state) % 100000000000000ULL) / 100.0;
            break;
        case 1: /* quantities and rates with up to 8 decimals */
            value = (double)(next_random(&state) % 10000000000ULL) / scale;
            break;
        case 2: /* products: quantity times price, as notional and PnL are made */
            value = ((double)(next_random(&state) % 100000000ULL) / 1e8) *
                    ((double)(next_random(&state) % 10000000ULL) / 100.0);
            break;
        case 3: /* sums of a few money values, carrying binary noise */
            value = (double)(next_random(&state) % 1000000ULL) / 100.0 + 0.1 +
                    (double)(next_random(&state) % 1000ULL) / 1000.0 - 0.2;
            break;
        case 4: /* a few digits at any decade from 1e-12 to 1e+19 */
            value = (double)(next_random(&state) % 1000000ULL) * pow(10.0, (double)((int)((draw >> 24) % 32) - 12));
            break;
        default: /* close to the notation boundaries 1e-5 and 1e15 */
            value = ((draw >> 16) & 1) ? 1e-5 : 1e15;
            for (uint64_t step = next_random(&state) % 2000; step > 0; step--)
                value = nextafter(value, ((draw >> 17) & 1) ? 0.0 : INFINITY);
            break;
        }
        if ((draw >> 20) & 1) value = -value;
        if (value == 0) continue;
        check_round_trip(value);
    }
}
END_TEST

START_TEST(test_parse_rejects_malformed) {
    const char *const rejected[] = {"12.5abc", "nan", "NaN", "inf", "-inf", "infinity", "0x10", " 1", "1 ",
                                    "",        "+",   "-",   ".",   "1e",   "1e+",      "e5",   "--1", "1..2",
                                    "1.2.3",   "1e5.5", "1,5", "1e400", "-1e400", "\xd9\xa1",
                                    /* the bytes either side of the digits, '/' and ':', in each part */
                                    "1:", ":", "1.:", "1.5:", "1/", "/", "1./", "-:"};
    for (size_t index = 0; index < sizeof rejected / sizeof rejected[0]; index++) {
        double value = 7.25;
        ck_assert_msg(!parse_text(rejected[index], &value), "accepted '%s'", rejected[index]);
        ck_assert_msg(value == 7.25, "'%s' changed the output", rejected[index]);
    }
}
END_TEST

typedef struct {
    const char *text;
    double value;
} parse_case;

START_TEST(test_parse_accepts_decimal_forms) {
    const parse_case cases[] = {
        {"-0.5", -0.5}, {"1e-3", 0.001}, {".5", 0.5},   {"5.", 5.0},     {"+2", 2.0},      {"1E3", 1000.0},
        {"0", 0.0},     {"25000", 25000}, {"-12.345", -12.345}, {"1.5e-07", 1.5e-7}, {"1e+15", 1e15},
        {"0.30000000000000004", 0.30000000000000004}, {"007", 7.0},
    };
    for (size_t index = 0; index < sizeof cases / sizeof cases[0]; index++) {
        double value = NAN;
        ck_assert_msg(parse_text(cases[index].text, &value), "rejected '%s'", cases[index].text);
        ck_assert_msg(bits_of(value) == bits_of(cases[index].value), "'%s' parsed as %.17g", cases[index].text,
                      value);
    }
    double negative_zero = 1;
    ck_assert(parse_text("-0", &negative_zero));
    ck_assert(negative_zero == 0 && signbit(negative_zero));
}
END_TEST

/* Appends count random decimal digits to text at *length; leading zeros are
 * likely, so that skipped zeros and long significands are both drawn. */
static void append_digits(char *text, size_t *length, int count, uint64_t *state) {
    for (int index = 0; index < count; index++) {
        uint64_t draw = next_random(state);
        text[(*length)++] = (char)('0' + ((draw & 3) == 0 ? 0 : (int)((draw >> 8) % 10)));
    }
}

START_TEST(test_parse_agrees_with_strtod_on_random_decimals) {
    /* Random well-formed decimals (sign, up to 20 integer and 20 fraction
     * digits, optional exponent): number_parse must give strtod's double
     * bitwise, and refuse exactly what overflows. */
    uint64_t state = 314159;
    char text[80];
    for (long round = 0; round < 300000; round++) {
        size_t length = 0;
        uint64_t shape = next_random(&state);
        if (shape & 1) text[length++] = (shape & 2) ? '-' : '+';
        int integer_digits = (int)((shape >> 2) % 21);
        int fraction_digits = (int)((shape >> 8) % 21);
        bool point = (shape >> 14) & 1;
        if (!point) fraction_digits = 0;
        if (integer_digits + fraction_digits == 0) integer_digits = 1;
        append_digits(text, &length, integer_digits, &state);
        if (point) {
            text[length++] = '.';
            append_digits(text, &length, fraction_digits, &state);
        }
        if ((shape >> 15) & 1) {
            text[length++] = (shape >> 16) & 1 ? 'e' : 'E';
            if ((shape >> 17) & 1) text[length++] = (shape >> 18) & 1 ? '-' : '+';
            length += (size_t)snprintf(text + length, 8, "%d", (int)((shape >> 20) % ((shape >> 30) & 1 ? 30 : 400)));
        }
        text[length] = '\0';
        double expected = strtod(text, NULL);
        double parsed = 0;
        bool accepted = number_parse(text, length, &parsed);
        if (accepted != (bool)isfinite(expected))
            ck_abort_msg("'%s': number_parse %s, strtod gives %.17g", text, accepted ? "accepts" : "refuses",
                         expected);
        if (accepted && bits_of(parsed) != bits_of(expected))
            ck_abort_msg("'%s': number_parse %.17g (%a), strtod %.17g (%a)", text, parsed, parsed, expected,
                         expected);
    }
}
END_TEST

START_TEST(test_parse_honours_length) {
    /* Only text[0..length) is read: the bytes after it do not matter. */
    double value = 0;
    ck_assert(number_parse("12.5abc", 4, &value));
    ck_assert(value == 12.5);
    ck_assert(number_parse("7", 1, &value));
    ck_assert(value == 7);
    ck_assert(!number_parse("12.5abc", 5, &value));
    ck_assert(!number_parse("1", 0, &value));
    /* 20 digits, 2^64 + 5: more than a uint64_t holds, read the long way */
    ck_assert(number_parse("18446744073709551621", 20, &value));
    ck_assert(value == 18446744073709551616.0);
    ck_assert(number_parse("1844674407370955162.1", 21, &value));
    ck_assert(value == 1844674407370955162.1);
    ck_assert(number_parse("0.18446744073709551621", 22, &value));
    ck_assert(value == 0.18446744073709551621);
    /* the longest number read is 79 bytes: one of 80 is refused */
    char text[81];
    memset(text, '0', sizeof text);
    text[1] = '.';
    text[78] = '5';
    ck_assert(number_parse(text, 79, &value)); /* 0.000...05, 77 fraction digits */
    ck_assert(value == 5e-77);
    text[79] = '5';
    ck_assert(!number_parse(text, 80, &value));
}
END_TEST

START_TEST(test_timestamp_epoch_seconds) {
    double seconds = -1;
    ck_assert(parse_timestamp_text("0", &seconds));
    ck_assert(seconds == 0);
    ck_assert(parse_timestamp_text("1767600000", &seconds));
    ck_assert(seconds == 1767600000.0);
    ck_assert(parse_timestamp_text("1700000000.25", &seconds));
    ck_assert(seconds == 1700000000.25);
    ck_assert(parse_timestamp_text("2.5", &seconds));
    ck_assert(seconds == 2.5);
    ck_assert(!parse_timestamp_text("-1", &seconds));
    ck_assert(!parse_timestamp_text("", &seconds));
    ck_assert(!parse_timestamp_text("nan", &seconds));
    ck_assert(!parse_timestamp_text("12abc", &seconds));
}
END_TEST

START_TEST(test_timestamp_iso) {
    double seconds = -1;
    /* 2026-01-05: 56 years after 1970 with 14 leap days, plus 4 days. */
    ck_assert(parse_timestamp_text("2026-01-05T08:00:00Z", &seconds));
    ck_assert(seconds == 20458.0 * 86400 + 8 * 3600);
    ck_assert(parse_timestamp_text("2026-01-05T08:00:00.250Z", &seconds));
    ck_assert(seconds == 20458.0 * 86400 + 8 * 3600 + 0.25);
    ck_assert(parse_timestamp_text("1970-01-01T00:00:00Z", &seconds));
    ck_assert(seconds == 0);
    ck_assert(parse_timestamp_text("2024-12-31T23:59:59Z", &seconds));
    ck_assert(seconds == 1735689599.0);
    ck_assert(parse_timestamp_text("2026-01-05T08:00:00.5Z", &seconds));
    ck_assert(seconds == 1767600000.5);
}
END_TEST

START_TEST(test_timestamp_leap_days) {
    double seconds = -1;
    /* 2024-02-29: 19723 days to 2024-01-01, plus 31 + 28. */
    ck_assert(parse_timestamp_text("2024-02-29T00:00:00Z", &seconds));
    ck_assert(seconds == 19782.0 * 86400);
    ck_assert(parse_timestamp_text("2000-02-29T12:34:56Z", &seconds));
    ck_assert(seconds == 951827696.0);
    ck_assert(!parse_timestamp_text("2023-02-29T00:00:00Z", &seconds));
    ck_assert(!parse_timestamp_text("2100-02-29T00:00:00Z", &seconds));
    ck_assert(!parse_timestamp_text("2024-02-30T00:00:00Z", &seconds));
    ck_assert(!parse_timestamp_text("2024-04-31T00:00:00Z", &seconds));
    /* March opens the shifted civil year (days_from_civil); 2000 and 2400
     * are whole 400-year eras, so their dates after February sit at an era
     * seam. Epoch seconds from Python's datetime. */
    ck_assert(parse_timestamp_text("2024-03-01T00:00:00Z", &seconds));
    ck_assert(seconds == 1709251200.0);
    ck_assert(parse_timestamp_text("2000-03-01T00:00:00Z", &seconds));
    ck_assert(seconds == 951868800.0);
    ck_assert(parse_timestamp_text("2000-12-31T00:00:00Z", &seconds));
    ck_assert(seconds == 978220800.0);
    ck_assert(parse_timestamp_text("2400-03-01T00:00:00Z", &seconds));
    ck_assert(seconds == 13574649600.0);
    /* fractions of a second: any digit, up to 9 of them */
    ck_assert(parse_timestamp_text("1970-01-01T00:00:00.9Z", &seconds));
    ck_assert(seconds == 0.9);
    ck_assert(parse_timestamp_text("1970-01-01T00:00:00.123456789Z", &seconds));
    ck_assert(seconds == 0.123456789);
    ck_assert(!parse_timestamp_text("1970-01-01T00:00:00.1234567890Z", &seconds));
    /* every month's last day is a date, the day after it is not (2023) */
    static const int last_days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    for (int month = 1; month <= 12; month++) {
        char text[32];
        snprintf(text, sizeof text, "2023-%02d-%02dT00:00:00Z", month, last_days[month - 1]);
        ck_assert_msg(parse_timestamp_text(text, &seconds), "refused %s", text);
        snprintf(text, sizeof text, "2023-%02d-%02dT00:00:00Z", month, last_days[month - 1] + 1);
        ck_assert_msg(!parse_timestamp_text(text, &seconds), "accepted %s", text);
    }
    /* years 100, 200 and 300 of an era: the century days it takes away */
    ck_assert(parse_timestamp_text("2100-03-01T00:00:00Z", &seconds));
    ck_assert(seconds == 4107542400.0);
    ck_assert(parse_timestamp_text("2201-02-01T00:00:00Z", &seconds));
    ck_assert(seconds == 7292332800.0);
    ck_assert(parse_timestamp_text("2302-12-31T00:00:00Z", &seconds));
    ck_assert(seconds == 10508313600.0);
}
END_TEST

START_TEST(test_timestamp_rejects_malformed) {
    const char *const rejected[] = {
        "2026-13-05T08:00:00Z",     /* month 13 */
        "2026-00-05T08:00:00Z",     /* month 0 */
        "2026-01-00T08:00:00Z",     /* day 0 */
        "2026-01-32T08:00:00Z",     /* day 32 */
        "2026-01-05T24:00:00Z",     /* hour 24 */
        "2026-01-05T08:60:00Z",     /* minute 60 */
        "2026-01-05T08:00:60Z",     /* second 60 */
        "2026-01-05T08:00:00",      /* missing Z */
        "2026-01-05T08:00:00.250",  /* missing Z after a fraction */
        "2026-01-05T08:00:00Zx",    /* trailing garbage */
        "2026-01-05T08:00:00Z ",    /* trailing space */
        "2026-01-05T08:00:00+00:00", /* offset instead of Z */
        "2026-01-05 08:00:00Z",     /* space instead of T */
        "2026-01-05T08:00:00.Z",    /* empty fraction */
        "2026-01-05T08:00:00.1234567890Z", /* more than 9 fraction digits */
        "2026-1-05T08:00:00Z",      /* one-digit month */
        "1969-12-31T23:59:59Z",     /* before the epoch */
        "2026-01-05T08:00:00z",     /* lower-case z */
        "2026-01-05",               /* a date alone */
        "20a6-01-05T08:00:00Z",     /* letter in the year */
    };
    for (size_t index = 0; index < sizeof rejected / sizeof rejected[0]; index++) {
        double seconds = 3.5;
        ck_assert_msg(!parse_timestamp_text(rejected[index], &seconds), "accepted '%s'", rejected[index]);
    }
}
END_TEST

/* Every test of core/number.c. */
START_TEST(test_format_integer) {
    const int64_t values[] = {0, 1, -1, 9, 10, 99, 100, 123456789, -987654321012, INT64_MAX, INT64_MIN};
    for (size_t index = 0; index < sizeof values / sizeof values[0]; index++) {
        char expected[NUMBER_TEXT_CAPACITY], actual[NUMBER_TEXT_CAPACITY];
        snprintf(expected, sizeof expected, "%lld", (long long)values[index]);
        size_t length = number_format_integer(values[index], actual);
        ck_assert_str_eq(actual, expected);
        ck_assert_uint_eq(length, strlen(expected));
    }
}
END_TEST

/* Digit counts at every seam: each power of two and of ten, one below and
 * one above, both signs, against printf (the count decides where every
 * digit goes). */
START_TEST(test_format_integer_at_every_seam) {
    int64_t values[64 * 3 + 19 * 3];
    size_t count = 0;
    for (int bit = 0; bit < 63; bit++) {
        int64_t power = (int64_t)1 << bit;
        values[count++] = power - 1;
        values[count++] = power;
        values[count++] = power + 1;
    }
    int64_t ten = 1;
    for (int exponent = 0; exponent <= 18; exponent++, ten = exponent <= 18 ? ten * 10 : ten) {
        values[count++] = ten - 1;
        values[count++] = ten;
        values[count++] = ten + 1;
    }
    ck_assert_uint_le(count, sizeof values / sizeof values[0]);
    for (size_t index = 0; index < count; index++)
        for (int sign = 1; sign >= -1; sign -= 2) {
            int64_t value = values[index] * sign;
            char expected[NUMBER_TEXT_CAPACITY], actual[NUMBER_TEXT_CAPACITY];
            snprintf(expected, sizeof expected, "%lld", (long long)value);
            ck_assert_uint_eq(number_format_integer(value, actual), strlen(expected));
            ck_assert_str_eq(actual, expected);
        }
}
END_TEST

static Suite *number_suite(void) {
    Suite *suite = suite_create("number");
    TCase *format = tcase_create("format");
    tcase_add_test(format, test_format_canonical_table);
    tcase_add_test(format, test_format_integer);
    tcase_add_test(format, test_format_integer_at_every_seam);
    tcase_add_test(format, test_format_zero_sign_and_non_finite);
    tcase_add_test(format, test_format_point_one_plus_point_two);
    tcase_add_test(format, test_format_fixed_notation_boundaries);
    suite_add_tcase(suite, format);
    TCase *property = tcase_create("round_trip_property");
    tcase_set_timeout(property, 300);
    tcase_add_test(property, test_format_round_trip_random_bit_patterns);
    tcase_add_test(property, test_format_round_trip_money_like_values);
    tcase_add_test(property, test_parse_agrees_with_strtod_on_random_decimals);
    suite_add_tcase(suite, property);
    TCase *parse = tcase_create("parse");
    tcase_add_test(parse, test_parse_rejects_malformed);
    tcase_add_test(parse, test_parse_accepts_decimal_forms);
    tcase_add_test(parse, test_parse_honours_length);
    suite_add_tcase(suite, parse);
    TCase *timestamp = tcase_create("timestamp");
    tcase_add_test(timestamp, test_timestamp_epoch_seconds);
    tcase_add_test(timestamp, test_timestamp_iso);
    tcase_add_test(timestamp, test_timestamp_leap_days);
    tcase_add_test(timestamp, test_timestamp_rejects_malformed);
    suite_add_tcase(suite, timestamp);
    return suite;
}

int main(void) {
    SRunner *runner = srunner_create(number_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
