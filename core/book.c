/* book.c -- see book.h. */
#include "core/book.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "core/text.h"

void book_init(position_book *book) { book->count = 0; }

/* The first 8 bytes of symbol (NUL-padded) as a big-endian integer: two
 * keys compare as strcmp compares those bytes, so most comparisons of a
 * search are one integer compare, and equal keys with a NUL in them (a
 * symbol shorter than 8 bytes) are equal symbols. */
static uint64_t symbol_key(const char *symbol) {
    const unsigned char *bytes = (const unsigned char *)symbol;
    uint64_t key = 0;
    /* Unrolled: a loop with a variable shift costs twice as much, and this
     * runs for every mark. */
#define SYMBOL_KEY_BYTE(index)                        \
    if (bytes[index] == '\0') return key;              \
    key |= (uint64_t)bytes[index] << (56 - 8 * (index));
    SYMBOL_KEY_BYTE(0) SYMBOL_KEY_BYTE(1) SYMBOL_KEY_BYTE(2) SYMBOL_KEY_BYTE(3)
    SYMBOL_KEY_BYTE(4) SYMBOL_KEY_BYTE(5) SYMBOL_KEY_BYTE(6) SYMBOL_KEY_BYTE(7)
#undef SYMBOL_KEY_BYTE
    return key;
}

enum { BOOK_SCAN_MAX = 16 }; /* books this small are scanned, not searched */

/* Binary search: the index of symbol, or of where it would be inserted. A
 * small book is scanned for the key first: a scan's branches are
 * predictable where a search's are not, and most lookups are of a symbol
 * that is there (a mark). */
static size_t book_search(const position_book *book, const char *symbol, bool *found) {
    uint64_t key = symbol_key(symbol);
    bool key_is_whole = (key & 0xff) == 0;
    if (book->count <= BOOK_SCAN_MAX) {
        for (size_t index = 0; index < book->count; index++)
            if (book->keys[index] == key && (key_is_whole || text_equal(book->positions[index].symbol + 8, symbol + 8))) {
                *found = true;
                return index;
            }
    }
    size_t low = 0;
    size_t high = book->count;
    while (low < high) {
        size_t middle = low + (high - low) / 2;
        uint64_t middle_key = book->keys[middle];
        int order = middle_key < key ? -1 : middle_key > key ? 1 : 0;
        if (order == 0 && !key_is_whole) {
            /* Bytes 8 on: the ninth inline (symbols of 8 bytes end there), then strcmp. */
            const char *rest = book->positions[middle].symbol + 8;
            order = (unsigned char)rest[0] - (unsigned char)symbol[8];
            if (order == 0 && rest[0] != '\0') order = strcmp(rest + 1, symbol + 9);
        }
        if (order == 0) {
            *found = true;
            return middle;
        }
        if (order < 0)
            low = middle + 1;
        else
            high = middle;
    }
    *found = false;
    return low;
}

const book_position *book_find(const position_book *book, const char *symbol) {
    bool found;
    size_t index = book_search(book, symbol, &found);
    return found ? &book->positions[index] : NULL;
}

book_position *book_entry(position_book *book, const char *symbol) {
    assert(strlen(symbol) < SYMBOL_CAPACITY);
    bool found;
    size_t index = book_search(book, symbol, &found);
    if (found) return &book->positions[index];
    if (book->count == SYMBOLS_MAX) return NULL;
    memmove(&book->positions[index + 1], &book->positions[index],
            (book->count - index) * sizeof book->positions[0]);
    memmove(&book->keys[index + 1], &book->keys[index], (book->count - index) * sizeof book->keys[0]);
    book->keys[index] = symbol_key(symbol);
    book->count++;
    book_position *entry = &book->positions[index];
    memset(entry, 0, sizeof *entry);
    text_copy(entry->symbol, sizeof entry->symbol, symbol);
    entry->leverage = 1.0;
    return entry;
}

/* Whether the book's symbol at index is symbol (16 readable bytes): the
 * first 16 bytes compared at once up to the first NUL. */
static bool symbol_at(const position_book *book, size_t index, const char *symbol) {
    if (index >= book->count) return false;
    const char *held = book->positions[index].symbol;
#if defined(__SSE2__)
    __m128i mine = _mm_loadu_si128((const __m128i *)(const void *)held);
    __m128i theirs = _mm_loadu_si128((const __m128i *)(const void *)symbol);
    unsigned equal = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(mine, theirs));
    unsigned ends = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(mine, _mm_setzero_si128())) | 0x10000u;
    unsigned through_end = (ends & (0u - ends)) * 2 - 1; /* the bytes up to and with the first NUL */
    if ((equal & through_end) != (through_end & 0xffffu)) return false;
    return ends != 0x10000u || strcmp(held + 16, symbol + 16) == 0;
#else
    return strcmp(held, symbol) == 0;
#endif
}

book_position *book_entry_hinted(position_book *book, const char *symbol, size_t *hint) {
    if (symbol_at(book, *hint, symbol)) return &book->positions[*hint];
    book_position *entry = book_entry(book, symbol);
    if (entry != NULL) *hint = (size_t)(entry - book->positions);
    return entry;
}

const book_position *book_find_hinted(const position_book *book, const char *symbol, size_t hint) {
    return symbol_at(book, hint, symbol) ? &book->positions[hint] : book_find(book, symbol);
}

/* Closing a position in several fills sums binary fractions (0.1 + 0.2 is
 * not 0.3): what is left below this share of the position is rounding, not
 * a position, and would otherwise live on as a phantom (counted open, given
 * TP/SL, an R3 mismatch on every snapshot). No exchange trades a lot a
 * billionth the size of the position it closes. */
static const double QUANTITY_RESIDUE_RATIO = 1e-9;

void book_apply_fill(book_position *position, int side, double quantity, double price, double ts) {
    assert(side == 1 || side == -1);
    assert(quantity > 0);
    double held = position->qty;
    double held_size = fabs(held);
    if (held == 0 || (held > 0) == (side > 0)) {
        if (held == 0) position->created_ts = ts;
        position->entry_price = (held_size * position->entry_price + quantity * price) / (held_size + quantity);
        position->qty = held + side * quantity;
    } else if (quantity <= held_size || quantity - held_size <= QUANTITY_RESIDUE_RATIO * quantity) {
        position->qty = held + side * quantity;
        if (fabs(position->qty) <= QUANTITY_RESIDUE_RATIO * held_size) position->qty = 0;
        if (position->qty == 0) position->entry_price = 0;
    } else {
        position->qty = side * (quantity - held_size);
        position->entry_price = price;
        position->created_ts = ts;
    }
    position->updated_ts = ts;
}

double book_fill_realized(const book_position *position, int side, double quantity, double price) {
    assert(side == 1 || side == -1);
    double held = position->qty;
    if (held == 0 || (held > 0) == (side > 0)) return 0.0;
    double closed = quantity < fabs(held) ? quantity : fabs(held);
    return closed * (price - position->entry_price) * (held > 0 ? 1.0 : -1.0);
}

double book_unrealized_pnl(const book_position *position) {
    if (!position->has_mark) return 0.0;
    return (position->mark - position->entry_price) * position->qty;
}

size_t book_open_count(const position_book *book) {
    size_t open = 0;
    for (size_t index = 0; index < book->count; index++) open += book->positions[index].qty != 0;
    return open;
}
