/* test_number_equivalence.c -- core/number.c's fast printer and parser give
 * exactly what the original slow ones gave.
 *
 * The reference functions below are number.c's first implementation, kept
 * verbatim: number_format as "format_fast, else the shortest %.*e that strtod
 * reads back", number_parse as "validate, then strtod". Every output file's
 * bytes depend on them, so the optimised ones must match them on every double:
 * this compares them over millions of values from several distributions
 * (random bit patterns, money-like decimals, sums and ratios of them, values
 * beside powers of two and of ten) and over random valid and invalid texts;
 * and number_format_fixed against printf's "%.*f" itself.
 * LEDGERSIM_EQUIVALENCE_VALUES sets the values per distribution: 50000 by
 * default (a few seconds in `make test`; 500 under valgrind), and `make bench`
 * runs it with 300000 (2.1 million values and 600000 texts). */
#include <assert.h>
#include <check.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/number.h"

#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#endif
#endif
#ifndef RUNNING_ON_VALGRIND
#define RUNNING_ON_VALGRIND 0
#endif

enum { DEFAULT_VALUES_PER_DISTRIBUTION = 50000, VALGRIND_VALUES_PER_DISTRIBUTION = 500, MISMATCHES_SHOWN = 10 };

/* ---- The reference: number.c as first written (do not optimise). ---- */

static const double reference_power_of_ten[] = {
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
    1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

static size_t reference_write_unsigned(uint64_t magnitude, char *out) {
    char reversed[24];
    size_t count = 0;
    do {
        reversed[count++] = (char)('0' + magnitude % 10);
        magnitude /= 10;
    } while (magnitude != 0);
    for (size_t index = 0; index < count; index++) out[index] = reversed[count - 1 - index];
    return count;
}

static size_t reference_write_fixed(int64_t mantissa, int decimals, char *out) {
    size_t length = 0;
    if (mantissa < 0) out[length++] = '-';
    char digits[24];
    size_t count = reference_write_unsigned((uint64_t)(mantissa < 0 ? -mantissa : mantissa), digits);
    if ((int)count <= decimals) {
        out[length++] = '0';
        out[length++] = '.';
        for (int pad = 0; pad < decimals - (int)count; pad++) out[length++] = '0';
        memcpy(out + length, digits, count);
        length += count;
    } else {
        size_t integer_digits = count - (size_t)decimals;
        memcpy(out + length, digits, integer_digits);
        length += integer_digits;
        if (decimals > 0) {
            out[length++] = '.';
            memcpy(out + length, digits + integer_digits, (size_t)decimals);
            length += (size_t)decimals;
        }
    }
    out[length] = '\0';
    return length;
}

static size_t reference_format_fast(double value, char *out) {
    double magnitude = fabs(value);
    if (magnitude < 1e-5 || magnitude >= 1e15) return 0;
    for (int decimals = 0; decimals <= 15; decimals++) {
        double scaled = value * reference_power_of_ten[decimals];
        if (fabs(scaled) >= 1e15) return 0;
        double rounded = nearbyint(scaled);
        if (rounded / reference_power_of_ten[decimals] == value)
            return reference_write_fixed((int64_t)rounded, decimals, out);
    }
    return 0;
}

static size_t reference_format_slow(double value, char *out) {
    char scientific[40];
    int precision = 0;
    for (; precision <= 16; precision++) {
        snprintf(scientific, sizeof scientific, "%.*e", precision, value);
        if (strtod(scientific, NULL) == value) break;
    }
    assert(precision <= 16);
    const char *cursor = scientific;
    bool negative = (*cursor == '-');
    if (negative) cursor++;
    char digits[24];
    size_t digit_count = 0;
    for (; *cursor != 'e'; cursor++)
        if (*cursor != '.') digits[digit_count++] = *cursor;
    int exponent = atoi(cursor + 1);
    while (digit_count > 1 && digits[digit_count - 1] == '0') digit_count--;
    double magnitude = fabs(value);
    size_t length = 0;
    if (negative) out[length++] = '-';
    if (magnitude >= 1e-5 && magnitude < 1e15) {
        if (exponent < 0) {
            out[length++] = '0';
            out[length++] = '.';
            for (int pad = 0; pad < -exponent - 1; pad++) out[length++] = '0';
            memcpy(out + length, digits, digit_count);
            length += digit_count;
        } else {
            size_t integer_digits = (size_t)exponent + 1;
            for (size_t index = 0; index < integer_digits; index++)
                out[length++] = index < digit_count ? digits[index] : '0';
            if (digit_count > integer_digits) {
                out[length++] = '.';
                memcpy(out + length, digits + integer_digits, digit_count - integer_digits);
                length += digit_count - integer_digits;
            }
        }
        out[length] = '\0';
        return length;
    }
    out[length++] = digits[0];
    if (digit_count > 1) {
        out[length++] = '.';
        memcpy(out + length, digits + 1, digit_count - 1);
        length += digit_count - 1;
    }
    length += (size_t)snprintf(out + length, 8, "e%c%02d", exponent < 0 ? '-' : '+', abs(exponent));
    return length;
}

static size_t reference_format(double value, char out[NUMBER_TEXT_CAPACITY]) {
    if (!isfinite(value)) {
        memcpy(out, "null", 5);
        return 4;
    }
    if (value == 0) {
        if (signbit(value)) {
            memcpy(out, "-0", 3);
            return 2;
        }
        memcpy(out, "0", 2);
        return 1;
    }
    size_t length = reference_format_fast(value, out);
    if (length == 0) length = reference_format_slow(value, out);
    return length;
}

static bool reference_parse(const char *text, size_t length, double *value) {
    char copy[80];
    if (length == 0 || length >= sizeof copy) return false;
    size_t index = 0;
    if (text[index] == '-' || text[index] == '+') index++;
    size_t integer_start = index;
    while (index < length && text[index] >= '0' && text[index] <= '9') index++;
    size_t integer_digits = index - integer_start;
    size_t fraction_digits = 0;
    if (index < length && text[index] == '.') {
        index++;
        size_t fraction_start = index;
        while (index < length && text[index] >= '0' && text[index] <= '9') index++;
        fraction_digits = index - fraction_start;
    }
    if (integer_digits + fraction_digits == 0) return false;
    if (index < length && (text[index] == 'e' || text[index] == 'E')) {
        index++;
        if (index < length && (text[index] == '-' || text[index] == '+')) index++;
        size_t exponent_start = index;
        while (index < length && text[index] >= '0' && text[index] <= '9') index++;
        if (index == exponent_start) return false;
    }
    if (index != length) return false;
    memcpy(copy, text, length);
    copy[length] = '\0';
    double parsed = strtod(copy, NULL);
    if (!isfinite(parsed)) return false;
    *value = parsed;
    return true;
}

/* ---- Value sources. ---- */

/* splitmix64 with a fixed seed: the same values on every run. */
static uint64_t next_random(uint64_t *state) {
    uint64_t mixed = (*state += 0x9E3779B97F4A7C15ULL);
    mixed = (mixed ^ (mixed >> 30)) * 0xBF58476D1CE4E5B9ULL;
    mixed = (mixed ^ (mixed >> 27)) * 0x94D049BB133111EBULL;
    return mixed ^ (mixed >> 31);
}

static double double_from_bits(uint64_t bits) {
    double value;
    memcpy(&value, &bits, sizeof value);
    return value;
}

/* A uniform integer in [0, bound). */
static uint64_t random_below(uint64_t *state, uint64_t bound) { return next_random(state) % bound; }

/* A decimal with up to 12 significant digits and up to 10 decimals, signed:
 * a price, a quantity or an amount as an exchange prints it. */
static double money_value(uint64_t *state) {
    static const double scales[] = {1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10};
    uint64_t digits = random_below(state, 1000000000000ULL) >> random_below(state, 40);
    double value = (double)digits / scales[random_below(state, 11)];
    return random_below(state, 4) == 0 ? -value : value;
}

typedef enum {
    SOURCE_BIT_PATTERNS,   /* every finite double, uniformly by bits */
    SOURCE_MONEY,          /* short decimals */
    SOURCE_SUMS,           /* running sums and differences of short decimals (a ledger's totals) */
    SOURCE_RATIOS,         /* products and ratios (notional, margin, percentages) */
    SOURCE_NEAR_POWERS,    /* a few ulps from 2^k and 10^k, where intervals and layouts change */
    SOURCE_MAGNITUDES,     /* a uniform mantissa at every decimal magnitude from 1e-30 to 1e30 */
    SOURCE_SMALL_DELTAS,   /* differences of nearly equal totals: 1e-16 .. 1e-3 */
    SOURCE_COUNT
} value_source;

static const char *const source_names[SOURCE_COUNT] = {"bit patterns", "money", "sums", "ratios",
                                                        "near powers", "magnitudes", "small deltas"};

/* The index-th value of a source (state carries the source's random stream). */
static double source_value(value_source source, uint64_t *state, double *running) {
    switch (source) {
    case SOURCE_BIT_PATTERNS: {
        double value;
        do value = double_from_bits(next_random(state));
        while (!isfinite(value));
        return value;
    }
    case SOURCE_MONEY:
        return money_value(state);
    case SOURCE_SUMS:
        *running += money_value(state);
        if (fabs(*running) > 1e12) *running = money_value(state);
        return *running;
    case SOURCE_RATIOS: {
        double first = money_value(state), second = money_value(state);
        return random_below(state, 2) == 0 || second == 0 ? first * second : first / second;
    }
    case SOURCE_NEAR_POWERS: {
        int exponent = (int)random_below(state, 200) - 100;
        double base = random_below(state, 2) == 0 ? ldexp(1.0, exponent * 3) : pow(10.0, exponent);
        int64_t steps = (int64_t)random_below(state, 9) - 4;
        double value = base;
        for (; steps > 0; steps--) value = nextafter(value, INFINITY);
        for (; steps < 0; steps++) value = nextafter(value, 0);
        return random_below(state, 2) == 0 ? -value : value;
    }
    case SOURCE_MAGNITUDES: {
        double mantissa = 1.0 + (double)(next_random(state) >> 11) / 9007199254740992.0 * 9.0;
        return mantissa * pow(10.0, (double)((int)random_below(state, 61) - 30));
    }
    case SOURCE_SMALL_DELTAS: {
        double total = money_value(state) * 1000.0;
        double other = total;
        for (int step = 0; step < 3; step++) other += money_value(state) / 1e6;
        for (int step = 0; step < 3; step++) other -= money_value(state) / 1e6;
        return other - total;
    }
    case SOURCE_COUNT:
        break;
    }
    return 0;
}

static long values_per_distribution(void) {
    const char *setting = getenv("LEDGERSIM_EQUIVALENCE_VALUES");
    long fallback = RUNNING_ON_VALGRIND ? VALGRIND_VALUES_PER_DISTRIBUTION : DEFAULT_VALUES_PER_DISTRIBUTION;
    long count = setting != NULL ? strtol(setting, NULL, 10) : fallback;
    return count > 0 ? count : fallback;
}

/* The double nearest to 10^exponent, as strtod reads "1eN". */
static double strtod_power_of_ten(int exponent) {
    char text[16];
    snprintf(text, sizeof text, "1e%d", exponent);
    return strtod(text, NULL);
}

/* ---- Tests. ---- */

START_TEST(test_format_matches_reference) {
    long count = values_per_distribution();
    long mismatches = 0;
    for (int source = 0; source < SOURCE_COUNT; source++) {
        uint64_t state = 0x5EED0000ULL + (uint64_t)source;
        double running = 0;
        for (long index = 0; index < count; index++) {
            double value = source_value((value_source)source, &state, &running);
            char expected[NUMBER_TEXT_CAPACITY], actual[NUMBER_TEXT_CAPACITY];
            size_t expected_length = reference_format(value, expected);
            size_t actual_length = number_format(value, actual);
            if (expected_length == actual_length && memcmp(expected, actual, expected_length + 1) == 0) continue;
            if (++mismatches <= MISMATCHES_SHOWN)
                fprintf(stderr, "%s: %a: expected %s, got %s\n", source_names[source], value, expected, actual);
        }
    }
    ck_assert_msg(mismatches == 0, "%ld values print differently from the reference", mismatches);
}
END_TEST

START_TEST(test_format_matches_reference_on_edge_values) {
    const double values[] = {5e-324, 2.2250738585072014e-308, 2.225073858507201e-308, 1.7976931348623157e308,
                             1e-15, 1e-14, 1e-5, 1e15, 1e16, 1e17, 1e22, 1e23, 0.1, 0.2, 0.3, 0.5, 1, 2,
                             9007199254740992.0, 9007199254740993.0, 4503599627370496.5, 123456789012345678.0,
                             0.30000000000000004, 1.0 / 3.0, 2.0 / 3.0, 100.0 / 3.0, 25000.000000000004,
                             3.637978807091713e-12, 9.5, 0.05, 0.0001, 0.00015, 999999999999999.9};
    for (size_t index = 0; index < sizeof values / sizeof values[0]; index++)
        for (int sign = 0; sign < 2; sign++) {
            double value = sign ? -values[index] : values[index];
            char expected[NUMBER_TEXT_CAPACITY], actual[NUMBER_TEXT_CAPACITY];
            reference_format(value, expected);
            number_format(value, actual);
            ck_assert_msg(strcmp(expected, actual) == 0, "%a: expected %s, got %s", value, expected, actual);
        }
}
END_TEST

/* Every power of two (the lopsided intervals: the only doubles whose lower
 * neighbour is half as far), every power of ten from 1e-30 to 1e30, and the
 * doubles on either side of each, both signs, against the reference: the
 * seams where format_exact's interval, scale and shift change. */
START_TEST(test_format_matches_reference_on_every_seam) {
    long mismatches = 0, checked = 0;
    for (int kind = 0; kind < 2; kind++) {
        int first = kind == 0 ? -1074 : -30, last = kind == 0 ? 1023 : 30;
        for (int exponent = first; exponent <= last; exponent++) {
            double center = kind == 0 ? ldexp(1.0, exponent) : strtod_power_of_ten(exponent);
            const double values[] = {center, nextafter(center, 0), nextafter(center, INFINITY)};
            for (size_t index = 0; index < 3; index++)
                for (int sign = 0; sign < 2; sign++) {
                    double value = sign ? -values[index] : values[index];
                    if (value == 0 || !isfinite(value)) continue;
                    char expected[NUMBER_TEXT_CAPACITY], actual[NUMBER_TEXT_CAPACITY];
                    reference_format(value, expected);
                    number_format(value, actual);
                    checked++;
                    if (strcmp(expected, actual) != 0 && ++mismatches <= MISMATCHES_SHOWN)
                        fprintf(stderr, "%a: expected %s, got %s\n", value, expected, actual);
                }
        }
    }
    ck_assert_msg(mismatches == 0, "%ld of %ld seam values print differently from the reference", mismatches, checked);
    ck_assert_int_gt(checked, 12000);
}
END_TEST

/* Appends count random decimal digits. */
static size_t random_digits(uint64_t *state, char *out, size_t count) {
    for (size_t index = 0; index < count; index++) out[index] = (char)('0' + random_below(state, 10));
    return count;
}

/* A random number text: sign, 0-24 integer digits, fraction, exponent. */
static size_t random_number_text(uint64_t *state, char *out) {
    size_t length = 0;
    uint64_t sign = random_below(state, 4);
    if (sign == 0) out[length++] = '-';
    if (sign == 1) out[length++] = '+';
    length += random_digits(state, out + length, (size_t)random_below(state, 25));
    if (random_below(state, 2) == 0) {
        out[length++] = '.';
        length += random_digits(state, out + length, (size_t)random_below(state, 25));
    }
    if (random_below(state, 3) == 0) {
        out[length++] = random_below(state, 2) == 0 ? 'e' : 'E';
        uint64_t exponent_sign = random_below(state, 3);
        if (exponent_sign == 0) out[length++] = '-';
        if (exponent_sign == 1) out[length++] = '+';
        length += (size_t)snprintf(out + length, 16, "%d", (int)random_below(state, 400));
    }
    return length;
}

START_TEST(test_parse_matches_reference) {
    long count = values_per_distribution() * 2;
    uint64_t state = 0xDECAF;
    long mismatches = 0;
    for (long index = 0; index < count; index++) {
        char text[96];
        size_t length;
        uint64_t kind = random_below(&state, 4);
        if (kind == 0) {
            length = random_number_text(&state, text);
        } else if (kind == 1) {
            /* What the printer writes: the common case of every scenario. */
            length = number_format(money_value(&state), text);
        } else if (kind == 2) {
            length = number_format(source_value(SOURCE_MAGNITUDES, &state, NULL), text);
        } else {
            /* A valid text with one byte replaced, inserted or cut: mostly invalid. */
            length = random_number_text(&state, text);
            static const char noise[] = "0123456789.eE+- xa\0";
            size_t at = length > 0 ? (size_t)random_below(&state, length + 1) : 0;
            char byte = noise[random_below(&state, sizeof noise - 1)];
            uint64_t edit = random_below(&state, 3);
            if (edit == 0 && at < length) text[at] = byte;
            if (edit == 1 && length + 1 < sizeof text) {
                memmove(text + at + 1, text + at, length - at);
                text[at] = byte;
                length++;
            }
            if (edit == 2 && at < length) length = at;
        }
        double expected = -12345.678, actual = -12345.678;
        bool expected_valid = reference_parse(text, length, &expected);
        bool actual_valid = number_parse(text, length, &actual);
        if (expected_valid == actual_valid && memcmp(&expected, &actual, sizeof expected) == 0) continue;
        if (++mismatches <= MISMATCHES_SHOWN)
            fprintf(stderr, "'%.*s': expected %d %a, got %d %a\n", (int)length, text, expected_valid, expected,
                    actual_valid, actual);
    }
    ck_assert_msg(mismatches == 0, "%ld texts parse differently from the reference", mismatches);
}
END_TEST

START_TEST(test_fixed_matches_printf) {
    long count = values_per_distribution();
    long mismatches = 0;
    for (int source = 0; source < SOURCE_COUNT; source++) {
        uint64_t state = 0xF1BED000ULL + (uint64_t)source;
        double running = 0;
        for (long index = 0; index < count; index++) {
            double value = source_value((value_source)source, &state, &running);
            int decimals = (int)random_below(&state, NUMBER_FIXED_DECIMALS_MAX + 1);
            char expected[400], actual[400];
            snprintf(expected, sizeof expected, "%.*f", decimals, value);
            number_format_fixed(value, decimals, actual, sizeof actual);
            if (strcmp(expected, actual) == 0) continue;
            if (++mismatches <= MISMATCHES_SHOWN)
                fprintf(stderr, "%%.%df of %a: expected %s, got %s\n", decimals, value, expected, actual);
        }
    }
    /* Exact halves at every decimal count, both signs, and non-finite values. */
    const double specials[] = {0.5, 1.5, 2.5, 0.125, 0.375, 1e-5, 5e-5, 0.00005, 0.00015, 2.00005, -0.0, 0.0,
                               -0.00001, 1e15, 9.2e18, 1e300, NAN, INFINITY, -INFINITY, 5e-324};
    for (size_t index = 0; index < sizeof specials / sizeof specials[0]; index++)
        for (int decimals = 0; decimals <= NUMBER_FIXED_DECIMALS_MAX; decimals++)
            for (int sign = 0; sign < 2; sign++) {
                double value = sign ? -specials[index] : specials[index];
                char expected[400], actual[400];
                snprintf(expected, sizeof expected, "%.*f", decimals, value);
                number_format_fixed(value, decimals, actual, sizeof actual);
                if (strcmp(expected, actual) != 0 && ++mismatches <= MISMATCHES_SHOWN)
                    fprintf(stderr, "%%.%df of %a: expected %s, got %s\n", decimals, value, expected, actual);
            }
    ck_assert_msg(mismatches == 0, "%ld values print differently from printf's %%.*f", mismatches);
}
END_TEST

static Suite *equivalence_suite(void) {
    Suite *suite = suite_create("number equivalence");
    TCase *format = tcase_create("format");
    tcase_set_timeout(format, 600);
    tcase_add_test(format, test_format_matches_reference);
    tcase_add_test(format, test_format_matches_reference_on_edge_values);
    tcase_add_test(format, test_format_matches_reference_on_every_seam);
    tcase_add_test(format, test_fixed_matches_printf);
    suite_add_tcase(suite, format);
    TCase *parse = tcase_create("parse");
    tcase_set_timeout(parse, 600);
    tcase_add_test(parse, test_parse_matches_reference);
    suite_add_tcase(suite, parse);
    return suite;
}

int main(void) {
    SRunner *runner = srunner_create(equivalence_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
