/* book.h -- the kernel's own position book, folded from fills.
 *
 * One entry per symbol ever seen (flat ones keep their mark and leverage),
 * sorted by symbol so that every output iterates in the same order. The fold
 * rules are those of the scenario format: averaging, reduce, flip. */
#ifndef LEDGERSIM_CORE_BOOK_H
#define LEDGERSIM_CORE_BOOK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/limits.h"

typedef struct {
    char symbol[SYMBOL_CAPACITY];
    double qty;            /* signed: > 0 long, < 0 short, 0 flat */
    double entry_price;    /* average entry; 0 when flat */
    double leverage;       /* from the last fill that gave one; default 1 */
    bool has_mark;
    double mark;           /* the kernel's last mark (may be NaN after a corrupt frame) */
    double created_ts;     /* when the current position opened (or flipped) */
    double updated_ts;     /* when its quantity last changed */
} book_position;

typedef struct {
    book_position positions[SYMBOLS_MAX];
    uint64_t keys[SYMBOLS_MAX];  /* the first 8 bytes of each symbol, big-endian: a search compares these first */
    size_t count;
} position_book;

/* Empties the book. */
void book_init(position_book *book);

/* Returns the entry of symbol, or NULL when the book has never seen it. */
const book_position *book_find(const position_book *book, const char *symbol);

/* Returns the entry of symbol, inserting a flat one (sorted) when it is new.
 * Returns NULL when the book already holds SYMBOLS_MAX symbols. */
book_position *book_entry(position_book *book, const char *symbol) WARN_UNUSED_RESULT;

/* book_entry, trying the index *hint first (where symbol was found
 * before: a stream of marks names its symbols in the same order event after
 * event) and setting it to where symbol is. symbol must have 16 readable
 * bytes (a SYMBOL_CAPACITY array). */
book_position *book_entry_hinted(position_book *book, const char *symbol, size_t *hint) WARN_UNUSED_RESULT;

/* book_find, trying the index hint first (symbol as above). */
const book_position *book_find_hinted(const position_book *book, const char *symbol, size_t hint);

/* Folds a fill of side (+1 BUY, -1 SELL), quantity (> 0) and price into the
 * position: same direction averages, opposite reduces, past zero flips and
 * opens the remainder at price. A reduce or flip that leaves less than a
 * billionth of the position (floating-point residue) closes it flat. */
void book_apply_fill(book_position *position, int side, double quantity, double price, double ts);

/* The PnL a fill of side, quantity and price realizes on position before
 * it is folded: (price - entry) * closed quantity, positive for a long
 * (the venue's own formula, operation for operation); 0 when it does not
 * reduce. Non-finite inputs give a non-finite result. */
double book_fill_realized(const book_position *position, int side, double quantity, double price);

/* Unrealized PnL: (mark - entry) * qty with the last mark, 0 without one. */
double book_unrealized_pnl(const book_position *position);

/* Number of symbols with a non-zero quantity. */
size_t book_open_count(const position_book *book);

#endif
