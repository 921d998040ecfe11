/* number_cache.c -- see number_cache.h. */
#include "io/number_cache.h"

#include <stdint.h>
#include <string.h>

enum { NUMBER_CACHE_BITS = 10, NUMBER_CACHE_SLOTS = 1 << NUMBER_CACHE_BITS }; /* 40 KiB */

typedef struct {
    uint64_t bits;                    /* the value's IEEE-754 bits */
    unsigned char length;             /* 0: the slot is empty (every text has a byte) */
    char text[NUMBER_TEXT_CAPACITY];  /* NUL-terminated */
} number_cache_slot;

static number_cache_slot number_cache[NUMBER_CACHE_SLOTS];

size_t number_cache_format(double value, char out[NUMBER_TEXT_CAPACITY]) {
    uint64_t bits;
    memcpy(&bits, &value, sizeof bits);
    /* Fibonacci hashing: the top bits of bits times 2^64 / golden ratio. */
    number_cache_slot *slot = &number_cache[(bits * UINT64_C(0x9E3779B97F4A7C15)) >> (64 - NUMBER_CACHE_BITS)];
    if (slot->length != 0 && slot->bits == bits) {
        memcpy(out, slot->text, NUMBER_TEXT_CAPACITY);
        return slot->length;
    }
    size_t length = number_format(value, out);
    slot->bits = bits;
    slot->length = (unsigned char)length;
    memcpy(slot->text, out, NUMBER_TEXT_CAPACITY);
    return length;
}

