/* number.c -- canonical double text and strict parsing. See number.h.
 *
 * Printing has three paths that give the same bytes: format_fifteen (a
 * decimal of 15 significant digits or fewer, in fixed notation), format_exact
 * (integer arithmetic on the double's rounding interval, for normal doubles
 * from about 1e-14 to 1e17) and format_slow (the definition itself: the
 * shortest %.*e that strtod reads back). A fourth, format_fast (short
 * decimals by trial division), sat after format_exact, whose domain holds
 * all of its own: it never ran, and the mutation run showed it (issue 20).
 * tests/unit/test_number_equivalence.c compares them over millions of
 * values. Parsing converts with one exact IEEE operation when the decimal has
 * at most 19 significant digits and a small exponent (Clinger's fast path),
 * else with strtod; both round correctly, so they agree. */
#include "core/number.h"

#include <assert.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const double power_of_ten[] = {
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
    1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
enum { EXACT_POWER_OF_TEN_MAX = 22 }; /* the largest 10^k a double holds exactly */

static const uint64_t integer_power_of_ten[] = {
    UINT64_C(1), UINT64_C(10), UINT64_C(100), UINT64_C(1000), UINT64_C(10000), UINT64_C(100000),
    UINT64_C(1000000), UINT64_C(10000000), UINT64_C(100000000), UINT64_C(1000000000),
    UINT64_C(10000000000), UINT64_C(100000000000), UINT64_C(1000000000000), UINT64_C(10000000000000),
    UINT64_C(100000000000000), UINT64_C(1000000000000000), UINT64_C(10000000000000000),
    UINT64_C(100000000000000000), UINT64_C(1000000000000000000), UINT64_C(10000000000000000000)};
enum { INTEGER_POWER_OF_TEN_MAX = 19 };

static const uint64_t integer_power_of_five[] = {
    UINT64_C(1), UINT64_C(5), UINT64_C(25), UINT64_C(125), UINT64_C(625), UINT64_C(3125), UINT64_C(15625),
    UINT64_C(78125), UINT64_C(390625), UINT64_C(1953125), UINT64_C(9765625), UINT64_C(48828125),
    UINT64_C(244140625), UINT64_C(1220703125), UINT64_C(6103515625), UINT64_C(30517578125),
    UINT64_C(152587890625), UINT64_C(762939453125), UINT64_C(3814697265625), UINT64_C(19073486328125),
    UINT64_C(95367431640625), UINT64_C(476837158203125), UINT64_C(2384185791015625),
    UINT64_C(11920928955078125), UINT64_C(59604644775390625), UINT64_C(298023223876953125),
    UINT64_C(1490116119384765625), UINT64_C(7450580596923828125)};
enum { INTEGER_POWER_OF_FIVE_MAX = 27 };

/* 128-bit unsigned integers (gcc and clang on 64-bit targets). */
__extension__ typedef unsigned __int128 uint128;

/* value / 10^exponent for 0 <= exponent <= 19, with a constant divisor in
 * each case (a multiplication, where a variable divisor is a slow divide). */
static uint64_t divide_by_power_of_ten(uint64_t value, int exponent) {
    switch (exponent) {
    case 0: return value;
    case 1: return value / UINT64_C(10);
    case 2: return value / UINT64_C(100);
    case 3: return value / UINT64_C(1000);
    case 4: return value / UINT64_C(10000);
    case 5: return value / UINT64_C(100000);
    case 6: return value / UINT64_C(1000000);
    case 7: return value / UINT64_C(10000000);
    case 8: return value / UINT64_C(100000000);
    case 9: return value / UINT64_C(1000000000);
    case 10: return value / UINT64_C(10000000000);
    case 11: return value / UINT64_C(100000000000);
    case 12: return value / UINT64_C(1000000000000);
    case 13: return value / UINT64_C(10000000000000);
    case 14: return value / UINT64_C(100000000000000);
    case 15: return value / UINT64_C(1000000000000000);
    case 16: return value / UINT64_C(10000000000000000);
    case 17: return value / UINT64_C(100000000000000000);
    case 18: return value / UINT64_C(1000000000000000000);
    default: return value / UINT64_C(10000000000000000000);
    }
}

/* Removes the trailing decimal zeros of a non-zero value, adding their count
 * to *removed. */
static uint64_t strip_trailing_zeros(uint64_t value, int *removed) {
    while (value % UINT64_C(100000000) == 0) {
        value /= UINT64_C(100000000);
        *removed += 8;
    }
    if (value % 10000 == 0) {
        value /= 10000;
        *removed += 4;
    }
    if (value % 100 == 0) {
        value /= 100;
        *removed += 2;
    }
    if (value % 10 == 0) {
        value /= 10;
        *removed += 1;
    }
    return value;
}

/* The number of decimal digits of value. */
static size_t decimal_digit_count(uint64_t value) {
    if (value == 0) return 1;
    /* floor(log10(2^bits)) is the count or one less. */
    int bits = 64 - __builtin_clzll(value);
    size_t estimate = (size_t)((bits * 1233) >> 12);
    return value >= integer_power_of_ten[estimate] ? estimate + 1 : estimate;
}

static const char digit_pairs[] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

/* Writes the four digits of value (< 10000) ending at end. */
static inline void put_four_digits(uint32_t value, char *end) {
    uint32_t high = value / 100, low = value % 100;
    memcpy(end - 4, digit_pairs + 2 * high, 2);
    memcpy(end - 2, digit_pairs + 2 * low, 2);
}

/* Writes the decimal digits of value so that they end at out + count
 * (count at least their number): eight at a time in
 * 32-bit arithmetic (cheaper than 64-bit), then two per division. */
static void put_digits(uint64_t value, size_t count, char *out) {
    char *end = out + count;
    while (value >= 100000000) {
        uint32_t block = (uint32_t)(value % 100000000);
        value /= 100000000;
        put_four_digits(block % 10000, end);
        put_four_digits(block / 10000, end - 4);
        end -= 8;
    }
    uint32_t rest = (uint32_t)value;
    while (rest >= 100) {
        memcpy(end - 2, digit_pairs + 2 * (rest % 100), 2);
        rest /= 100;
        end -= 2;
    }
    if (rest >= 10) {
        memcpy(end - 2, digit_pairs + 2 * rest, 2);
        end -= 2;
    } else {
        *--end = (char)('0' + rest);
    }
    assert(end >= out); /* count may exceed the digits: callers pre-fill leading zeros */
}

/* Writes the decimal digits of magnitude and returns their count. */
static size_t write_unsigned(uint64_t magnitude, char *out) {
    size_t count = decimal_digit_count(magnitude);
    put_digits(magnitude, count, out);
    return count;
}

size_t number_format_integer(int64_t value, char out[NUMBER_TEXT_CAPACITY]) {
    size_t length = 0;
    if (value < 0) out[length++] = '-';
    length += write_unsigned(value < 0 ? 0 - (uint64_t)value : (uint64_t)value, out + length);
    out[length] = '\0';
    assert(length < NUMBER_TEXT_CAPACITY);
    return length;
}

/* Renders integer mantissa / 10^decimals in fixed notation. */
static size_t write_fixed(int64_t mantissa, int decimals, char *out) {
    size_t length = 0;
    if (mantissa < 0) out[length++] = '-';
    char digits[24];
    size_t count = write_unsigned((uint64_t)(mantissa < 0 ? -mantissa : mantissa), digits);
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

/* Fast path for a value of at most 15 significant digits in fixed
 * notation, in one try: scaled to 15 integer digits, rounded, and kept
 * when that integer over the same power of ten gives back the value. At 15
 * significant digits or fewer the decimal candidate is unique (decimal
 * spacing exceeds one ulp), m / 10^k in IEEE division is the correctly
 * rounded value strtod would return, and the rounding finds it. Its trailing zeros go,
 * down to the decimal point. Returns 0 when the value needs more digits
 * (most sums of several amounts), which costs a multiply and a divide. */
static size_t format_fifteen(double value, char *out) {
    double magnitude = fabs(value);
    if (!(magnitude >= 1e-5 && magnitude < 1e15)) return 0;
    uint64_t bits;
    memcpy(&bits, &magnitude, sizeof bits);
    int binary_exponent = (int)(bits >> 52) - 1023;               /* floor(log2 magnitude) */
    int decimal_estimate = ((binary_exponent + 4096) * 1233 >> 12) - 1233; /* floor(log10), or one less */
    int decimals = 14 - decimal_estimate;
    assert(decimals >= 0 && decimals <= EXACT_POWER_OF_TEN_MAX);
    double scaled = value * power_of_ten[decimals];
    if (fabs(scaled) >= 1e15) scaled = value * power_of_ten[--decimals];
    if (decimals < 0 || fabs(scaled) >= 1e15) return 0;
    /* nearbyint without a libm call (no SSE4.1 in baseline x86-64): adding
     * and taking away 1.5 * 2^52 rounds |scaled| < 2^51 to an integer, ties
     * to even, as nearbyint does in the default mode. */
    double rounded = (scaled + 0x1.8p52) - 0x1.8p52;
    if (rounded / power_of_ten[decimals] != value) return 0;
    int64_t mantissa = (int64_t)rounded;
    /* Trailing zeros in steps of 8, 4, 2, 1 (constant divisors: multiplies), not past the point. */
#define STRIP_ZEROS(step, unit)                                  \
    while (decimals >= (step) && mantissa % (unit) == 0) {       \
        mantissa /= (unit);                                      \
        decimals -= (step);                                      \
    }
    STRIP_ZEROS(8, 100000000) STRIP_ZEROS(4, 10000) STRIP_ZEROS(2, 100) STRIP_ZEROS(1, 10)
#undef STRIP_ZEROS
    return write_fixed(mantissa, decimals, out);
}

/* The canonical layout of significand (no trailing zero) times
 * 10^(exponent - its digit count + 1), i.e. exponent is that of its first
 * digit: fixed notation when fixed is set, else d[.ddd]e(+|-)XX. Writes a
 * NUL after the text and returns its length. */
static size_t write_layout(bool negative, uint64_t significand, int exponent, bool fixed, char *out) {
    size_t length = 0;
    if (negative) out[length++] = '-';
    size_t count = decimal_digit_count(significand);
    if (fixed && exponent < 0) {
        out[length++] = '0';
        out[length++] = '.';
        for (int pad = 0; pad < -exponent - 1; pad++) out[length++] = '0';
        put_digits(significand, count, out + length);
        length += count;
    } else if (fixed) {
        size_t integer_digits = (size_t)exponent + 1;
        if (count <= integer_digits) {
            put_digits(significand, count, out + length);
            memset(out + length + count, '0', integer_digits - count);
            length += integer_digits;
        } else {
            /* Open the point: move the integer digits (fewer than 16) one place left. */
            put_digits(significand, count, out + length + 1);
            for (size_t index = 0; index < integer_digits; index++) out[length + index] = out[length + index + 1];
            out[length + integer_digits] = '.';
            length += count + 1;
        }
    } else {
        put_digits(significand, count, out + length + 1);
        out[length] = out[length + 1];
        if (count > 1) {
            out[length + 1] = '.';
            length += count + 1;
        } else {
            length += 1;
        }
        int magnitude = exponent < 0 ? -exponent : exponent;
        out[length++] = 'e';
        out[length++] = exponent < 0 ? '-' : '+';
        if (magnitude >= 100) out[length++] = (char)('0' + magnitude / 100);
        out[length++] = (char)('0' + magnitude / 10 % 10);
        out[length++] = (char)('0' + magnitude % 10);
    }
    out[length] = '\0';
    return length;
}

/* True when the canonical text of a finite magnitude is in fixed notation. */
static bool fixed_notation(double magnitude) { return magnitude >= 1e-5 && magnitude < 1e15; }

/* The multiple of 10^t nearest to integer_part + fraction_part / 2^shift
 * (half_unit = 2^(shift - 1) when shift > 0), in units of 10^t; an exact
 * tie goes to the even one, as printf's correct rounding does. */
static uint64_t nearest_multiple(uint64_t integer_part, uint128 fraction_part, uint128 half_unit, int shift,
                                 int t) {
    uint64_t step = integer_power_of_ten[t];
    uint64_t kept = divide_by_power_of_ten(integer_part, t);
    uint64_t remainder = integer_part - kept * step;
    bool round_up, tie;
    if (t == 0) {
        round_up = shift > 0 && fraction_part > half_unit;
        tie = shift > 0 && fraction_part == half_unit;
    } else {
        uint64_t half = step / 2;
        round_up = remainder > half || (remainder == half && fraction_part != 0);
        tie = remainder == half && fraction_part == 0;
    }
    return kept + (round_up || (tie && (kept & 1) != 0));
}

/* Exact path for a normal double from about 1e-14 to 1e17, whose candidates
 * fit 128-bit integers. Returns 0 outside that domain.
 *
 * With value = m * 2^e, a decimal reads back as value when it lies in its
 * rounding interval, from the midpoint with the previous double to the
 * midpoint with the next one (ends included when m is even): m * 2^e +-
 * 2^(e-1), except for m = 2^52, whose lower half is 2^(e-2). In units of
 * 10^scale, with scale chosen so that value has 17 or 18 integer digits, the
 * interval is [low, high] of integers, computed exactly in 128 bits. The slow
 * path's answer is the largest t for which the multiple of 10^t nearest to
 * the value (the correctly rounded %.*e) lies in [low, high]. No t above the
 * largest one with any multiple of 10^t in [low, high] can do; in a
 * symmetric interval that one always does (the nearest candidate is inside
 * whenever any is), and a lopsided one steps down until it does. */
static size_t format_exact(double value, char *out) {
    uint64_t bits;
    memcpy(&bits, &value, sizeof bits);
    int biased_exponent = (int)((bits >> 52) & 0x7ff);
    uint64_t fraction = bits & ((UINT64_C(1) << 52) - 1);
    if (biased_exponent == 0) return 0;                    /* subnormal */
    bool lopsided = fraction == 0 && biased_exponent > 1;
    uint64_t mantissa = fraction | (UINT64_C(1) << 52);
    int binary_exponent = biased_exponent - 1075;         /* value = mantissa * 2^binary_exponent */
    /* floor(log10(2^floor(log2 value))): floor(log10 value) or one less. */
    int decimal_estimate = ((binary_exponent + 52 + 4096) * 1233 >> 12) - 1233;
    int scale = decimal_estimate - 16;
    if (scale > 0 || scale < -31) return 0;
    int five_exponent = -scale;
    uint128 five = five_exponent <= INTEGER_POWER_OF_FIVE_MAX
                       ? (uint128)integer_power_of_five[five_exponent]
                       : (uint128)integer_power_of_five[INTEGER_POWER_OF_FIVE_MAX] *
                             integer_power_of_five[five_exponent - INTEGER_POWER_OF_FIVE_MAX];
    /* value / 10^scale = center / 2^shift; the ends are center - five and
     * center + five (lopsided: + 2 * five, with center and shift doubled). */
    uint64_t units = lopsided ? 4 : 2;
    uint128 center = (uint128)(units * mantissa) * five;  /* < 2^55 * 5^31 < 2^128 */
    uint128 lower = center - five;
    uint128 upper = center + (lopsided ? 2 * five : five);
    int shift = (lopsided ? 2 : 1) - binary_exponent - five_exponent;
    if (shift >= 128 || shift < -8) return 0;
    bool ends_included = (mantissa & 1) == 0;
    uint64_t low, high, integer_part;
    uint128 fraction_part = 0, half_unit = 0;
    if (shift <= 0) {
        low = (uint64_t)(lower << -shift) + !ends_included;
        high = (uint64_t)(upper << -shift) - !ends_included;
        integer_part = (uint64_t)(center << -shift);
    } else {
        uint128 mask = ((uint128)1 << shift) - 1;
        low = (uint64_t)(lower >> shift) + ((lower & mask) != 0 || !ends_included);
        high = (uint64_t)(upper >> shift) - ((upper & mask) == 0 && !ends_included);
        integer_part = (uint64_t)(center >> shift);
        fraction_part = center & mask;
        half_unit = (uint128)1 << (shift - 1);
    }
    if (low > high) return 0;
    /* The largest t with a multiple of 10^t in [low, high]: every 10^t up to
     * the width + 1 has one; past it there is at most one multiple, and its
     * trailing zeros say how far it goes. */
    uint64_t width = high - low;
    int largest = 0;
    while (largest < INTEGER_POWER_OF_TEN_MAX && integer_power_of_ten[largest + 1] <= width + 1) largest++;
    uint64_t kept = 0;
    if (largest < INTEGER_POWER_OF_TEN_MAX) {
        uint64_t quotient = divide_by_power_of_ten(high, largest + 1);
        if (quotient != 0 && quotient * integer_power_of_ten[largest + 1] >= low) {
            largest++;
            kept = strip_trailing_zeros(quotient, &largest);
        }
    }
    int removed = largest;
    /* In a symmetric interval a lone multiple is the nearest one; else find
     * the nearest multiple, stepping down while a lopsided interval misses it. */
    if (kept == 0 || lopsided) {
        for (;;) {
            kept = nearest_multiple(integer_part, fraction_part, half_unit, shift, removed);
            uint64_t candidate = kept * integer_power_of_ten[removed];
            if (kept != 0 && candidate >= low && candidate <= high) break;
            if (!lopsided || removed == 0) return 0;  /* cannot happen: left to the slow path */
            removed--;
        }
        kept = strip_trailing_zeros(kept, &removed);
    }
    int exponent = scale + removed + (int)decimal_digit_count(kept) - 1;
    return write_layout(signbit(value), kept, exponent, fixed_notation(fabs(value)), out);
}

/* Slow path: shortest %.*e that round-trips, then the canonical layout. */
static size_t format_slow(double value, char *out) {
    char scientific[40];
    int precision = 0;
    for (; precision <= 16; precision++) {
        snprintf(scientific, sizeof scientific, "%.*e", precision, value);
        if (strtod(scientific, NULL) == value) break;
    }
    assert(precision <= 16);
    /* scientific is [-]d[.ddd]e(+|-)XX */
    const char *cursor = scientific;
    bool negative = (*cursor == '-');
    if (negative) cursor++;
    uint64_t significand = 0; /* at most 17 digits */
    for (; *cursor != 'e'; cursor++)
        if (*cursor != '.') significand = significand * 10 + (uint64_t)(*cursor - '0');
    int exponent = atoi(cursor + 1);
    while (significand % 10 == 0) significand /= 10;
    return write_layout(negative, significand, exponent, fixed_notation(fabs(value)), out);
}

size_t number_format(double value, char out[NUMBER_TEXT_CAPACITY]) {
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
    size_t length = format_fifteen(value, out);
    if (length == 0) length = format_exact(value, out);
    if (length == 0) length = format_slow(value, out);
    assert(length > 0 && length < NUMBER_TEXT_CAPACITY);
    return length;
}

enum {
    PARSE_SIGNIFICANT_MAX = 19,     /* decimal digits a uint64_t always holds */
    PARSE_EXPONENT_LIMIT = 100000   /* beyond this the exponent is left to strtod */
};


size_t number_format_fixed(double value, int decimals, char *out, size_t capacity) {
    assert(decimals >= 0 && decimals <= NUMBER_FIXED_DECIMALS_MAX && capacity >= NUMBER_TEXT_CAPACITY);
    /* Exact in integers while value * 10^decimals < 2^63; printf beyond. */
    double magnitude = fabs(value);
    if (!(magnitude < 9.2e18 / integer_power_of_ten[decimals])) {
        int length = snprintf(out, capacity, "%.*f", decimals, value);
        return length < 0 ? 0 : (size_t)length < capacity ? (size_t)length : capacity - 1;
    }
    uint64_t bits;
    memcpy(&bits, &value, sizeof bits);
    int biased_exponent = (int)((bits >> 52) & 0x7ff);
    uint64_t mantissa = bits & ((UINT64_C(1) << 52) - 1);
    if (biased_exponent != 0) mantissa |= UINT64_C(1) << 52;
    int binary_exponent = (biased_exponent != 0 ? biased_exponent : 1) - 1075;
    /* magnitude * 10^decimals = scaled * 2^binary_exponent, rounded to an
     * integer like printf: to nearest, an exact half to even. */
    uint128 scaled = (uint128)mantissa * integer_power_of_ten[decimals];
    uint64_t rounded;
    if (binary_exponent >= 0) {
        rounded = (uint64_t)(scaled << binary_exponent);
    } else if (binary_exponent <= -127) {
        rounded = 0; /* below 2^-73: far under half a unit */
    } else {
        int shift = -binary_exponent;
        uint128 remainder = scaled & (((uint128)1 << shift) - 1);
        uint128 half = (uint128)1 << (shift - 1);
        rounded = (uint64_t)(scaled >> shift);
        if (remainder > half || (remainder == half && (rounded & 1) != 0)) rounded++;
    }
    /* Constant divisors (divide_by_power_of_ten): a variable one is a slow divide. */
    uint64_t integer = divide_by_power_of_ten(rounded, decimals);
    uint64_t fraction = rounded - integer * integer_power_of_ten[decimals];
    size_t length = 0;
    if (signbit(value)) out[length++] = '-';
    length += write_unsigned(integer, out + length);
    if (decimals > 0) {
        out[length++] = '.';
        memset(out + length, '0', (size_t)decimals); /* leading zeros of the fraction */
        put_digits(fraction, (size_t)decimals, out + length);
        length += (size_t)decimals;
    }
    out[length] = '\0';
    return length;
}

/* The common cell, [-]DIGITS[.DIGITS] with at most 19 digits: one pass,
 * one IEEE operation. False (nothing written) for anything else, which
 * number_parse then reads the long way. */
static bool parse_short_decimal(const char *text, size_t length, double *value) {
    const char *cursor = text, *end = text + length;
    bool negative = *cursor == '-';
    cursor += negative;
    uint64_t significand = 0;
    const char *digits = cursor;
    while (cursor < end && (unsigned)(*cursor - '0') < 10) significand = significand * 10 + (uint64_t)(*cursor++ - '0');
    size_t integer_digits = (size_t)(cursor - digits), fraction_digits = 0;
    if (cursor < end && *cursor == '.') {
        const char *fraction = ++cursor;
        while (cursor < end && (unsigned)(*cursor - '0') < 10)
            significand = significand * 10 + (uint64_t)(*cursor++ - '0');
        fraction_digits = (size_t)(cursor - fraction);
    }
    size_t digit_count = integer_digits + fraction_digits;
    /* 19 digits cannot overflow; exact below 2^53 and 10^22. */
    if (cursor != end || digit_count == 0 || digit_count > 19 || significand > (UINT64_C(1) << 53) ||
        fraction_digits > EXACT_POWER_OF_TEN_MAX)
        return false;
    double magnitude = (double)significand / power_of_ten[fraction_digits];
    *value = negative ? -magnitude : magnitude;
    return true;
}

bool number_parse(const char *text, size_t length, double *value) {
    char copy[80];
    if (length == 0 || length >= sizeof copy) return false;
    if (parse_short_decimal(text, length, value)) return true;
    size_t index = 0;
    bool negative = text[index] == '-';
    if (text[index] == '-' || text[index] == '+') index++;
    /* The digits as significand * 10^decimal_shift: leading zeros are not
     * significant, at most PARSE_SIGNIFICANT_MAX digits are kept, and exact
     * turns false when one is dropped. */
    uint64_t significand = 0;
    int significant_digits = 0, decimal_shift = 0;
    bool exact = true;
    size_t integer_start = index;
    for (; index < length; index++) {
        unsigned digit = (unsigned)(unsigned char)text[index] - '0';
        if (digit > 9) break;
        if (significant_digits == PARSE_SIGNIFICANT_MAX) {
            exact = false;
            continue;
        }
        significand = significand * 10 + digit;
        significant_digits += significand != 0;
    }
    size_t integer_digits = index - integer_start;
    size_t fraction_digits = 0;
    if (index < length && text[index] == '.') {
        index++;
        size_t fraction_start = index;
        for (; index < length; index++) {
            unsigned digit = (unsigned)(unsigned char)text[index] - '0';
            if (digit > 9) break;
            if (significant_digits == PARSE_SIGNIFICANT_MAX) {
                exact = false;
                continue;
            }
            significand = significand * 10 + digit;
            significant_digits += significand != 0;
            decimal_shift--;
        }
        fraction_digits = index - fraction_start;
    }
    if (integer_digits + fraction_digits == 0) return false;
    long exponent = 0;
    if (index < length && (text[index] == 'e' || text[index] == 'E')) {
        index++;
        bool exponent_negative = index < length && text[index] == '-';
        if (index < length && (text[index] == '-' || text[index] == '+')) index++;
        size_t exponent_start = index;
        while (index < length && text[index] >= '0' && text[index] <= '9') {
            if (exponent < PARSE_EXPONENT_LIMIT) exponent = exponent * 10 + (text[index] - '0');
            index++;
        }
        if (index == exponent_start) return false;
        if (exponent_negative) exponent = -exponent;
    }
    if (index != length) return false;
    long decimal_exponent = exponent + decimal_shift;
    if (exact && significand == 0) {
        *value = negative ? -0.0 : 0.0;
        return true;
    }
    if (exact && significand <= (UINT64_C(1) << 53) && decimal_exponent >= -EXACT_POWER_OF_TEN_MAX &&
        decimal_exponent <= EXACT_POWER_OF_TEN_MAX) {
        /* Both operands are exact doubles: one IEEE operation rounds correctly. */
        double magnitude = decimal_exponent < 0 ? (double)significand / power_of_ten[-decimal_exponent]
                                                : (double)significand * power_of_ten[decimal_exponent];
        *value = negative ? -magnitude : magnitude;
        return true;
    }
    memcpy(copy, text, length);
    copy[length] = '\0';
    double parsed = strtod(copy, NULL);
    if (!isfinite(parsed)) return false;
    *value = parsed;
    return true;
}

/* Reads exactly count digits at text into *out. */
static bool read_digits(const char *text, int count, int *out) {
    int result = 0;
    for (int index = 0; index < count; index++) {
        if (text[index] < '0' || text[index] > '9') return false;
        result = result * 10 + (text[index] - '0');
    }
    *out = result;
    return true;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * days_from_civil), exact for every year this format can carry. */
static int64_t days_from_civil(int64_t year, int month, int day) {
    year -= month <= 2;
    int64_t era = (year >= 0 ? year : year - 399) / 400;
    int64_t year_of_era = year - era * 400;
    int64_t day_of_year = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    return era * 146097 + day_of_era - 719468;
}

static int days_in_month(int year, int month) {
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return month == 2 && leap ? 29 : days[month - 1];
}

bool number_parse_timestamp(const char *text, size_t length, double *epoch_seconds) {
    if (length < 20 || text[4] != '-') {
        double value;
        if (!number_parse(text, length, &value) || value < 0) return false;
        *epoch_seconds = value;
        return true;
    }
    int year, month, day, hour, minute, second;
    if (!read_digits(text, 4, &year) || !read_digits(text + 5, 2, &month) || text[7] != '-' ||
        !read_digits(text + 8, 2, &day) || text[10] != 'T' || !read_digits(text + 11, 2, &hour) ||
        text[13] != ':' || !read_digits(text + 14, 2, &minute) || text[16] != ':' ||
        !read_digits(text + 17, 2, &second))
        return false;
    if (year < 1970 || month < 1 || month > 12 || day < 1 || day > days_in_month(year, month) ||
        hour > 23 || minute > 59 || second > 59)
        return false;
    size_t index = 19;
    double fraction = 0;
    if (text[index] == '.') {
        size_t start = ++index;
        while (index < length && text[index] >= '0' && text[index] <= '9') index++;
        if (index == start || index - start > 9) return false;
        if (!number_parse(text + start - 1, index - start + 1, &fraction)) return false;
    }
    if (index + 1 != length || text[index] != 'Z') return false;
    int64_t days = days_from_civil(year, month, day);
    *epoch_seconds = (double)(days * 86400 + hour * 3600 + minute * 60 + second) + fraction;
    return true;
}
