/* quantity.c -- see quantity.h. */
#include "live/quantity.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

static const long long UNIT = 100000000LL; /* 10^QUANTITY_DECIMALS */

bool quantity_parse(const char *text, long long *units) {
    const char *cursor = text;
    bool negative = *cursor == '-';
    if (*cursor == '-' || *cursor == '+') cursor++;
    long long whole = 0, fraction = 0;
    int digits = 0, fraction_digits = 0;
    for (; *cursor >= '0' && *cursor <= '9'; cursor++, digits++) {
        if (whole > (9000000000LL - 9) / 10) return false; /* 9e9 whole units fit in 1e-8 units */
        whole = whole * 10 + (*cursor - '0');
    }
    if (*cursor == '.') {
        for (cursor++; *cursor >= '0' && *cursor <= '9'; cursor++, digits++)
            if (fraction_digits < QUANTITY_DECIMALS) {
                fraction = fraction * 10 + (*cursor - '0');
                fraction_digits++;
            }
    }
    if (*cursor != '\0' || digits == 0) return false;
    for (; fraction_digits < QUANTITY_DECIMALS; fraction_digits++) fraction *= 10;
    long long value = whole * UNIT + fraction;
    *units = negative ? -value : value;
    return true;
}

void quantity_format(long long units, char out[QUANTITY_TEXT_CAPACITY]) {
    unsigned long long magnitude = units < 0 ? (unsigned long long)(-(units + 1)) + 1 : (unsigned long long)units;
    int length = snprintf(out, QUANTITY_TEXT_CAPACITY, "%s%llu.%08llu", units < 0 ? "-" : "",
                          magnitude / (unsigned long long)UNIT, magnitude % (unsigned long long)UNIT);
    assert(length > 0 && length < QUANTITY_TEXT_CAPACITY);
    while (out[length - 1] == '0') out[--length] = '\0';
    if (out[length - 1] == '.') out[--length] = '\0';
}

size_t quantity_exit_parts(long long amount_units, const quantity_rules *rules, long long *parts, size_t capacity) {
    if (rules->step_units <= 0 || rules->max_units < rules->step_units || capacity == 0) return 0;
    long long amount = amount_units < 0 ? -amount_units : amount_units;
    long long rounded = amount / rules->step_units * rules->step_units;    /* DOWN to the step */
    long long largest = rules->max_units / rules->step_units * rules->step_units;
    if (rounded <= 0 || rounded < rules->min_units) return 0;
    size_t count = 0;
    for (long long left = rounded; left > 0 && count < capacity;) {
        long long part = left > largest ? largest : left;
        if (part < rules->min_units) break;  /* a tail below minQty cannot be sent on its own */
        parts[count++] = part;
        left -= part;
    }
    assert(count <= capacity);
    return count;
}
