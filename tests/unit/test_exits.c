/* test_exits.c -- core/exits.c: the exit scanner of seed 002 section 3 and
 * the integration tests of section 7.2. LONG exits when mark >= tp (TP) or
 * mark <= sl (SL); SHORT when mark <= tp (TP) or mark >= sl (SL); a missing
 * tp or sl never fires; one intent per position until its quantity changes;
 * the scanner takes ledger entries and never reads a registry file. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/exits.h"
#include "core/ledger.h"

/* A ledger entry; tp or sl NaN means absent. */
static ledger_entry make_entry(const char *symbol, position_side side, double qty, double entry_price, double tp,
                               double sl) {
    ledger_entry entry;
    memset(&entry, 0, sizeof entry);
    snprintf(entry.symbol, sizeof entry.symbol, "%s", symbol);
    entry.side = side;
    entry.qty = qty;
    entry.entry_price = entry_price;
    entry.has_tp = !isnan(tp);
    entry.tp = entry.has_tp ? tp : 0;
    entry.has_sl = !isnan(sl);
    entry.sl = entry.has_sl ? sl : 0;
    return entry;
}

/* Marks for the test's own mark lookup: parallel symbol/price arrays. */
typedef struct {
    const char *symbols[8];
    double prices[8];
    size_t count;
    size_t lookups;   /* how many times the scanner asked */
} mark_table;

/* mark_lookup over a mark_table. */
static bool table_lookup(const void *context, const char *symbol, double *mark) {
    mark_table *table = (mark_table *)context;
    table->lookups++;
    for (size_t index = 0; index < table->count; index++) {
        if (strcmp(table->symbols[index], symbol) != 0) continue;
        *mark = table->prices[index];
        return isfinite(*mark);
    }
    return false;
}

/* Sets the mark of symbol in table. */
static void set_mark(mark_table *table, const char *symbol, double price) {
    for (size_t index = 0; index < table->count; index++)
        if (strcmp(table->symbols[index], symbol) == 0) {
            table->prices[index] = price;
            return;
        }
    ck_assert_uint_lt(table->count, 8);
    table->symbols[table->count] = symbol;
    table->prices[table->count++] = price;
}

/* Decides one entry at mark; returns "TP", "SL" or "none". */
static const char *decide(const ledger_entry *entry, double mark) {
    exit_reason reason;
    return exits_decide(entry, mark, &reason) ? exit_reason_name(reason) : "none";
}

START_TEST(test_long_take_profit_and_stop_loss) {
    ledger_entry entry = make_entry("BTCUSDT", SIDE_LONG, 0.5, 50000, 51000, 49500);
    ck_assert_str_eq(decide(&entry, 50000), "none");
    ck_assert_str_eq(decide(&entry, 50999.99), "none");
    ck_assert_str_eq(decide(&entry, 51000), "TP");   /* mark >= tp */
    ck_assert_str_eq(decide(&entry, 60000), "TP");
    ck_assert_str_eq(decide(&entry, 49500.01), "none");
    ck_assert_str_eq(decide(&entry, 49500), "SL");   /* mark <= sl */
    ck_assert_str_eq(decide(&entry, 40000), "SL");
}
END_TEST

START_TEST(test_short_take_profit_and_stop_loss_mirrored) {
    ledger_entry entry = make_entry("ETHUSDT", SIDE_SHORT, 2, 3000, 2940, 3030);
    ck_assert_str_eq(decide(&entry, 3000), "none");
    ck_assert_str_eq(decide(&entry, 2940.01), "none");
    ck_assert_str_eq(decide(&entry, 2940), "TP");    /* mark <= tp */
    ck_assert_str_eq(decide(&entry, 2000), "TP");
    ck_assert_str_eq(decide(&entry, 3029.99), "none");
    ck_assert_str_eq(decide(&entry, 3030), "SL");    /* mark >= sl */
    ck_assert_str_eq(decide(&entry, 4000), "SL");
}
END_TEST

START_TEST(test_missing_tp_or_sl_never_fires) {
    ledger_entry no_tp = make_entry("BTCUSDT", SIDE_LONG, 0.5, 50000, NAN, 49500);
    ck_assert_str_eq(decide(&no_tp, 1e9), "none");
    ck_assert_str_eq(decide(&no_tp, 49000), "SL");
    ledger_entry no_sl = make_entry("BTCUSDT", SIDE_LONG, 0.5, 50000, 51000, NAN);
    ck_assert_str_eq(decide(&no_sl, 1), "none");
    ck_assert_str_eq(decide(&no_sl, 52000), "TP");
    ledger_entry short_no_sl = make_entry("ETHUSDT", SIDE_SHORT, 2, 3000, 2940, NAN);
    ck_assert_str_eq(decide(&short_no_sl, 1e9), "none");
    ledger_entry neither = make_entry("SOLUSDT", SIDE_LONG, 1, 100, NAN, NAN);
    /* A stored 0 behind has_tp/has_sl = false must not act as a level. */
    ck_assert_str_eq(decide(&neither, 0), "none");
    ck_assert_str_eq(decide(&neither, 1e9), "none");
    ck_assert_str_eq(decide(&neither, -1), "none");
}
END_TEST

START_TEST(test_non_finite_mark_never_fires) {
    ledger_entry entry = make_entry("BTCUSDT", SIDE_LONG, 0.5, 50000, 51000, 49500);
    ck_assert_str_eq(decide(&entry, NAN), "none");
    ck_assert_str_eq(decide(&entry, INFINITY), "none");
    ck_assert_str_eq(decide(&entry, -INFINITY), "none");
}
END_TEST

/* Seed 002 7.2: one LONG below its SL, one LONG above its TP, one without
 * tp/sl (skipped: seeding is the sync's job), one without a mark. */
START_TEST(test_scan_ledger_integration) {
    position_ledger ledger = {.count = 4};
    ledger.entries[0] = make_entry("ADAUSDT", SIDE_LONG, 100, 0.5, NAN, NAN);
    ledger.entries[1] = make_entry("BTCUSDT", SIDE_LONG, 0.5, 50000, 51000, 49500);
    ledger.entries[2] = make_entry("ETHUSDT", SIDE_LONG, 2, 3000, 3060, 2970);
    ledger.entries[3] = make_entry("SOLUSDT", SIDE_LONG, 1, 100, 102, 99);
    mark_table marks = {.count = 0};
    set_mark(&marks, "ADAUSDT", 10);       /* far above anything: still no tp */
    set_mark(&marks, "BTCUSDT", 49000);    /* < sl */
    set_mark(&marks, "ETHUSDT", 3100);     /* > tp */
    exit_scanner scanner;
    exits_init(&scanner);
    exit_intent intents[SYMBOLS_MAX];
    size_t count = exits_scan(&scanner, &ledger, table_lookup, &marks, intents);
    ck_assert_uint_eq(count, 2);
    ck_assert_str_eq(intents[0].symbol, "BTCUSDT");
    ck_assert_int_eq(intents[0].reason, EXIT_SL);
    ck_assert_int_eq(intents[0].side, SIDE_LONG);
    ck_assert_double_eq(intents[0].qty, 0.5);
    ck_assert_double_eq(intents[0].mark, 49000);
    ck_assert(intents[0].has_tp && intents[0].has_sl);
    ck_assert_double_eq(intents[0].tp, 51000);
    ck_assert_double_eq(intents[0].sl, 49500);
    ck_assert_str_eq(intents[1].symbol, "ETHUSDT");
    ck_assert_int_eq(intents[1].reason, EXIT_TP);
    ck_assert_double_eq(intents[1].mark, 3100);
    ck_assert_uint_eq(marks.lookups, 4);
}
END_TEST

START_TEST(test_short_positions_in_scan) {
    position_ledger ledger = {.count = 2};
    ledger.entries[0] = make_entry("BTCUSDT", SIDE_SHORT, 0.5, 50000, 49000, 50500);
    ledger.entries[1] = make_entry("ETHUSDT", SIDE_SHORT, 2, 3000, 2940, 3030);
    mark_table marks = {.count = 0};
    set_mark(&marks, "BTCUSDT", 48000);    /* <= tp */
    set_mark(&marks, "ETHUSDT", 3031);     /* >= sl */
    exit_scanner scanner;
    exits_init(&scanner);
    exit_intent intents[SYMBOLS_MAX];
    ck_assert_uint_eq(exits_scan(&scanner, &ledger, table_lookup, &marks, intents), 2);
    ck_assert_int_eq(intents[0].reason, EXIT_TP);
    ck_assert_int_eq(intents[0].side, SIDE_SHORT);
    ck_assert_int_eq(intents[1].reason, EXIT_SL);
}
END_TEST

START_TEST(test_one_intent_per_position_until_quantity_changes) {
    position_ledger ledger = {.count = 1};
    ledger.entries[0] = make_entry("BTCUSDT", SIDE_LONG, 0.5, 50000, 51000, 49500);
    mark_table marks = {.count = 0};
    set_mark(&marks, "BTCUSDT", 52000);
    exit_scanner scanner;
    exits_init(&scanner);
    exit_intent intents[SYMBOLS_MAX];
    ck_assert_uint_eq(exits_scan(&scanner, &ledger, table_lookup, &marks, intents), 1);
    /* Same quantity: no second intent, whatever the mark does. */
    ck_assert_uint_eq(exits_scan(&scanner, &ledger, table_lookup, &marks, intents), 0);
    set_mark(&marks, "BTCUSDT", 40000);
    ck_assert_uint_eq(exits_scan(&scanner, &ledger, table_lookup, &marks, intents), 0);
    /* Partial close: the quantity changed, the position is re-armed. */
    ledger.entries[0].qty = 0.2;
    ck_assert_uint_eq(exits_scan(&scanner, &ledger, table_lookup, &marks, intents), 1);
    ck_assert_int_eq(intents[0].reason, EXIT_SL);
    ck_assert_double_eq(intents[0].qty, 0.2);
    ck_assert_uint_eq(exits_scan(&scanner, &ledger, table_lookup, &marks, intents), 0);
    /* Closed and reopened at the same quantity: a new position, a new intent. */
    position_ledger empty = {.count = 0};
    ck_assert_uint_eq(exits_scan(&scanner, &empty, table_lookup, &marks, intents), 0);
    ck_assert_uint_eq(exits_scan(&scanner, &ledger, table_lookup, &marks, intents), 1);
    /* A mark back inside the range does not re-arm: only the quantity does. */
    set_mark(&marks, "BTCUSDT", 50000);
    ck_assert_uint_eq(exits_scan(&scanner, &ledger, table_lookup, &marks, intents), 0);
    set_mark(&marks, "BTCUSDT", 40000);
    ck_assert_uint_eq(exits_scan(&scanner, &ledger, table_lookup, &marks, intents), 0);
}
END_TEST

START_TEST(test_positions_fire_independently) {
    position_ledger ledger = {.count = 2};
    ledger.entries[0] = make_entry("BTCUSDT", SIDE_LONG, 0.5, 50000, 51000, 49500);
    ledger.entries[1] = make_entry("ETHUSDT", SIDE_SHORT, 2, 3000, 2940, 3030);
    mark_table marks = {.count = 0};
    set_mark(&marks, "BTCUSDT", 51000);
    set_mark(&marks, "ETHUSDT", 3000);
    exit_scanner scanner;
    exits_init(&scanner);
    exit_intent intents[SYMBOLS_MAX];
    ck_assert_uint_eq(exits_scan(&scanner, &ledger, table_lookup, &marks, intents), 1);
    ck_assert_str_eq(intents[0].symbol, "BTCUSDT");
    set_mark(&marks, "ETHUSDT", 2900);
    ck_assert_uint_eq(exits_scan(&scanner, &ledger, table_lookup, &marks, intents), 1);
    ck_assert_str_eq(intents[0].symbol, "ETHUSDT");
    ck_assert_uint_eq(exits_scan(&scanner, &ledger, table_lookup, &marks, intents), 0);
}
END_TEST

/* Every mark is 11, for any symbol. */
static bool mark_eleven(const void *context, const char *symbol, double *mark) {
    (void)context;
    (void)symbol;
    *mark = 11;
    return true;
}

START_TEST(test_every_symbol_can_fire_at_once) {
    /* SYMBOLS_MAX positions crossing TP on one event: SYMBOLS_MAX intents,
     * each remembered (none again), and after all of them close, a
     * reopened one fires again: the scanner holds exactly what fired. */
    position_ledger *ledger = calloc(1, sizeof *ledger);
    exit_scanner *scanner = malloc(sizeof *scanner);
    exit_intent *intents = malloc(SYMBOLS_MAX * sizeof *intents);
    ck_assert(ledger != NULL && scanner != NULL && intents != NULL);
    memset(scanner, 0x5a, sizeof *scanner); /* exits_init must not rely on zeroed memory */
    exits_init(scanner);
    ledger->count = SYMBOLS_MAX;
    for (size_t index = 0; index < SYMBOLS_MAX; index++) {
        char symbol[16];
        snprintf(symbol, sizeof symbol, "S%03zuUSDT", index);
        ledger->entries[index] = make_entry(symbol, SIDE_LONG, 1, 10, 10.5, 9);
    }
    ck_assert_uint_eq(exits_scan(scanner, ledger, mark_eleven, NULL, intents), SYMBOLS_MAX);
    ck_assert_str_eq(intents[SYMBOLS_MAX - 1].symbol, ledger->entries[SYMBOLS_MAX - 1].symbol);
    ck_assert_uint_eq(exits_scan(scanner, ledger, mark_eleven, NULL, intents), 0);
    position_ledger *empty = calloc(1, sizeof *empty);
    ck_assert_ptr_nonnull(empty);
    ck_assert_uint_eq(exits_scan(scanner, empty, mark_eleven, NULL, intents), 0);
    ck_assert_uint_eq(scanner->count, 0);
    ck_assert_uint_eq(exits_scan(scanner, ledger, mark_eleven, NULL, intents), SYMBOLS_MAX);
    free(empty);
    free(intents);
    free(scanner);
    free(ledger);
}
END_TEST

/* Seed 002 7.2: "ensure the scanner never directly reads position_tp_sl.json".
 * The scan runs in a folder whose logs/state/position_tp_sl.json says the
 * opposite of the ledger; the intents follow the ledger only. */
START_TEST(test_scanner_reads_ledger_entries_not_registry_file) {
    char directory[64];
    snprintf(directory, sizeof directory, "/tmp/test_exits.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(directory));
    char previous[4096];
    ck_assert_ptr_nonnull(getcwd(previous, sizeof previous));
    ck_assert_int_eq(chdir(directory), 0);
    ck_assert_int_eq(mkdir("logs", 0755), 0);
    ck_assert_int_eq(mkdir("logs/state", 0755), 0);
    FILE *decoy = fopen("logs/state/position_tp_sl.json", "w");
    ck_assert_ptr_nonnull(decoy);
    fputs("{\"BTCUSDT\": {\"side\": \"LONG\", \"entry_price\": 50000, \"tp\": 50001, \"sl\": 49999},"
          " \"ETHUSDT\": {\"side\": \"LONG\", \"entry_price\": 3000, \"tp\": 3001, \"sl\": 2999}}",
          decoy);
    fclose(decoy);

    position_ledger ledger = {.count = 2};
    ledger.entries[0] = make_entry("BTCUSDT", SIDE_LONG, 0.5, 50000, 60000, 40000);  /* wide levels */
    ledger.entries[1] = make_entry("ETHUSDT", SIDE_LONG, 2, 3000, NAN, NAN);         /* none */
    mark_table marks = {.count = 0};
    set_mark(&marks, "BTCUSDT", 50500);   /* past the file's tp, inside the ledger's */
    set_mark(&marks, "ETHUSDT", 3500);    /* past the file's tp; the ledger has none */
    exit_scanner scanner;
    exits_init(&scanner);
    exit_intent intents[SYMBOLS_MAX];
    ck_assert_uint_eq(exits_scan(&scanner, &ledger, table_lookup, &marks, intents), 0);
    /* Removing the file changes nothing either. */
    ck_assert_int_eq(unlink("logs/state/position_tp_sl.json"), 0);
    set_mark(&marks, "BTCUSDT", 60000);
    ck_assert_uint_eq(exits_scan(&scanner, &ledger, table_lookup, &marks, intents), 1);
    ck_assert_double_eq(intents[0].tp, 60000);

    ck_assert_int_eq(chdir(previous), 0);
    rmdir("logs/state");
    char path[128];
    snprintf(path, sizeof path, "%s/logs/state", directory);
    rmdir(path);
    snprintf(path, sizeof path, "%s/logs", directory);
    rmdir(path);
    rmdir(directory);
}
END_TEST

START_TEST(test_reason_names) {
    ck_assert_str_eq(exit_reason_name(EXIT_TP), "TP");
    ck_assert_str_eq(exit_reason_name(EXIT_SL), "SL");
}
END_TEST

static Suite *exits_suite(void) {
    Suite *suite = suite_create("exits");
    TCase *decide_case = tcase_create("decide");
    tcase_add_test(decide_case, test_long_take_profit_and_stop_loss);
    tcase_add_test(decide_case, test_short_take_profit_and_stop_loss_mirrored);
    tcase_add_test(decide_case, test_missing_tp_or_sl_never_fires);
    tcase_add_test(decide_case, test_non_finite_mark_never_fires);
    tcase_add_test(decide_case, test_reason_names);
    suite_add_tcase(suite, decide_case);
    TCase *scan = tcase_create("scan");
    tcase_add_test(scan, test_scan_ledger_integration);
    tcase_add_test(scan, test_short_positions_in_scan);
    tcase_add_test(scan, test_one_intent_per_position_until_quantity_changes);
    tcase_add_test(scan, test_positions_fire_independently);
    tcase_add_test(scan, test_every_symbol_can_fire_at_once);
    tcase_add_test(scan, test_scanner_reads_ledger_entries_not_registry_file);
    suite_add_tcase(suite, scan);
    return suite;
}

int main(void) {
    SRunner *runner = srunner_create(exits_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
