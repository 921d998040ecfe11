/* faults.h -- the fault injector: between the venue (or the scenario's
 * exchange facts) and the kernel, it spoils the event stream the way real
 * venues and networks do (scenario format, "Faults").
 *
 * The kinds of io/fault_kinds.h: stale_mark, zero_wallet, orphan_tp_sl,
 * drop, duplicate, delay, corrupt. They come from `fault` rows (scripted: they act at their
 * place in the timeline, on the next events) or are drawn: with a plan
 * "KIND=P,..." every event that reaches the injector is hit by each kind
 * with probability P. Each drawn kind has its own GSL mt19937 generator,
 * seeded from (seed, kind), which draws exactly one uniform per event (then
 * the kind's own parameters when it hits): adding a kind to the plan never
 * moves the draws of another.
 *
 * One injected fault = one event (or registry entry) it spoiled: a scripted
 * `drop value=3` that drops three events is three faults, each reported to
 * the sink (logged to faults.jsonl, counted in faults_injected) before the
 * event it hit moves on. What each kind does to the event it hits:
 *   stale_mark   the mark facts of the symbol are removed from the kernel's
 *                copy for its next N mark facts (drawn: N in 1..5, the
 *                symbol of the event's first mark, else its first symbol);
 *                an event left with no fact is not delivered at all
 *   zero_wallet  a balance event with every field 0 is delivered first
 *                (scripted: here, as event row<LINE>; drawn: before the
 *                event, as zero_wallet<N>)
 *   orphan_tp_sl a registry entry for a symbol without a position (drawn:
 *                the event's first symbol the kernel does not hold, tp/sl
 *                at mark * 1.02 / 0.99 when it has a mark)
 *   drop         the event never reaches the kernel
 *   duplicate    the event is delivered twice in a row (a harness id such
 *                as row<LINE> is then delivered as a real id, so that the
 *                kernel's deduplication sees it, as it would a venue's)
 *   delay        the event is held and delivered after N later deliveries
 *                (drawn: N in 1..3); at most FAULT_HELD_EVENTS_MAX events
 *                are held at once: a delay beyond that is not injected
 *   corrupt      one numeric field of one fact becomes NaN (scripted: the
 *                first fact carrying FIELD, waiting for an event that has
 *                one; drawn: a field drawn among the event's)
 * When several kinds hit one event they act in the order above; a dropped
 * event is not also delayed or duplicated.
 *
 * Fixed memory: the held events, FAULT_ARMED_MAX scripted delays and
 * corruptions waiting for their event, one stale counter per symbol. */
#ifndef LEDGERSIM_SIM_FAULTS_H
#define LEDGERSIM_SIM_FAULTS_H

#include <gsl/gsl_rng.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/ledger.h"
#include "core/limits.h"
#include "io/fault_kinds.h"
#include "sim/event.h"

enum {
    FAULT_HELD_EVENTS_MAX = 8,        /* events a delay holds at once */
    FAULT_ARMED_MAX = 64,             /* scripted delays / corruptions waiting for their event */
    FAULT_FIELD_CAPACITY = 24,        /* bytes of a corruptible field name, NUL included */
    FAULT_PLAN_TEXT_CAPACITY = 512,   /* bytes of a plan's canonical text */
    FAULT_STALE_DRAWN_MAX = 5,        /* drawn stale_mark hides 1..this many marks */
    FAULT_DELAY_DRAWN_MAX = 3         /* drawn delay waits 1..this many deliveries */
};

/* --faults: the probability per event of each kind (0: not drawn). */
typedef struct {
    double probability[FAULT_KIND_COUNT];
    bool any;                         /* some probability > 0 */
} fault_plan;

/* What one injected fault did, for the sink (all pointers borrowed for the
 * duration of the callback). */
typedef struct {
    fault_kind kind;
    bool drawn;                       /* from the plan; false: a fault row */
    const char *symbol;               /* may be NULL */
    const char *event_id;             /* the event it hit; NULL for an orphan entry */
    long count;                       /* delay: deliveries to wait; stale_mark: marks still hidden after this one */
    const char *field;                /* corrupt: the field made NaN */
    double price;                     /* stale_mark: the mark the kernel did not see */
    bool has_tp, has_sl;              /* orphan_tp_sl */
    double tp, sl;
} fault_record;

/* Where the injector's output goes; context is passed back to each call. */
typedef struct {
    void *context;
    /* One event for the kernel. The event is borrowed for the call only and
     * must not be kept; deliver must not submit events to the injector. */
    void (*deliver)(void *context, exchange_event *event);
    /* One fault was injected (before the event it hit is delivered). */
    void (*injected)(void *context, const fault_record *record);
    /* Writes a registry entry into the kernel (orphan_tp_sl). */
    void (*put_tp_sl)(void *context, const registry_entry *entry);
    /* Whether the kernel holds a position in symbol. */
    bool (*holds_position)(void *context, const char *symbol);
    /* The kernel's mark of symbol; false when none. */
    bool (*mark)(void *context, const char *symbol, double *mark);
} fault_sink;

typedef enum { HELD_FREE = 0, HELD_WAITING, HELD_RELEASING } held_state;

typedef struct {
    held_state state;
    long wait;                        /* deliveries still to pass before release */
    long order;                       /* hold order: equal waits release in it */
    exchange_event event;
} held_event;

typedef struct {
    char symbol[SYMBOL_CAPACITY];
    long scripted_remaining;          /* mark facts still to hide for fault rows (hidden first) */
    long drawn_remaining;             /* mark facts still to hide for drawn faults */
} stale_symbol;

typedef struct {
    fault_plan plan;
    unsigned long seed;
    gsl_rng *generators[FAULT_KIND_COUNT];  /* owned; NULL for kinds not drawn */
    fault_sink sink;
    long drop_remaining;                    /* scripted drops still due */
    long duplicate_remaining;               /* scripted duplicates still due */
    long armed_delays[FAULT_ARMED_MAX];     /* FIFO of scripted delays (N each) */
    size_t armed_delay_count;
    char armed_corruptions[FAULT_ARMED_MAX][FAULT_FIELD_CAPACITY]; /* FIFO of scripted fields */
    size_t armed_corruption_count;
    stale_symbol stale[SYMBOLS_MAX];        /* sorted by symbol */
    size_t stale_count;
    held_event held[FAULT_HELD_EVENTS_MAX];
    long hold_order;
    exchange_event scratch;                 /* zero-wallet frames */
    long zero_wallet_frames;                /* drawn frames so far (their names) */
    long injected[FAULT_KIND_COUNT];
    long not_injected[FAULT_KIND_COUNT];    /* hits that found nothing to act on (or no room) */
    long events_submitted;
} fault_injector;

/* Parses "KIND=P[,KIND=P]..." (P a number in [0, 1]; "all=P" sets every
 * kind; a later entry overrides an earlier one). False with a message in
 * error on any deviation; plan is then unspecified. */
bool fault_plan_parse(const char *text, fault_plan *plan, char *error, size_t error_capacity) WARN_UNUSED_RESULT;

/* The canonical text of plan: "KIND=P,..." in kind order, kinds with P > 0
 * only ("" when none). out has capacity bytes. */
void fault_plan_format(const fault_plan *plan, char *out, size_t capacity);

/* Starts an injector with plan and seed (both copied) and sink (copied).
 * Allocates one generator per drawn kind. False when out of memory
 * (nothing to free then). The injector is large: allocate it. */
bool fault_injector_init(fault_injector *injector, const fault_plan *plan, unsigned long seed,
                         const fault_sink *sink) WARN_UNUSED_RESULT;

/* Frees the generators. Safe twice. */
void fault_injector_free(fault_injector *injector);

/* One event arrives from its producer (borrowed; the injector may edit it
 * in place: stale marks removed, a field corrupted, the id made real). It
 * is delivered, dropped, held, or delivered twice; held events that are
 * due follow. */
void fault_injector_submit(fault_injector *injector, exchange_event *event);

/* A fault row: kind, symbol (may be ""), value (text), tp/sl (given or
 * not), its ts and line. zero_wallet and orphan_tp_sl act now; the others
 * are armed for the next events. False with a message in error when value
 * does not fit the kind or FAULT_ARMED_MAX faults already wait. */
bool fault_injector_script(fault_injector *injector, fault_kind kind, const char *symbol, const char *value,
                           bool has_tp, double tp, bool has_sl, double sl, double ts, long line, char *error,
                           size_t error_capacity) WARN_UNUSED_RESULT;

/* Delivers every held event now, in hold order (the end of the stream). */
void fault_injector_release_all(fault_injector *injector);

/* Events held right now. */
size_t fault_injector_held_count(const fault_injector *injector);

#endif
