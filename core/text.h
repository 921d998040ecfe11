/* text.h -- bounded copies and compares of text.
 *
 * snprintf(out, capacity, "%s", text) says the same as text_copy but costs
 * a format parse per call, and memcmp is a call where text_same_bytes is
 * inline; the kernel and the scenario reader do these several times per
 * event or row. */
#ifndef LEDGERSIM_CORE_TEXT_H
#define LEDGERSIM_CORE_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* Copies text into out (capacity bytes, at least 1): at most capacity - 1
 * bytes, then a NUL, as snprintf would. Returns the bytes copied. The
 * caller owns both; they must not overlap. */
size_t text_copy(char *out, size_t capacity, const char *text);

/* The length (2 to 4) of the well-formed UTF-8 sequence of a non-ASCII
 * character at bytes[0..available), or 0 when there is none there (an
 * ASCII byte, a stray continuation byte, an overlong form, a surrogate,
 * past U+10FFFF, or cut short). Symbols may hold such characters: Binance
 * lists some (`币安人生USDT`, since 2025-10). */
size_t text_utf8_sequence_length(const unsigned char *bytes, size_t available);

/* strcmp(a, b) == 0 with the first bytes compared inline: the ids and
 * symbols compared on hot paths mostly differ there (or are empty). */
static inline bool text_equal(const char *a, const char *b) {
    return a[0] == b[0] && (a[0] == '\0' || strcmp(a + 1, b + 1) == 0);
}

/* Whether the first length bytes of a and b are equal (memcmp(a, b,
 * length) == 0). When length is at most 16, both must have 16 readable
 * bytes (a fixed-size array, or a cell of the scenario reader's padded
 * input). */
static inline bool text_same_bytes(const char *a, const char *b, size_t length) {
#if defined(__SSE2__)
    if (length <= 16) {
        __m128i equal = _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)a),
                                       _mm_loadu_si128((const __m128i *)(const void *)b));
        unsigned wanted = (1u << length) - 1;
        return ((unsigned)_mm_movemask_epi8(equal) & wanted) == wanted;
    }
#endif
    return memcmp(a, b, length) == 0;
}

#endif
