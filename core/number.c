/* number.c -- canonical double text and strict parsing. See number.h. */
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

/* Writes the decimal digits of magnitude (< 1e16) and returns their count. */
static size_t write_unsigned(uint64_t magnitude, char *out) {
    char reversed[24];
    size_t count = 0;
    do {
        reversed[count++] = (char)('0' + magnitude % 10);
        magnitude /= 10;
    } while (magnitude != 0);
    for (size_t index = 0; index < count; index++) out[index] = reversed[count - 1 - index];
    return count;
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

/* Fast path: a value that is m / 10^k with |m| < 1e15 and k <= 15. At 15
 * significant digits or fewer the decimal candidate is unique (decimal
 * spacing exceeds one ulp), and m / 10^k in IEEE division is the correctly
 * rounded value strtod would return, so the test below is exact. */
static size_t format_fast(double value, char *out) {
    double magnitude = fabs(value);
    if (magnitude < 1e-5 || magnitude >= 1e15) return 0;
    for (int decimals = 0; decimals <= 15; decimals++) {
        double scaled = value * power_of_ten[decimals];
        if (fabs(scaled) >= 1e15) return 0;
        double rounded = nearbyint(scaled);
        if (rounded / power_of_ten[decimals] == value) return write_fixed((int64_t)rounded, decimals, out);
    }
    return 0;
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
    size_t length = format_fast(value, out);
    if (length == 0) length = format_slow(value, out);
    assert(length > 0 && length < NUMBER_TEXT_CAPACITY);
    return length;
}

bool number_parse(const char *text, size_t length, double *value) {
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
