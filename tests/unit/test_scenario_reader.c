/* test_scenario_reader.c -- sim/scenario.c: the plain-line fast path (SSE2
 * comma masks, the short-line split, rows that touch only their non-empty
 * cells) must read every file exactly as libcsv does. Seeded random files
 * (rows of every exchange-fact type, empty and full cells, quoted cells,
 * CRLF, lines around 64 bytes, cells over the limit, bad numbers) are read
 * twice, once with plain_lines_off, and every row and error must match. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/scenario.h"

enum { FILES = 300, ROWS_PER_FILE = 120 };

static uint64_t next_random(uint64_t *state) {
    /* xorshift64*: deterministic by seed. */
    *state ^= *state >> 12;
    *state ^= *state << 25;
    *state ^= *state >> 27;
    return *state * UINT64_C(2685821657736338717);
}

static unsigned below(uint64_t *state, unsigned bound) { return (unsigned)(next_random(state) % bound); }

static const char header[] = "ts,event_id,type,symbol,side,qty,price,fee,realized_pnl,wallet_balance,used_margin,"
                             "entry_price,mark_price,unrealized_pnl,leverage,key,value";
enum { FIELDS = 17 };

/* A cell: mostly valid for its column, sometimes odd (quoted, long, bad). */
static void write_cell(FILE *file, uint64_t *state, int field, const char *text) {
    unsigned roll = below(state, 100);
    if (roll < 3 && text[0] != '\0') {
        fprintf(file, "\"%s\"", text); /* quoted: libcsv's path for this line */
        return;
    }
    if (roll == 3 && field == 3) {
        for (int index = 0; index < 40; index++) fputc('S', file); /* a symbol over 31 bytes */
        return;
    }
    if (roll == 4 && field == 6) {
        fputs("12.5abc", file); /* not a number */
        return;
    }
    fputs(text, file);
}

static void write_row(FILE *file, uint64_t *state, double *ts, long event) {
    static const char *const symbols[] = {"BTCUSDT", "ETHUSDT", "DOGEUSDT", "AVAXUSDT", "X", "LONGERSYMBOL_USDT"};
    char cells[FIELDS][64];
    for (int field = 0; field < FIELDS; field++) cells[field][0] = '\0';
    *ts += below(state, 3) * 0.25 + below(state, 7) * 0.001; /* a last digit that matters */
    snprintf(cells[0], sizeof cells[0], "%.3f", *ts);
    if (below(state, 4) != 0) snprintf(cells[1], sizeof cells[1], "e%ld", event);
    const char *symbol = symbols[below(state, 6)];
    switch (below(state, 4)) {
    case 0: /* mark */
        snprintf(cells[2], sizeof cells[2], "mark");
        snprintf(cells[3], sizeof cells[3], "%s", symbol);
        snprintf(cells[6], sizeof cells[6], "%u.%u", 1 + below(state, 99999), below(state, 100));
        break;
    case 1: /* fill */
        snprintf(cells[2], sizeof cells[2], "fill");
        snprintf(cells[3], sizeof cells[3], "%s", symbol);
        snprintf(cells[4], sizeof cells[4], "%s", below(state, 2) ? "BUY" : "SELL");
        snprintf(cells[5], sizeof cells[5], "0.%u", 1 + below(state, 999));
        snprintf(cells[6], sizeof cells[6], "%u", 1 + below(state, 99999));
        if (below(state, 2)) snprintf(cells[7], sizeof cells[7], "0.%u", below(state, 99));
        if (below(state, 2)) snprintf(cells[8], sizeof cells[8], "-%u.5", below(state, 99));
        if (below(state, 2)) snprintf(cells[14], sizeof cells[14], "%u", 1 + below(state, 20));
        break;
    case 2: /* balance */
        snprintf(cells[2], sizeof cells[2], "balance");
        snprintf(cells[9], sizeof cells[9], "%u.%u", below(state, 50000), below(state, 1000));
        if (below(state, 2)) snprintf(cells[10], sizeof cells[10], "%u", below(state, 5000));
        break;
    default: /* position */
        snprintf(cells[2], sizeof cells[2], "position");
        snprintf(cells[3], sizeof cells[3], "%s", symbol);
        snprintf(cells[5], sizeof cells[5], "%s%u", below(state, 2) ? "-" : "", below(state, 10));
        snprintf(cells[11], sizeof cells[11], "%u.%u", 1 + below(state, 999), below(state, 10));
        if (below(state, 2)) snprintf(cells[12], sizeof cells[12], "%u", 1 + below(state, 999));
        if (below(state, 2)) snprintf(cells[13], sizeof cells[13], "%u.25", below(state, 99));
        break;
    }
    for (int field = 0; field < FIELDS; field++) {
        if (field > 0) fputc(',', file);
        write_cell(file, state, field, cells[field]);
    }
    fputs(below(state, 50) == 0 ? "\r\n" : "\n", file);
}

/* Writes one random scenario file; returns its path (static buffer). */
static const char *write_file(uint64_t seed) {
    static char path[64];
    snprintf(path, sizeof path, "/tmp/ledgersim-reader-%d.csv", (int)getpid());
    FILE *file = fopen(path, "wb");
    ck_assert_ptr_nonnull(file);
    uint64_t state = seed * UINT64_C(0x9E3779B97F4A7C15) + 1;
    fprintf(file, "%s\n", header);
    double ts = 1767571200;
    for (long row = 0; row < ROWS_PER_FILE; row++) write_row(file, &state, &ts, row / (1 + (long)below(&state, 3)));
    if (below(&state, 4) == 0) fputs("1767571300,,mark,BTCUSDT,,,1,,,,,,,,,,", file); /* no final newline */
    fclose(file);
    return path;
}

/* Compares two rows field by field (their padding is not compared). */
static void assert_same_row(const scenario_row *fast, const scenario_row *slow) {
    ck_assert_int_eq(fast->line, slow->line);
    ck_assert_int_eq(fast->type, slow->type);
    ck_assert_int_eq(fast->has_ts, slow->has_ts);
    ck_assert(fast->ts == slow->ts);
    ck_assert_str_eq(fast->event_id, slow->event_id);
    ck_assert_uint_eq(fast->event_id_length, slow->event_id_length);
    ck_assert_str_eq(fast->symbol, slow->symbol);
    ck_assert_int_eq(fast->side, slow->side);
    for (int column = 0; column < COLUMN_COUNT; column++) {
        ck_assert_msg(fast->number[column] == slow->number[column], "line %ld column %s", fast->line,
                      column_name((column_id)column));
    }
    ck_assert_uint_eq(fast->given_columns, slow->given_columns);
    ck_assert_str_eq(fast->key, slow->key);
    ck_assert_str_eq(fast->value, slow->value);
}

START_TEST(test_plain_path_reads_as_libcsv) {
    static scenario_reader fast, slow; /* large: not on the stack */
    long rows_compared = 0, errors_compared = 0;
    for (uint64_t seed = 1; seed <= FILES; seed++) {
        const char *path = write_file(seed);
        ck_assert_int_eq(scenario_open(&fast, path), 0);
        ck_assert_int_eq(scenario_open(&slow, path), 0);
        slow.plain_lines_off = true;
        for (;;) {
            const scenario_row *fast_row = NULL, *slow_row = NULL;
            int fast_next = scenario_next(&fast, &fast_row);
            int slow_next = scenario_next(&slow, &slow_row);
            ck_assert_int_eq(fast_next, slow_next);
            if (fast_next < 0) {
                ck_assert_str_eq(fast.error, slow.error);
                errors_compared++;
            }
            if (fast_next <= 0) break;
            assert_same_row(fast_row, slow_row);
            rows_compared++;
        }
        scenario_close(&fast);
        scenario_close(&slow);
        unlink(path);
    }
    /* The generator must exercise both outcomes. */
    ck_assert_int_gt(rows_compared, FILES * 10);
    ck_assert_int_gt(errors_compared, FILES / 4);
}
END_TEST

static Suite *scenario_reader_suite(void) {
    Suite *suite = suite_create("scenario_reader");
    TCase *paths = tcase_create("paths");
    tcase_set_timeout(paths, 60);
    tcase_add_test(paths, test_plain_path_reads_as_libcsv);
    suite_add_tcase(suite, paths);
    return suite;
}

int main(void) {
    SRunner *runner = srunner_create(scenario_reader_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
