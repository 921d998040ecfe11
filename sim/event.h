/* event.h -- one exchange event as the simulator moves it: the facts of one
 * venue frame (consecutive scenario rows sharing an event_id, or one
 * execution of the simulated venue), on their way to the kernel.
 *
 * Producers (the replay's row grouping, sim/venue) fill it; the fault
 * injector (sim/faults) may edit, hold, drop or repeat it; the replay hands
 * it to the kernel. Plain value type: no pointers, copied whole when held. */
#ifndef LEDGERSIM_SIM_EVENT_H
#define LEDGERSIM_SIM_EVENT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/kernel.h"
#include "core/limits.h"

typedef struct {
    char event_id[EVENT_ID_CAPACITY];
    size_t event_id_length;                /* strlen(event_id) */
    bool synthetic;                        /* id made up by the harness (row<LINE>): unique, not deduplicated */
    double ts;                             /* epoch seconds of the event's first row */
    long line;                             /* scenario line it came from (0: made by the venue or a fault) */
    exchange_fact facts[EVENT_ROWS_MAX];
    size_t fact_count;                     /* <= EVENT_ROWS_MAX */
} exchange_event;

/* Empties event and gives it an id (copied, cut at EVENT_ID_CAPACITY - 1
 * bytes), the synthetic flag, a ts and a line. */
void event_start(exchange_event *event, const char *event_id, bool synthetic, double ts, long line);

/* Appends a copy of fact. False (event unchanged) when the event already
 * holds EVENT_ROWS_MAX facts. */
bool event_add_fact(exchange_event *event, const exchange_fact *fact) WARN_UNUSED_RESULT;

/* Appends a fact and returns it for the caller to fill, every field
 * (saves a copy and a clearing); NULL (event unchanged) when the event
 * already holds EVENT_ROWS_MAX facts. The pointer is into event. */
exchange_fact *event_append_fact(exchange_event *event) WARN_UNUSED_RESULT;

/* Copies source into target, only the facts in use (an event is large). */
void event_copy(exchange_event *target, const exchange_event *source);

/* The id of an event from a row without an event_id, "row<LINE>" (the
 * scenario format's rule), into out. */
void event_synthetic_id(char out[EVENT_ID_CAPACITY], long line);

/* The symbol of the event's first fact that names one, or NULL. The
 * pointer is into the event (borrowed). */
const char *event_first_symbol(const exchange_event *event);

#endif
