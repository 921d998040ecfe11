/* test_faults.c -- sim/faults.c and sim/invariants.c: the fault plan text;
 * each kind scripted (drop, duplicate, delay and its cap, corrupt, stale
 * marks, zero-wallet frames, orphan entries) against a recording sink;
 * drawn faults (the same seed gives the same faults, another seed others,
 * adding a kind leaves the draws of another alone, rates near P); and the
 * invariant checker (an id applied twice, an invalid wallet frame that
 * moves capital, detection within the window, on OK or not). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/kernel.h"
#include "sim/event.h"
#include "sim/faults.h"
#include "sim/invariants.h"

enum { LOG_MAX = 20000 };

/* What the sink saw, in order. */
typedef struct {
    char delivered[LOG_MAX][EVENT_ID_CAPACITY];
    bool delivered_synthetic[LOG_MAX];
    size_t delivered_facts[LOG_MAX];
    double first_fee[LOG_MAX];               /* fee of the delivered event's first fill, or -1 */
    size_t delivered_count;
    fault_kind kinds[LOG_MAX];
    char hit[LOG_MAX][EVENT_ID_CAPACITY];     /* event_id of each fault ("" for none) */
    char fields[LOG_MAX][FAULT_FIELD_CAPACITY];
    size_t fault_count;
    registry_entry entries[8];
    size_t entry_count;
} recorder;

/* Sink: records a delivered event (borrowed). */
static void record_delivery(void *context, exchange_event *event) {
    recorder *log = context;
    ck_assert_uint_lt(log->delivered_count, LOG_MAX);
    snprintf(log->delivered[log->delivered_count], EVENT_ID_CAPACITY, "%s", event->event_id);
    log->delivered_synthetic[log->delivered_count] = event->synthetic;
    log->delivered_facts[log->delivered_count] = event->fact_count;
    log->first_fee[log->delivered_count] = -1;
    for (size_t index = 0; index < event->fact_count; index++)
        if (event->facts[index].type == FACT_FILL) {
            log->first_fee[log->delivered_count] = event->facts[index].fee;
            break;
        }
    log->delivered_count++;
}

/* Sink: records an injected fault (borrowed). */
static void record_fault(void *context, const fault_record *record) {
    recorder *log = context;
    ck_assert_uint_lt(log->fault_count, LOG_MAX);
    log->kinds[log->fault_count] = record->kind;
    snprintf(log->hit[log->fault_count], EVENT_ID_CAPACITY, "%s", record->event_id != NULL ? record->event_id : "");
    snprintf(log->fields[log->fault_count], FAULT_FIELD_CAPACITY, "%s", record->field != NULL ? record->field : "");
    log->fault_count++;
}

/* Sink: records an orphan registry entry (the first 8; counts all). */
static void record_entry(void *context, const registry_entry *entry) {
    recorder *log = context;
    if (log->entry_count < 8) log->entries[log->entry_count] = *entry;
    log->entry_count++;
}

/* Sink: the kernel holds only HELDUSDT. */
static bool holds_nothing(void *context, const char *symbol) {
    (void)context;
    return strcmp(symbol, "HELDUSDT") == 0;
}

/* Sink: every symbol's mark is 100. */
static bool mark_of_hundred(void *context, const char *symbol, double *mark) {
    (void)context;
    (void)symbol;
    *mark = 100;
    return true;
}

/* An injector (allocated) over a fresh recorder (allocated) with plan text
 * (NULL: nothing drawn) and seed. */
static fault_injector *new_injector(const char *plan_text, unsigned long seed, recorder **log) {
    *log = calloc(1, sizeof **log);
    ck_assert_ptr_nonnull(*log);
    fault_plan plan;
    memset(&plan, 0, sizeof plan);
    char error[256];
    if (plan_text != NULL) ck_assert(fault_plan_parse(plan_text, &plan, error, sizeof error));
    fault_sink sink = {.context = *log, .deliver = record_delivery, .injected = record_fault,
                       .put_tp_sl = record_entry, .holds_position = holds_nothing, .mark = mark_of_hundred};
    fault_injector *injector = malloc(sizeof *injector);
    ck_assert_ptr_nonnull(injector);
    ck_assert(fault_injector_init(injector, &plan, seed, &sink));
    return injector;
}

/* Frees what new_injector allocated. */
static void free_injector(fault_injector *injector, recorder *log) {
    fault_injector_free(injector);
    free(injector);
    free(log);
}

/* Fills event with id and one fact of type (symbol BTCUSDT, fields set). */
static void one_fact_event(exchange_event *event, const char *id, fact_type type) {
    event_start(event, id, false, 1, 0);
    exchange_fact fact;
    memset(&fact, 0, sizeof fact);
    fact.type = type;
    snprintf(fact.symbol, sizeof fact.symbol, "BTCUSDT");
    fact.qty = 1;
    fact.price = 100;
    fact.fee = 0.5;
    fact.wallet_balance = 1000;
    ck_assert(event_add_fact(event, &fact));
}

/* Submits events e1..eN (fills) to injector. */
static void submit_fills(fault_injector *injector, exchange_event *event, int first, int last) {
    for (int number = first; number <= last; number++) {
        char id[16];
        snprintf(id, sizeof id, "e%d", number);
        one_fact_event(event, id, FACT_FILL);
        fault_injector_submit(injector, event);
    }
}

/* A fault row of kind with symbol and value (ts 5, line 12). */
static bool script(fault_injector *injector, fault_kind kind, const char *symbol, const char *value) {
    char error[256];
    return fault_injector_script(injector, kind, symbol, value, false, 0, false, 0, 5, 12, error, sizeof error);
}

START_TEST(test_plan_text) {
    fault_plan plan;
    char error[512], text[FAULT_PLAN_TEXT_CAPACITY];
    ck_assert(fault_plan_parse("stale_mark=0.02,drop=0.001", &plan, error, sizeof error));
    ck_assert(plan.any && plan.probability[FAULT_STALE_MARK] == 0.02 && plan.probability[FAULT_DROP] == 0.001);
    ck_assert(plan.probability[FAULT_DELAY] == 0);
    fault_plan_format(&plan, text, sizeof text);
    ck_assert_str_eq(text, "stale_mark=0.02,drop=0.001");
    ck_assert(fault_plan_parse("all=0.01,corrupt=0", &plan, error, sizeof error));
    fault_plan_format(&plan, text, sizeof text);
    ck_assert_str_eq(text, "stale_mark=0.01,zero_wallet=0.01,orphan_tp_sl=0.01,drop=0.01,duplicate=0.01,delay=0.01");
    ck_assert(fault_plan_parse("drop=0", &plan, error, sizeof error));
    ck_assert(!plan.any);
    const char *const bad[] = {"", "drop", "=0.1", "drop=", "drop=1.5", "drop=-0.1", "drop=0.1,", "jitter=0.1",
                               "drop=nan", "drop=0.1x"};
    for (size_t index = 0; index < sizeof bad / sizeof bad[0]; index++)
        ck_assert_msg(!fault_plan_parse(bad[index], &plan, error, sizeof error), "accepted '%s'", bad[index]);
    ck_assert(fault_plan_parse("jitter=0.1", &plan, error, sizeof error) == false);
    ck_assert_ptr_nonnull(strstr(error, "unknown fault kind 'jitter'"));
    fault_kind kind;
    ck_assert(fault_kind_parse("orphan_tp_sl", &kind) && kind == FAULT_ORPHAN_TP_SL);
    ck_assert(!fault_kind_parse("orphan", &kind));
    ck_assert_str_eq(fault_kind_name(FAULT_ZERO_WALLET), "zero_wallet");
    /* Every kind of the table parses back; sorted by name, each once. */
    fault_kind sorted[FAULT_KIND_COUNT];
    fault_kinds_sorted(sorted);
    ck_assert_int_eq(sorted[0], FAULT_CORRUPT);
    ck_assert_int_eq(sorted[FAULT_KIND_COUNT - 1], FAULT_ZERO_WALLET);
    for (int index = 0; index < FAULT_KIND_COUNT; index++) {
        ck_assert(fault_kind_parse(fault_kind_name((fault_kind)index), &kind) && (int)kind == index);
        if (index > 0) ck_assert(strcmp(fault_kind_name(sorted[index - 1]), fault_kind_name(sorted[index])) < 0);
    }
}
END_TEST

START_TEST(test_no_fault_delivers_unchanged) {
    recorder *log;
    fault_injector *injector = new_injector(NULL, 1, &log);
    exchange_event *event = malloc(sizeof *event);
    submit_fills(injector, event, 1, 3);
    ck_assert_uint_eq(log->delivered_count, 3);
    ck_assert_str_eq(log->delivered[2], "e3");
    ck_assert(log->first_fee[0] == 0.5);
    ck_assert_uint_eq(log->fault_count, 0);
    free(event);
    free_injector(injector, log);
}
END_TEST

START_TEST(test_scripted_drop_and_duplicate) {
    recorder *log;
    fault_injector *injector = new_injector(NULL, 1, &log);
    exchange_event *event = malloc(sizeof *event);
    ck_assert(script(injector, FAULT_DROP, "", "2"));
    submit_fills(injector, event, 1, 3);
    ck_assert_uint_eq(log->delivered_count, 1);
    ck_assert_str_eq(log->delivered[0], "e3");
    ck_assert_uint_eq(log->fault_count, 2);
    ck_assert(log->kinds[0] == FAULT_DROP && log->kinds[1] == FAULT_DROP);
    ck_assert_str_eq(log->hit[0], "e1");
    ck_assert_str_eq(log->hit[1], "e2");
    /* a duplicate arrives twice in a row; a harness id becomes a real one */
    ck_assert(script(injector, FAULT_DUPLICATE, "", "1"));
    one_fact_event(event, "row9", FACT_MARK);
    event->synthetic = true;
    fault_injector_submit(injector, event);
    ck_assert_uint_eq(log->delivered_count, 3);
    ck_assert_str_eq(log->delivered[1], "row9");
    ck_assert_str_eq(log->delivered[2], "row9");
    ck_assert(!log->delivered_synthetic[1] && !log->delivered_synthetic[2]);
    ck_assert(log->kinds[2] == FAULT_DUPLICATE && injector->injected[FAULT_DUPLICATE] == 1);
    char error[256];
    ck_assert(!fault_injector_script(injector, FAULT_DROP, "", "0", false, 0, false, 0, 1, 3, error, sizeof error));
    ck_assert(!fault_injector_script(injector, FAULT_DELAY, "", "1.5", false, 0, false, 0, 1, 3, error, sizeof error));
    free(event);
    free_injector(injector, log);
}
END_TEST

START_TEST(test_scripted_delay_and_its_cap) {
    recorder *log;
    fault_injector *injector = new_injector(NULL, 1, &log);
    exchange_event *event = malloc(sizeof *event);
    ck_assert(script(injector, FAULT_DELAY, "", "2"));
    submit_fills(injector, event, 1, 4);
    /* e1 is held for two later deliveries: e2, e3, e1, e4 */
    ck_assert_uint_eq(log->delivered_count, 4);
    const char *const order[] = {"e2", "e3", "e1", "e4"};
    for (size_t index = 0; index < 4; index++) ck_assert_str_eq(log->delivered[index], order[index]);
    ck_assert_uint_eq(fault_injector_held_count(injector), 0);
    /* at most FAULT_HELD_EVENTS_MAX held at once: the next delay is not injected */
    for (int index = 0; index <= FAULT_HELD_EVENTS_MAX; index++) ck_assert(script(injector, FAULT_DELAY, "", "1000"));
    submit_fills(injector, event, 10, 10 + FAULT_HELD_EVENTS_MAX);
    ck_assert_uint_eq(fault_injector_held_count(injector), FAULT_HELD_EVENTS_MAX);
    ck_assert_uint_eq(log->delivered_count, 5);
    ck_assert_str_eq(log->delivered[4], "e18");
    ck_assert(injector->not_injected[FAULT_DELAY] == 1 && injector->injected[FAULT_DELAY] == 1 + FAULT_HELD_EVENTS_MAX);
    fault_injector_release_all(injector);
    ck_assert_uint_eq(fault_injector_held_count(injector), 0);
    ck_assert_uint_eq(log->delivered_count, 5 + FAULT_HELD_EVENTS_MAX);
    ck_assert_str_eq(log->delivered[5], "e10");
    ck_assert_str_eq(log->delivered[4 + FAULT_HELD_EVENTS_MAX], "e17");
    free(event);
    free_injector(injector, log);
}
END_TEST

START_TEST(test_scripted_corrupt_waits_for_its_field) {
    recorder *log;
    fault_injector *injector = new_injector(NULL, 1, &log);
    exchange_event *event = malloc(sizeof *event);
    ck_assert(script(injector, FAULT_CORRUPT, "", "fee"));
    one_fact_event(event, "m1", FACT_MARK);
    fault_injector_submit(injector, event);
    ck_assert_uint_eq(log->fault_count, 0);
    submit_fills(injector, event, 1, 2);
    ck_assert_uint_eq(log->fault_count, 1);
    ck_assert(log->kinds[0] == FAULT_CORRUPT);
    ck_assert_str_eq(log->hit[0], "e1");
    ck_assert_str_eq(log->fields[0], "fee");
    ck_assert(isnan(log->first_fee[1]) && log->first_fee[2] == 0.5);
    free(event);
    free_injector(injector, log);
}
END_TEST

START_TEST(test_stale_marks_hide_one_symbol) {
    recorder *log;
    fault_injector *injector = new_injector(NULL, 1, &log);
    exchange_event *event = malloc(sizeof *event);
    ck_assert(script(injector, FAULT_STALE_MARK, "BTCUSDT", "2"));
    /* an event with marks of BTC and ETH: BTC's is removed, ETH's delivered */
    one_fact_event(event, "m1", FACT_MARK);
    exchange_fact eth = event->facts[0];
    snprintf(eth.symbol, sizeof eth.symbol, "ETHUSDT");
    ck_assert(event_add_fact(event, &eth));
    fault_injector_submit(injector, event);
    ck_assert_uint_eq(log->delivered_count, 1);
    ck_assert_uint_eq(log->delivered_facts[0], 1);
    /* an event of BTC's mark alone is not delivered at all */
    one_fact_event(event, "m2", FACT_MARK);
    fault_injector_submit(injector, event);
    ck_assert_uint_eq(log->delivered_count, 1);
    /* fills are not marks; the third BTC mark gets through */
    submit_fills(injector, event, 1, 1);
    one_fact_event(event, "m3", FACT_MARK);
    fault_injector_submit(injector, event);
    ck_assert_uint_eq(log->delivered_count, 3);
    ck_assert_str_eq(log->delivered[2], "m3");
    ck_assert_uint_eq(log->fault_count, 2);
    ck_assert(log->kinds[0] == FAULT_STALE_MARK && log->kinds[1] == FAULT_STALE_MARK);
    ck_assert_str_eq(log->hit[1], "m2");
    free(event);
    free_injector(injector, log);
}
END_TEST

START_TEST(test_zero_wallet_and_orphan_act_at_once) {
    recorder *log;
    fault_injector *injector = new_injector(NULL, 1, &log);
    ck_assert(script(injector, FAULT_ZERO_WALLET, "", ""));
    ck_assert_uint_eq(log->delivered_count, 1);
    ck_assert_str_eq(log->delivered[0], "row12");
    ck_assert(log->delivered_synthetic[0] && log->delivered_facts[0] == 1);
    ck_assert(log->kinds[0] == FAULT_ZERO_WALLET);
    char error[256];
    ck_assert(fault_injector_script(injector, FAULT_ORPHAN_TP_SL, "ETHUSDT", "", true, 90, true, 110, 5, 13, error,
                                    sizeof error));
    ck_assert_uint_eq(log->entry_count, 1);
    const registry_entry *entry = &log->entries[0];
    ck_assert_str_eq(entry->symbol, "ETHUSDT");
    ck_assert(entry->side == SIDE_SHORT && entry->tp == 90 && entry->sl == 110 && entry->entry_price == 100);
    ck_assert(entry->created_ts == 5);
    ck_assert(log->kinds[1] == FAULT_ORPHAN_TP_SL);
    ck_assert(!fault_injector_script(injector, FAULT_ORPHAN_TP_SL, "", "", false, 0, false, 0, 5, 14, error,
                                     sizeof error));
    free_injector(injector, log);
}
END_TEST

/* The ids of the events a plan drops among 4000 fills, into ids (joined). */
static void dropped_ids(const char *plan, unsigned long seed, char *ids, size_t capacity) {
    recorder *log;
    fault_injector *injector = new_injector(plan, seed, &log);
    exchange_event *event = malloc(sizeof *event);
    submit_fills(injector, event, 1, 4000);
    fault_injector_release_all(injector);
    ids[0] = '\0';
    size_t length = 0;
    for (size_t index = 0; index < log->fault_count; index++)
        if (log->kinds[index] == FAULT_DROP && length + EVENT_ID_CAPACITY + 2 < capacity)
            length += (size_t)snprintf(ids + length, capacity - length, "%s,", log->hit[index]);
    free(event);
    free_injector(injector, log);
}

START_TEST(test_drawn_faults_are_seeded_and_independent) {
    size_t capacity = 1 << 16;
    char *first = malloc(capacity), *again = malloc(capacity), *other = malloc(capacity), *mixed = malloc(capacity);
    dropped_ids("drop=0.05", 7, first, capacity);
    dropped_ids("drop=0.05", 7, again, capacity);
    dropped_ids("drop=0.05", 8, other, capacity);
    dropped_ids("drop=0.05,corrupt=0.3,duplicate=0.2,stale_mark=0.1,zero_wallet=0.1,orphan_tp_sl=0.1", 7, mixed,
                capacity);
    ck_assert(first[0] != '\0');
    ck_assert_str_eq(first, again);
    ck_assert_str_ne(first, other);
    ck_assert_str_eq(first, mixed); /* adding kinds never moves the drops */
    free(first);
    free(again);
    free(other);
    free(mixed);
}
END_TEST

START_TEST(test_drawn_rates) {
    recorder *log;
    fault_injector *injector = new_injector("drop=0.2,duplicate=0.1", 3, &log);
    exchange_event *event = malloc(sizeof *event);
    submit_fills(injector, event, 1, 10000);
    long drops = injector->injected[FAULT_DROP], duplicates = injector->injected[FAULT_DUPLICATE];
    ck_assert_msg(drops > 1850 && drops < 2150, "drops %ld", drops);
    /* duplicates hit only the events not dropped */
    ck_assert_msg(duplicates > 700 && duplicates < 900, "duplicates %ld", duplicates);
    ck_assert_uint_eq(log->delivered_count, (size_t)(10000 - drops + duplicates));
    free(event);
    free_injector(injector, log);
}
END_TEST

/* A kernel (allocated) with default config. */
static kernel *new_kernel(void) {
    kernel *k = malloc(sizeof *k);
    ck_assert_ptr_nonnull(k);
    kernel_config config;
    config_defaults(&config);
    config.seed_capital = 1000;
    kernel_init(k, &config);
    return k;
}

/* Applies event to k between the checker's before and after calls. */
static void checked_apply(invariant_checker *checker, kernel *k, const exchange_event *event) {
    invariants_before_event(checker, k);
    bool applied = kernel_begin_event(k, event->event_id, event->synthetic, event->ts);
    if (applied) {
        for (size_t index = 0; index < event->fact_count; index++)
            ck_assert(kernel_apply_fact(k, &event->facts[index]) == KERNEL_OK);
        kernel_end_event(k);
    }
    invariants_after_event(checker, k, event, applied, NULL);
}

START_TEST(test_invariants_hold_and_notice) {
    invariant_checker *checker = malloc(sizeof *checker);
    kernel *k = new_kernel();
    exchange_event *event = malloc(sizeof *event);
    invariants_init(checker, 3);
    one_fact_event(event, "b1", FACT_BALANCE);
    checked_apply(checker, k, event);
    one_fact_event(event, "z1", FACT_BALANCE);
    event->facts[0].wallet_balance = 0;
    checked_apply(checker, k, event);
    ck_assert_int_eq(invariants_total_violations(checker), 0);
    ck_assert_int_eq(checker->events_checked, 2);
    /* a duplicate the kernel skips is fine; one it applied again is not */
    one_fact_event(event, "b1", FACT_BALANCE);
    checked_apply(checker, k, event);
    ck_assert_int_eq(invariants_total_violations(checker), 0);
    invariants_after_event(checker, k, event, true, NULL);
    ck_assert_int_eq(checker->violations[INVARIANT_EVENT_APPLIED_ONCE], 1);
    ck_assert_ptr_nonnull(strstr(checker->first_message[INVARIANT_EVENT_APPLIED_ONCE], "b1"));
    /* an invalid wallet frame whose capital moved is caught */
    one_fact_event(event, "z2", FACT_BALANCE);
    event->facts[0].wallet_balance = NAN;
    invariants_before_event(checker, k);
    k->projection.published.capital += 1;
    invariants_after_event(checker, k, event, true, NULL);
    ck_assert_int_eq(checker->violations[INVARIANT_INVALID_WALLET_FRAME_INERT], 1);
    free(event);
    free(k);
    free(checker);
}
END_TEST

START_TEST(test_detection_window) {
    invariant_checker *checker = malloc(sizeof *checker);
    kernel *k = new_kernel();
    exchange_event *event = malloc(sizeof *event);
    invariants_init(checker, 2);
    /* a fault on an OK kernel, then two OK snapshots: not detected */
    invariants_fault_injected(checker, FAULT_DROP, k->projection.snapshot.event_seq, RECONCILE_OK);
    one_fact_event(event, "b1", FACT_BALANCE);
    event->facts[0].wallet_balance = 1000;
    checked_apply(checker, k, event);
    ck_assert_int_eq(k->projection.snapshot.reconcile.status, RECONCILE_OK);
    one_fact_event(event, "b2", FACT_BALANCE);
    event->facts[0].wallet_balance = 1000;
    checked_apply(checker, k, event);
    ck_assert(checker->injected[FAULT_DROP] == 1 && checker->detected[FAULT_DROP] == 0);
    ck_assert(checker->injected_on_ok[FAULT_DROP] == 1 && checker->pending_count == 0);
    /* a fault followed, second snapshot, by an ERROR: detected */
    invariants_fault_injected(checker, FAULT_CORRUPT, k->projection.snapshot.event_seq, RECONCILE_OK);
    one_fact_event(event, "b3", FACT_BALANCE);
    event->facts[0].wallet_balance = 1000;
    checked_apply(checker, k, event);
    one_fact_event(event, "b4", FACT_BALANCE);
    event->facts[0].wallet_balance = 2000; /* R1: |1000 - 2000| > 20: ERROR */
    checked_apply(checker, k, event);
    ck_assert_int_eq(k->projection.snapshot.reconcile.status, RECONCILE_ERROR);
    ck_assert(checker->detected[FAULT_CORRUPT] == 1 && checker->detected_on_ok[FAULT_CORRUPT] == 1);
    /* a fault on a kernel already in ERROR counts, but not on OK */
    invariants_fault_injected(checker, FAULT_DELAY, k->projection.snapshot.event_seq, RECONCILE_ERROR);
    one_fact_event(event, "b5", FACT_BALANCE);
    event->facts[0].wallet_balance = 2000;
    checked_apply(checker, k, event);
    ck_assert(checker->detected[FAULT_DELAY] == 1 && checker->injected_on_ok[FAULT_DELAY] == 0);
    /* still waiting at the end: not detected */
    invariants_fault_injected(checker, FAULT_STALE_MARK, k->projection.snapshot.event_seq, RECONCILE_ERROR);
    invariants_finish(checker);
    ck_assert(checker->injected[FAULT_STALE_MARK] == 1 && checker->detected[FAULT_STALE_MARK] == 0);
    ck_assert_uint_eq(checker->pending_count, 0);
    ck_assert_str_eq(invariant_name(INVARIANT_MONEY_CONSERVED), "money_conserved");
    free(event);
    free(k);
    free(checker);
}
END_TEST

/* Every test of sim/faults.c and sim/invariants.c. */
static Suite *faults_suite(void) {
    Suite *suite = suite_create("faults");
    TCase *scripted = tcase_create("scripted");
    tcase_add_test(scripted, test_plan_text);
    tcase_add_test(scripted, test_no_fault_delivers_unchanged);
    tcase_add_test(scripted, test_scripted_drop_and_duplicate);
    tcase_add_test(scripted, test_scripted_delay_and_its_cap);
    tcase_add_test(scripted, test_scripted_corrupt_waits_for_its_field);
    tcase_add_test(scripted, test_stale_marks_hide_one_symbol);
    tcase_add_test(scripted, test_zero_wallet_and_orphan_act_at_once);
    suite_add_tcase(suite, scripted);
    TCase *drawn = tcase_create("drawn");
    tcase_add_test(drawn, test_drawn_faults_are_seeded_and_independent);
    tcase_add_test(drawn, test_drawn_rates);
    suite_add_tcase(suite, drawn);
    TCase *invariants = tcase_create("invariants");
    tcase_add_test(invariants, test_invariants_hold_and_notice);
    tcase_add_test(invariants, test_detection_window);
    suite_add_tcase(suite, invariants);
    return suite;
}

int main(void) {
    SRunner *runner = srunner_create(faults_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
