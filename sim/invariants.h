/* invariants.h -- what must hold after every event of a simulated run, and
 * how well the reconcile rules notice the faults (issue 5, item 3).
 *
 * Invariants, checked after each event the kernel is handed:
 *   money_conserved             the venue's wallet = seed + realized - fees
 *                               - funding, to 1e-9 relative
 *   event_applied_once          no event id is applied twice by the kernel
 *                               (checked against an id window of its own,
 *                               the size of the kernel's)
 *   invalid_wallet_frame_inert  an event whose balance facts all carry a zero
 *                               or non-finite wallet moves neither the
 *                               published wallet anchor nor the last valid
 *                               wallet; one made of such balance facts
 *                               alone moves neither published capital (nor
 *                               its source) nor nav_total
 *   exit_intent_has_position    every exit intent names a symbol the kernel
 *                               holds
 *   registry_has_position       after the event's sync, every registry entry
 *                               names a symbol the kernel holds
 * Detection: an injected fault counts as detected when a snapshot with a
 * status other than OK is built within window snapshots from it (the
 * snapshot of the event it hit included). Faults still waiting at the end
 * are not detected. At most DETECTION_PENDING_MAX wait at once; one more
 * is counted as unmeasured. Because a kernel that a fault has put out of
 * step stays non-OK, the same share is also kept for the faults that hit
 * a kernel whose last snapshot was OK ("on_ok"): how often a fault turns a
 * healthy reconcile into a warning or an error.
 *
 * Fixed memory (about 5 MiB: allocate it); no I/O, no globals. */
#ifndef LEDGERSIM_SIM_INVARIANTS_H
#define LEDGERSIM_SIM_INVARIANTS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/dedup.h"
#include "core/kernel.h"
#include "core/limits.h"
#include "io/json_writer.h"
#include "sim/event.h"
#include "sim/faults.h"
#include "sim/venue.h"

typedef enum {
    INVARIANT_EVENT_APPLIED_ONCE, INVARIANT_EXIT_INTENT_HAS_POSITION, INVARIANT_INVALID_WALLET_FRAME_INERT,
    INVARIANT_MONEY_CONSERVED, INVARIANT_REGISTRY_HAS_POSITION, INVARIANT_COUNT
} invariant_id;

enum {
    DETECTION_PENDING_MAX = 4096,     /* faults waiting for their verdict at once */
    DETECT_WINDOW_DEFAULT = 5,        /* snapshots */
    DETECT_WINDOW_MAX = 1000,         /* snapshots */
    INVARIANT_MESSAGE_CAPACITY = 192  /* bytes of the first violation's description */
};

#define MONEY_CONSERVATION_TOLERANCE 1e-9 /* relative */

typedef struct {
    fault_kind kind;
    bool on_ok;                       /* the kernel's last snapshot was OK when it hit */
    long first_seq;                   /* the first snapshot that may show it */
    long last_seq;                    /* the last one */
} pending_detection;

/* What the kernel published before the event under check. */
typedef struct {
    double published_capital;
    capital_source published_source;
    double published_wallet;
    double nav_total;
    bool has_valid_wallet;
    double last_valid_wallet;
} published_view;

typedef struct {
    long violations[INVARIANT_COUNT];
    long first_event_seq[INVARIANT_COUNT];           /* of the first violation; 0 none */
    char first_message[INVARIANT_COUNT][INVARIANT_MESSAGE_CAPACITY];
    long events_checked;
    published_view before;
    event_id_window applied_ids;                     /* ids the kernel applied */
    long window;                                     /* snapshots */
    pending_detection pending[DETECTION_PENDING_MAX]; /* ring, in injection order */
    size_t pending_head;
    size_t pending_count;
    long injected[FAULT_KIND_COUNT];
    long detected[FAULT_KIND_COUNT];
    long injected_on_ok[FAULT_KIND_COUNT];
    long detected_on_ok[FAULT_KIND_COUNT];
    long unmeasured[FAULT_KIND_COUNT];
} invariant_checker;

/* The static name of an invariant ("money_conserved", ...). */
const char *invariant_name(invariant_id id);

/* Starts a checker with a detection window (1..DETECT_WINDOW_MAX snapshots). */
void invariants_init(invariant_checker *checker, long window);

/* Records what k (borrowed) publishes before the next event is handed to it. */
void invariants_before_event(invariant_checker *checker, const kernel *k);

/* Checks the invariants after event (borrowed) was handed to k; applied is
 * kernel_begin_event's answer. exchange may be NULL (no venue in the run). */
void invariants_after_event(invariant_checker *checker, const kernel *k, const exchange_event *event, bool applied,
                            const venue *exchange);

/* A fault of kind was injected while the kernel's last snapshot was
 * last_seq with status last_status: the next window snapshots decide
 * whether it was detected. */
void invariants_fault_injected(invariant_checker *checker, fault_kind kind, long last_seq,
                               reconcile_status last_status);

/* Ends the run: faults still waiting are not detected. */
void invariants_finish(invariant_checker *checker);

/* Sum of every invariant's violations. */
long invariants_total_violations(const invariant_checker *checker);

/* Writes the members "invariants" {NAME: {violations, first_event_seq,
 * first}} and "detection" {window, KIND: {injected, detected, rate,
 * injected_on_ok, detected_on_ok, rate_on_ok, unmeasured}} into the open
 * object of writer (borrowed). */
void invariants_render(const invariant_checker *checker, json_writer *writer);

#endif
