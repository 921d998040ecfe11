/* invariants.c -- see invariants.h. */
#include "sim/invariants.h"

#include <assert.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const invariant_names[INVARIANT_COUNT] = {
    "event_applied_once", "exit_intent_has_position", "invalid_wallet_frame_inert", "money_conserved",
    "registry_has_position"};

/* The static name of id. */
const char *invariant_name(invariant_id id) {
    assert(id >= 0 && id < INVARIANT_COUNT);
    return invariant_names[id];
}

/* Starts checker (owned by the caller). */
void invariants_init(invariant_checker *checker, long window) {
    assert(window >= 1 && window <= DETECT_WINDOW_MAX);
    memset(checker->violations, 0, sizeof checker->violations);
    memset(checker->first_event_seq, 0, sizeof checker->first_event_seq);
    memset(checker->first_message, 0, sizeof checker->first_message);
    checker->events_checked = 0;
    memset(&checker->before, 0, sizeof checker->before);
    dedup_init(&checker->applied_ids);
    checker->window = window;
    checker->pending_head = 0;
    checker->pending_count = 0;
    memset(checker->injected, 0, sizeof checker->injected);
    memset(checker->detected, 0, sizeof checker->detected);
    memset(checker->injected_on_ok, 0, sizeof checker->injected_on_ok);
    memset(checker->detected_on_ok, 0, sizeof checker->detected_on_ok);
    memset(checker->unmeasured, 0, sizeof checker->unmeasured);
}

/* Counts one violation of id at event_seq; the first one keeps its message. */
__attribute__((format(printf, 4, 5))) static void violate(invariant_checker *checker, invariant_id id,
                                                          long event_seq, const char *format, ...) {
    if (checker->violations[id]++ > 0) return;
    checker->first_event_seq[id] = event_seq;
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(checker->first_message[id], INVARIANT_MESSAGE_CAPACITY, format, arguments);
    va_end(arguments);
}

/* Copies what k (borrowed) publishes now. */
void invariants_before_event(invariant_checker *checker, const kernel *k) {
    published_view *view = &checker->before;
    view->published_capital = k->projection.published.capital;
    view->published_source = k->projection.published.source;
    view->published_wallet = k->projection.published.e_wallet_balance;
    view->nav_total = k->aum.nav_total;
    view->has_valid_wallet = k->has_valid_wallet;
    view->last_valid_wallet = k->last_valid_wallet;
}

/* Equal, or both NaN: "did not move". */
static bool same(double before, double after) { return before == after || (isnan(before) && isnan(after)); }

/* A balance fact carrying no valid wallet (the zero-wallet frame lesson). */
static bool invalid_wallet(const exchange_fact *fact) {
    return fact->type == FACT_BALANCE && !(fact->wallet_balance > 0 && isfinite(fact->wallet_balance));
}

/* invalid_wallet_frame_inert for one applied event (borrowed). */
static void check_wallet_frames(invariant_checker *checker, const kernel *k, const exchange_event *event,
                                long event_seq) {
    size_t balances = 0, invalid = 0;
    for (size_t index = 0; index < event->fact_count; index++) {
        balances += event->facts[index].type == FACT_BALANCE;
        invalid += invalid_wallet(&event->facts[index]);
    }
    if (balances == 0 || invalid != balances) return;
    const published_view *before = &checker->before;
    const published_capital *published = &k->projection.published;
    if (!same(before->published_wallet, published->e_wallet_balance) ||
        before->has_valid_wallet != k->has_valid_wallet || !same(before->last_valid_wallet, k->last_valid_wallet))
        violate(checker, INVARIANT_INVALID_WALLET_FRAME_INERT, event_seq,
                "event %s: an invalid wallet frame moved the wallet anchor", event->event_id);
    if (balances != event->fact_count) return;
    if (!same(before->published_capital, published->capital) || before->published_source != published->source ||
        !same(before->nav_total, k->aum.nav_total))
        violate(checker, INVARIANT_INVALID_WALLET_FRAME_INERT, event_seq,
                "event %s: a zero-wallet frame moved published capital or NAV", event->event_id);
}

/* True when the kernel's book holds a non-zero quantity of symbol. */
static bool holds(const kernel *k, const char *symbol) {
    const book_position *position = book_find(&k->book, symbol);
    return position != NULL && position->qty != 0;
}

/* Resolves the waiting detections against the snapshot seq with status. */
static void observe_snapshot(invariant_checker *checker, long seq, reconcile_status status) {
    while (checker->pending_count > 0) {
        pending_detection *oldest = &checker->pending[checker->pending_head];
        if (oldest->first_seq > seq) break;
        if (status != RECONCILE_OK) {
            checker->detected[oldest->kind]++;
            checker->detected_on_ok[oldest->kind] += oldest->on_ok;
        } else if (seq < oldest->last_seq)
            break; /* still inside its window; later entries are too */
        checker->pending_head = (checker->pending_head + 1) % DETECTION_PENDING_MAX;
        checker->pending_count--;
    }
}

/* Checks every invariant after event; see invariants.h. */
void invariants_after_event(invariant_checker *checker, const kernel *k, const exchange_event *event, bool applied,
                            const venue *exchange) {
    checker->events_checked++;
    long seq = k->projection.snapshot.event_seq;
    if (exchange != NULL) {
        double error = venue_conservation_error(exchange);
        if (!(error <= MONEY_CONSERVATION_TOLERANCE))
            violate(checker, INVARIANT_MONEY_CONSERVED, seq, "after event %s: relative error %g", event->event_id,
                    error);
    }
    if (!applied) return;
    if (!dedup_admit(&checker->applied_ids, event->event_id))
        violate(checker, INVARIANT_EVENT_APPLIED_ONCE, seq, "event %s applied again", event->event_id);
    check_wallet_frames(checker, k, event, seq);
    for (size_t index = 0; index < k->intent_count; index++)
        if (!holds(k, k->intents[index].symbol))
            violate(checker, INVARIANT_EXIT_INTENT_HAS_POSITION, seq, "exit intent for %s without a position",
                    k->intents[index].symbol);
    for (size_t index = 0; index < k->registry.count; index++)
        if (!holds(k, k->registry.entries[index].symbol))
            violate(checker, INVARIANT_REGISTRY_HAS_POSITION, seq, "registry entry %s without a position after sync",
                    k->registry.entries[index].symbol);
    observe_snapshot(checker, seq, k->projection.snapshot.reconcile.status);
}

/* Starts the detection window of one fault injected after snapshot last_seq. */
void invariants_fault_injected(invariant_checker *checker, fault_kind kind, long last_seq,
                               reconcile_status last_status) {
    assert(kind >= 0 && kind < FAULT_KIND_COUNT);
    if (checker->pending_count == DETECTION_PENDING_MAX) {
        checker->injected[kind]++;
        checker->unmeasured[kind]++;
        return;
    }
    bool on_ok = last_status == RECONCILE_OK;
    checker->injected[kind]++;
    checker->injected_on_ok[kind] += on_ok;
    size_t slot = (checker->pending_head + checker->pending_count) % DETECTION_PENDING_MAX;
    checker->pending[slot] = (pending_detection){kind, on_ok, last_seq + 1, last_seq + checker->window};
    checker->pending_count++;
}

/* Drops the faults still waiting: they were not detected. */
void invariants_finish(invariant_checker *checker) {
    checker->pending_head = 0;
    checker->pending_count = 0;
}

/* Sum of the violations of every invariant. */
long invariants_total_violations(const invariant_checker *checker) {
    long total = 0;
    for (int index = 0; index < INVARIANT_COUNT; index++) total += checker->violations[index];
    return total;
}

/* Writes "invariants" and "detection" into the open object of writer. */
void invariants_render(const invariant_checker *checker, json_writer *writer) {
    JSON_KEY(writer, "invariants");
    json_object_begin(writer);
    for (int index = 0; index < INVARIANT_COUNT; index++) {
        json_key(writer, invariant_names[index]);
        json_object_begin(writer);
        JSON_KEY(writer, "violations"); json_integer(writer, checker->violations[index]);
        JSON_KEY(writer, "first_event_seq");
        if (checker->violations[index] > 0)
            json_integer(writer, checker->first_event_seq[index]);
        else
            json_null(writer);
        JSON_KEY(writer, "first");
        if (checker->violations[index] > 0)
            json_string(writer, checker->first_message[index]);
        else
            json_null(writer);
        json_object_end(writer);
    }
    json_object_end(writer);
    JSON_KEY(writer, "detection");
    json_object_begin(writer);
    JSON_KEY(writer, "window"); json_integer(writer, checker->window);
    fault_kind kinds_sorted[FAULT_KIND_COUNT];
    fault_kinds_sorted(kinds_sorted);
    for (int position = 0; position < FAULT_KIND_COUNT; position++) {
        fault_kind kind = kinds_sorted[position];
        long measured = checker->injected[kind] - checker->unmeasured[kind];
        json_key(writer, fault_kind_name(kind));
        json_object_begin(writer);
        JSON_KEY(writer, "injected"); json_integer(writer, checker->injected[kind]);
        JSON_KEY(writer, "detected"); json_integer(writer, checker->detected[kind]);
        JSON_KEY(writer, "rate");
        json_optional_number(writer, measured > 0, measured > 0 ? (double)checker->detected[kind] / (double)measured : 0);
        JSON_KEY(writer, "injected_on_ok"); json_integer(writer, checker->injected_on_ok[kind]);
        JSON_KEY(writer, "detected_on_ok"); json_integer(writer, checker->detected_on_ok[kind]);
        long on_ok = checker->injected_on_ok[kind];
        JSON_KEY(writer, "rate_on_ok");
        json_optional_number(writer, on_ok > 0, on_ok > 0 ? (double)checker->detected_on_ok[kind] / (double)on_ok : 0);
        JSON_KEY(writer, "unmeasured"); json_integer(writer, checker->unmeasured[kind]);
        json_object_end(writer);
    }
    json_object_end(writer);
}
