/* event.c -- see event.h. */
#include "sim/event.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "core/text.h"

/* Empties event and names it; the caller owns event. */
void event_start(exchange_event *event, const char *event_id, bool synthetic, double ts, long line) {
    event->event_id_length = text_copy(event->event_id, sizeof event->event_id, event_id);
    event->synthetic = synthetic;
    event->ts = ts;
    event->line = line;
    event->fact_count = 0;
}

/* Appends a copy of fact (borrowed) to event (owned by the caller). */
bool event_add_fact(exchange_event *event, const exchange_fact *fact) {
    assert(event->fact_count <= EVENT_ROWS_MAX);
    if (event->fact_count == EVENT_ROWS_MAX) return false;
    event->facts[event->fact_count++] = *fact;
    return true;
}

exchange_fact *event_append_fact(exchange_event *event) {
    assert(event->fact_count <= EVENT_ROWS_MAX);
    if (event->fact_count == EVENT_ROWS_MAX) return NULL;
    return &event->facts[event->fact_count++];
}

/* Copies the used part of source into target; both belong to the caller. */
void event_copy(exchange_event *target, const exchange_event *source) {
    assert(source->fact_count <= EVENT_ROWS_MAX);
    if (target == source) return;
    memcpy(target->event_id, source->event_id, sizeof target->event_id);
    target->event_id_length = source->event_id_length;
    target->synthetic = source->synthetic;
    target->ts = source->ts;
    target->line = source->line;
    target->fact_count = source->fact_count;
    memcpy(target->facts, source->facts, source->fact_count * sizeof source->facts[0]);
}

/* Borrowed pointer to the first non-empty fact symbol of event, or NULL. */
const char *event_first_symbol(const exchange_event *event) {
    for (size_t index = 0; index < event->fact_count; index++)
        if (event->facts[index].symbol[0] != '\0') return event->facts[index].symbol;
    return NULL;
}

void event_synthetic_id(char out[EVENT_ID_CAPACITY], long line) {
    assert(line > 0);
    snprintf(out, EVENT_ID_CAPACITY, "row%ld", line);
}
