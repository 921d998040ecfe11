/* test_book.c -- core/book.c: the kernel's position book and the scenario
 * format's fold rules (averaging, reduce, reduce to flat, flip), its
 * unrealized PnL, and the notional the projection reads from it with and
 * without a mark. Expected values are computed by hand. */
#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/book.h"
#include "core/config.h"
#include "core/text.h"
#include "core/projection.h"

/* A fresh book holding one entry for symbol; returns that entry. */
static book_position *single_entry(position_book *book, const char *symbol) {
    book_init(book);
    book_position *position = book_entry(book, symbol);
    ck_assert_ptr_nonnull(position);
    return position;
}

START_TEST(test_entry_inserts_sorted_and_finds) {
    position_book book;
    book_init(&book);
    ck_assert_uint_eq(book.count, 0);
    ck_assert_ptr_null(book_find(&book, "BTCUSDT"));
    const char *const symbols[] = {"SOLUSDT", "BTCUSDT", "XRPUSDT", "ETHUSDT", "ADAUSDT"};
    for (size_t index = 0; index < 5; index++) ck_assert_ptr_nonnull(book_entry(&book, symbols[index]));
    ck_assert_uint_eq(book.count, 5);
    const char *const sorted[] = {"ADAUSDT", "BTCUSDT", "ETHUSDT", "SOLUSDT", "XRPUSDT"};
    for (size_t index = 0; index < 5; index++) ck_assert_str_eq(book.positions[index].symbol, sorted[index]);
    /* a new entry is flat with leverage 1 and no mark */
    const book_position *eth = book_find(&book, "ETHUSDT");
    ck_assert_ptr_nonnull(eth);
    ck_assert(eth->qty == 0 && eth->entry_price == 0 && eth->leverage == 1 && !eth->has_mark);
    /* the same symbol gives the same entry */
    book_position *again = book_entry(&book, "ETHUSDT");
    ck_assert_ptr_eq(again, eth);
    ck_assert_uint_eq(book.count, 5);
    ck_assert_ptr_null(book_find(&book, "DOGEUSDT"));
}
END_TEST

START_TEST(test_entry_keeps_fields_when_others_insert) {
    position_book book;
    book_init(&book);
    book_position *sol = book_entry(&book, "SOLUSDT");
    ck_assert_ptr_nonnull(sol);
    book_apply_fill(sol, 1, 3, 150, 10);
    sol->has_mark = true;
    sol->mark = 155;
    ck_assert_ptr_nonnull(book_entry(&book, "ADAUSDT")); /* inserted before SOL: SOL moves */
    const book_position *moved = book_find(&book, "SOLUSDT");
    ck_assert(moved->qty == 3 && moved->entry_price == 150 && moved->has_mark && moved->mark == 155);
}
END_TEST

START_TEST(test_entry_full_book) {
    position_book *book = malloc(sizeof *book);
    ck_assert_ptr_nonnull(book);
    book_init(book);
    char symbol[SYMBOL_CAPACITY];
    for (int index = 0; index < SYMBOLS_MAX; index++) {
        snprintf(symbol, sizeof symbol, "S%03dUSDT", SYMBOLS_MAX - 1 - index);
        ck_assert_ptr_nonnull(book_entry(book, symbol));
    }
    ck_assert_uint_eq(book->count, SYMBOLS_MAX);
    ck_assert_ptr_null(book_entry(book, "NEWUSDT"));
    ck_assert_ptr_nonnull(book_entry(book, "S000USDT")); /* existing ones still resolve */
    ck_assert_str_eq(book->positions[0].symbol, "S000USDT");
    ck_assert_str_eq(book->positions[SYMBOLS_MAX - 1].symbol, "S255USDT");
    free(book);
}
END_TEST

START_TEST(test_fill_opens_and_averages_long) {
    position_book book;
    book_position *position = single_entry(&book, "BTCUSDT");
    book_apply_fill(position, 1, 1, 100, 5);
    ck_assert(position->qty == 1 && position->entry_price == 100);
    ck_assert(position->created_ts == 5 && position->updated_ts == 5);
    book_apply_fill(position, 1, 3, 200, 6); /* (1*100 + 3*200) / 4 = 175 */
    ck_assert(position->qty == 4 && position->entry_price == 175);
    ck_assert(position->created_ts == 5 && position->updated_ts == 6);
}
END_TEST

START_TEST(test_fill_opens_and_averages_short) {
    position_book book;
    book_position *position = single_entry(&book, "ETHUSDT");
    book_apply_fill(position, -1, 2, 100, 1);
    ck_assert(position->qty == -2 && position->entry_price == 100);
    book_apply_fill(position, -1, 2, 50, 2); /* (2*100 + 2*50) / 4 = 75 */
    ck_assert(position->qty == -4 && position->entry_price == 75);
}
END_TEST

START_TEST(test_fill_reduces_keeping_entry) {
    position_book book;
    book_position *position = single_entry(&book, "BTCUSDT");
    book_apply_fill(position, 1, 4, 175, 1);
    book_apply_fill(position, -1, 1, 300, 2);
    ck_assert(position->qty == 3 && position->entry_price == 175);
    ck_assert(position->created_ts == 1 && position->updated_ts == 2);
    /* a short reduced by a buy */
    book_position *short_position = single_entry(&book, "ETHUSDT");
    book_apply_fill(short_position, -1, 5, 80, 1);
    book_apply_fill(short_position, 1, 2, 60, 2);
    ck_assert(short_position->qty == -3 && short_position->entry_price == 80);
}
END_TEST

START_TEST(test_fill_reduces_to_flat) {
    position_book book;
    book_position *position = single_entry(&book, "BTCUSDT");
    book_apply_fill(position, 1, 0.5, 40000, 1);
    book_apply_fill(position, -1, 0.5, 41000, 2);
    ck_assert(position->qty == 0);
    ck_assert(position->entry_price == 0);
    ck_assert(position->updated_ts == 2);
    ck_assert_uint_eq(book_open_count(&book), 0);
    /* reopening from flat averages against nothing: entry is the new price */
    book_apply_fill(position, -1, 2, 39000, 3);
    ck_assert(position->qty == -2 && position->entry_price == 39000);
    ck_assert(position->created_ts == 3);
}
END_TEST

START_TEST(test_fill_residue_closes_flat) {
    /* The format's residue rule: 0.1 + 0.2 closed by 0.3 leaves
     * 0.30000000000000004 - 0.3 = 5.6e-17 in binary, which is flat. */
    position_book book;
    book_position *position = single_entry(&book, "BTCUSDT");
    book_apply_fill(position, 1, 0.1, 100, 1);
    book_apply_fill(position, 1, 0.2, 100, 2);
    ck_assert(position->qty != 0.3); /* the residue is there */
    book_apply_fill(position, -1, 0.3, 110, 3);
    ck_assert(position->qty == 0 && position->entry_price == 0);
    ck_assert_uint_eq(book_open_count(&book), 0);
    /* a short the other way: 0.3 - 0.1 - 0.2 is -2.8e-17, a reduce past zero by residue */
    book_position *short_position = single_entry(&book, "ETHUSDT");
    book_apply_fill(short_position, -1, 0.3, 50, 1);
    book_apply_fill(short_position, 1, 0.1, 50, 2);
    book_apply_fill(short_position, 1, 0.2, 50, 3);
    ck_assert(short_position->qty == 0 && short_position->entry_price == 0);
    /* the residue bound is relative: x - |q| = 1e-9 * x still reduces ... */
    book_position *edge = single_entry(&book, "SOLUSDT");
    book_apply_fill(edge, 1, 1000, 10, 1);
    book_apply_fill(edge, -1, 1000.000001, 11, 2); /* 1e-6 over, below 1e-9 * 1000.000001 */
    ck_assert(edge->qty == 0 && edge->entry_price == 0 && edge->created_ts == 1);
    /* ... and a real remainder still flips or stays open */
    book_position *real = single_entry(&book, "XRPUSDT");
    book_apply_fill(real, 1, 1000, 10, 1);
    book_apply_fill(real, -1, 1000.01, 11, 2);
    ck_assert(fabs(real->qty + 0.01) < 1e-9 && real->entry_price == 11 && real->created_ts == 2);
    book_apply_fill(real, 1, 0.01 - 1e-6, 12, 3); /* leaves -1e-6: 1e-4 of the size reduced, not residue */
    ck_assert(real->qty < 0 && real->entry_price == 11);
}
END_TEST

START_TEST(test_fill_residue_exact_bounds) {
    /* Both residue bounds hold with equality (the format says <=). The
     * numbers are exact in binary: 1e-9 * 953.67431640625 rounds to exactly
     * 2^-20 = 9.5367431640625e-07, and 953.67431640625 - 2^-20 is
     * 953.6743154525757 with no rounding. */
    const double size = 953.67431640625;
    const double less = 953.6743154525757;
    const double residue = 9.5367431640625e-07;
    ck_assert(size - less == residue && 1e-9 * size == residue);
    position_book book;
    /* x - |q| = 1e-9 * x exactly: a reduce, not a flip. It leaves |q| =
     * 1e-9 * x, more than 1e-9 of the size it reduced, so not flat: the
     * entry price stays and no new position opens at the fill price. */
    book_position *over = single_entry(&book, "BTCUSDT");
    book_apply_fill(over, 1, less, 100, 1);
    book_apply_fill(over, -1, size, 120, 2);
    ck_assert(over->qty == -residue);
    ck_assert(over->entry_price == 100 && over->created_ts == 1);
    /* a reduce that leaves |q| = 1e-9 * the size it reduced exactly is flat */
    book_position *under = single_entry(&book, "ETHUSDT");
    book_apply_fill(under, -1, size, 100, 1);
    book_apply_fill(under, 1, less, 90, 2);
    ck_assert(under->qty == 0 && under->entry_price == 0);
}
END_TEST

START_TEST(test_reinitialized_book_is_empty) {
    /* book_init empties a used book: the old slots past count are stale and
     * must not be found by a hint or counted open. */
    position_book book;
    book_position *position = single_entry(&book, "BTCUSDT");
    book_apply_fill(position, 1, 1, 100, 1);
    ck_assert_uint_eq(book_open_count(&book), 1);
    book_init(&book);
    ck_assert_uint_eq(book_open_count(&book), 0);
    char symbol[SYMBOL_CAPACITY];
    memset(symbol, 0, sizeof symbol);
    strcpy(symbol, "BTCUSDT");
    ck_assert_ptr_null(book_find_hinted(&book, symbol, 0));
    ck_assert_ptr_null(book_find(&book, symbol));
    size_t hint = 0;
    book_position *fresh = book_entry_hinted(&book, symbol, &hint);
    ck_assert(fresh != NULL && fresh->qty == 0 && book.count == 1);
}
END_TEST

START_TEST(test_fill_flips_long_to_short) {
    position_book book;
    book_position *position = single_entry(&book, "BTCUSDT");
    book_apply_fill(position, 1, 2, 100, 1);
    book_apply_fill(position, -1, 5, 120, 9); /* 3 past zero open at 120 */
    ck_assert(position->qty == -3);
    ck_assert(position->entry_price == 120);
    ck_assert(position->created_ts == 9 && position->updated_ts == 9);
}
END_TEST

START_TEST(test_fill_flips_short_to_long) {
    position_book book;
    book_position *position = single_entry(&book, "ETHUSDT");
    book_apply_fill(position, -1, 1.5, 2000, 1);
    book_apply_fill(position, 1, 4, 1900, 2);
    ck_assert(position->qty == 2.5);
    ck_assert(position->entry_price == 1900);
    ck_assert(position->created_ts == 2);
}
END_TEST

START_TEST(test_unrealized_pnl) {
    position_book book;
    book_position *position = single_entry(&book, "BTCUSDT");
    book_apply_fill(position, 1, 2, 100, 1);
    ck_assert(book_unrealized_pnl(position) == 0); /* no mark yet */
    position->has_mark = true;
    position->mark = 110;
    ck_assert(book_unrealized_pnl(position) == 20);
    position->mark = 90;
    ck_assert(book_unrealized_pnl(position) == -20);
    book_apply_fill(position, -1, 5, 120, 2); /* short 3 at 120 */
    position->mark = 100;
    ck_assert(book_unrealized_pnl(position) == 60); /* (100 - 120) * -3 */
    book_apply_fill(position, 1, 3, 100, 3); /* flat: entry 0, qty 0 */
    ck_assert(book_unrealized_pnl(position) == 0);
}
END_TEST

START_TEST(test_open_count) {
    position_book book;
    book_init(&book);
    const char *const symbols[] = {"BTCUSDT", "ETHUSDT", "SOLUSDT"};
    for (size_t index = 0; index < 3; index++) ck_assert_ptr_nonnull(book_entry(&book, symbols[index]));
    ck_assert_uint_eq(book_open_count(&book), 0); /* entries alone are flat */
    /* pointers are taken after the last insertion: inserting moves entries */
    book_position *btc = book_entry(&book, "BTCUSDT");
    book_position *eth = book_entry(&book, "ETHUSDT");
    book_apply_fill(btc, 1, 1, 10, 1);
    book_apply_fill(eth, -1, 1, 10, 1);
    ck_assert_uint_eq(book_open_count(&book), 2);
    book_apply_fill(eth, 1, 1, 10, 2);
    ck_assert_uint_eq(book_open_count(&book), 1);
}
END_TEST

/* The K block of a snapshot over book (a fresh default projection). */
static k_block k_block_of(const position_book *book) {
    static account_projection projection;
    kernel_config config;
    config_defaults(&config);
    projection_init(&projection, &config);
    return projection_build_snapshot(&projection, "n", 1, book)->k;
}

START_TEST(test_notional_with_and_without_mark) {
    position_book book;
    book_position *position = single_entry(&book, "BTCUSDT");
    book_apply_fill(position, -1, 0.25, 40000, 1);
    k_block k = k_block_of(&book);
    ck_assert(k.open_notional == 10000); /* |q| * e without a mark */
    ck_assert(k.unrealized_pnl == 0);
    position->has_mark = true;
    position->mark = 44000;
    k = k_block_of(&book);
    ck_assert(k.open_notional == 11000); /* |q| * mark */
    ck_assert(k.unrealized_pnl == -1000);
    /* a zero-quantity position adds nothing, whatever its mark */
    book_apply_fill(position, 1, 0.25, 44000, 2);
    k = k_block_of(&book);
    ck_assert(k.open_notional == 0 && k.unrealized_pnl == 0 && k.open_positions == 0 && k.used_margin == 0);
}
END_TEST

/* Every test of core/book.c. */
/* A symbol in a SYMBOL_CAPACITY array (the hinted lookups read 16 bytes),
 * with garbage after its NUL, as kernel arrays may have. */
static void symbol_array(char out[SYMBOL_CAPACITY], const char *symbol) {
    memset(out, 'Z', SYMBOL_CAPACITY);
    memcpy(out, symbol, strlen(symbol) + 1);
}

START_TEST(test_hinted_lookups) {
    position_book book;
    book_init(&book);
    /* Symbols that share 8-byte keys and run past 16 bytes. */
    const char *const symbols[] = {"BTCUSDT", "DOGEUSDT", "DOGEUSDTX", "AVERYLONGSYMBOLNAME_A", "AVERYLONGSYMBOLNAME_B",
                                   "ETH"};
    enum { COUNT = sizeof symbols / sizeof symbols[0] };
    char arrays[COUNT][SYMBOL_CAPACITY];
    for (size_t index = 0; index < COUNT; index++) {
        symbol_array(arrays[index], symbols[index]);
        ck_assert_ptr_nonnull(book_entry(&book, symbols[index]));
    }
    for (size_t index = 0; index < COUNT; index++) {
        const book_position *expected = book_find(&book, symbols[index]);
        ck_assert_ptr_nonnull(expected);
        /* Every hint, right, wrong or out of range, finds the same entry. */
        for (size_t hint = 0; hint <= COUNT + 3; hint++) {
            ck_assert_ptr_eq(book_find_hinted(&book, arrays[index], hint), expected);
            size_t kept = hint;
            ck_assert_ptr_eq(book_entry_hinted(&book, arrays[index], &kept), expected);
            ck_assert_str_eq(book.positions[kept].symbol, symbols[index]);
        }
    }
    ck_assert_uint_eq(book.count, COUNT);
    /* A hint made stale by an insertion before it still finds the symbol. */
    size_t hint = (size_t)(book_find(&book, "ETH") - book.positions);
    ck_assert_ptr_nonnull(book_entry(&book, "AAA"));
    char eth[SYMBOL_CAPACITY];
    symbol_array(eth, "ETH");
    ck_assert_str_eq(book_entry_hinted(&book, eth, &hint)->symbol, "ETH");
    ck_assert_str_eq(book.positions[hint].symbol, "ETH");
    /* A new symbol through the hinted entry is inserted. */
    char sol[SYMBOL_CAPACITY];
    symbol_array(sol, "SOLUSDT");
    ck_assert_ptr_null(book_find_hinted(&book, sol, 0));
    ck_assert_str_eq(book_entry_hinted(&book, sol, &hint)->symbol, "SOLUSDT");
    ck_assert_uint_eq(book.count, COUNT + 2);
}
END_TEST

/* A deterministic generator (xorshift64): the model test below draws the same
 * symbols on every run. */
static uint64_t next_random(uint64_t *state) {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    return *state;
}

/* A random symbol from a small alphabet with high-bit bytes (UTF-8 lead and
 * continuation bytes, as in 币安人生USDT), lengths around the 8- and 16-byte
 * seams of the key and the SSE compare; a shared prefix makes keys collide. */
static void random_symbol(uint64_t *state, char out[SYMBOL_CAPACITY]) {
    static const unsigned char alphabet[] = {'A', 'B', 'Y', 'Z', '0', '_', 0x7f, 0x80, 0xc3, 0xe5, 0xff};
    static const size_t lengths[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 15, 16, 17, 18, SYMBOL_CAPACITY - 1};
    size_t length = lengths[next_random(state) % (sizeof lengths / sizeof lengths[0])];
    /* A third share every byte but the last with one another. */
    size_t shared = next_random(state) % 3 == 0 ? length - 1 : 0;
    for (size_t index = 0; index < length; index++) {
        unsigned char byte = alphabet[next_random(state) % sizeof alphabet];
        out[index] = (char)(index < shared ? 'Z' : byte);
    }
    out[length] = '\0';
}

/* The book against a model (a plain array and strcmp), small books (scanned)
 * and large ones (searched): after every insertion the positions are in
 * strcmp order, held symbols are found (plainly and with any hint), absent
 * ones are not, and the keys match the symbols. */
/* An assertion for the model's inner loops: Check's own assertions each
 * write a mark point to the forked runner (a system call), which made the
 * model test cost seconds under load; this one costs a compare. */
#define REQUIRE(condition)                                                         \
    do {                                                                           \
        if (!(condition)) ck_abort_msg("seed %llu step %zu: %s", (unsigned long long)seed, step_seen, #condition); \
    } while (0)

static void check_book_model(uint64_t seed, size_t inserts) {
    position_book *book = malloc(sizeof *book);
    char (*model)[SYMBOL_CAPACITY] = calloc(SYMBOLS_MAX, SYMBOL_CAPACITY);
    size_t step_seen = 0;
    REQUIRE(book != NULL && model != NULL);
    book_init(book);
    size_t held = 0;
    uint64_t state = seed;
    for (size_t step = 0; step < inserts; step++) {
        step_seen = step;
        char symbol[SYMBOL_CAPACITY];
        memset(symbol, 'Q', sizeof symbol);
        random_symbol(&state, symbol);
        bool present = false;
        for (size_t index = 0; index < held; index++) present |= strcmp(model[index], symbol) == 0;
        REQUIRE(book_find(book, symbol) == NULL || present);
        REQUIRE((book_find(book, symbol) != NULL) == present);
        size_t hint = next_random(&state) % (book->count + 2);
        REQUIRE((book_find_hinted(book, symbol, hint) != NULL) == present);
        book_position *entry = book_entry_hinted(book, symbol, &hint);
        if (held == SYMBOLS_MAX && !present) {
            REQUIRE(entry == NULL);
            continue;
        }
        REQUIRE(entry != NULL);
        REQUIRE(strcmp(entry->symbol, symbol) == 0);
        REQUIRE(entry == &book->positions[hint]);
        if (!present) text_copy(model[held++], SYMBOL_CAPACITY, symbol);
        REQUIRE(book->count == held);
        for (size_t index = 0; index + 1 < book->count; index++)
            REQUIRE(strcmp(book->positions[index].symbol, book->positions[index + 1].symbol) < 0);
    }
    for (size_t index = 0; index < held; index++) {
        char padded[SYMBOL_CAPACITY];
        memset(padded, 'Q', sizeof padded);
        text_copy(padded, sizeof padded, model[index]);
        const book_position *found = book_find(book, padded);
        REQUIRE(found != NULL);
        REQUIRE(strcmp(found->symbol, model[index]) == 0);
        for (size_t hint = 0; hint < book->count + 2; hint += 1 + book->count / 8)
            REQUIRE(book_find_hinted(book, padded, hint) == found);
    }
    free(model);
    free(book);
}

#undef REQUIRE

START_TEST(test_book_against_model_small) {
    for (uint64_t seed = 1; seed <= 200; seed++) check_book_model(seed * 0x9e3779b97f4a7c15u, 16);
}
END_TEST

START_TEST(test_book_against_model_large) {
    for (uint64_t seed = 1; seed <= 8; seed++) check_book_model(seed * 0x9e3779b97f4a7c15u, SYMBOLS_MAX + 40);
}
END_TEST

static Suite *book_suite(void) {
    Suite *suite = suite_create("book");
    TCase *entries = tcase_create("entries");
    tcase_add_test(entries, test_entry_inserts_sorted_and_finds);
    tcase_add_test(entries, test_entry_keeps_fields_when_others_insert);
    tcase_add_test(entries, test_entry_full_book);
    tcase_add_test(entries, test_open_count);
    tcase_add_test(entries, test_hinted_lookups);
    tcase_add_test(entries, test_reinitialized_book_is_empty);
    tcase_add_test(entries, test_book_against_model_small);
    tcase_add_test(entries, test_book_against_model_large);
    suite_add_tcase(suite, entries);
    TCase *fold = tcase_create("fold");
    tcase_add_test(fold, test_fill_opens_and_averages_long);
    tcase_add_test(fold, test_fill_opens_and_averages_short);
    tcase_add_test(fold, test_fill_reduces_keeping_entry);
    tcase_add_test(fold, test_fill_reduces_to_flat);
    tcase_add_test(fold, test_fill_residue_closes_flat);
    tcase_add_test(fold, test_fill_residue_exact_bounds);
    tcase_add_test(fold, test_fill_flips_long_to_short);
    tcase_add_test(fold, test_fill_flips_short_to_long);
    tcase_add_test(fold, test_unrealized_pnl);
    tcase_add_test(fold, test_notional_with_and_without_mark);
    suite_add_tcase(suite, fold);
    return suite;
}

int main(void) {
    SRunner *runner = srunner_create(book_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
