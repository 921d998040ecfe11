/* dedup.h -- the event ids already applied, in a fixed window.
 *
 * The scenario format skips an event id applied earlier in the run. A run
 * streams millions of events in fixed memory, so the set is a window: the
 * DEDUP_WINDOW_IDS most recent distinct ids, exact within it (ids are
 * compared whole, not by hash). Exchanges redeliver within seconds, far inside
 * the window. Synthetic ids (row<LINE>) are unique by construction: callers
 * do not pass them here. */
#ifndef LEDGERSIM_CORE_DEDUP_H
#define LEDGERSIM_CORE_DEDUP_H

#include <stdbool.h>
#include <stdint.h>

#include "core/limits.h"

enum {
    DEDUP_TABLE_SLOTS = DEDUP_WINDOW_IDS * 2,
    DEDUP_INDEX_BITS = 17              /* holds DEDUP_WINDOW_IDS (ring index + 1) */
};

typedef struct {
    char ids[DEDUP_WINDOW_IDS][EVENT_ID_CAPACITY]; /* ring of remembered ids */
    uint32_t hashes[DEDUP_WINDOW_IDS];             /* each id's hash: eviction reads these, not the ids */
    /* Open addressing: the ring index + 1 in the low DEDUP_INDEX_BITS (0:
     * empty), the top bits of the id's hash above them. A probe compares
     * those bits first and reads an id only when they match. */
    uint32_t table[DEDUP_TABLE_SLOTS];
    uint32_t next;                                 /* ring slot to overwrite next */
    uint32_t stored;                               /* ids in the ring */
} event_id_window;

void dedup_init(event_id_window *window);

/* A hint, no effect on results: asks the CPU to fetch the table lines a
 * later dedup_admit(window, id) will read (its probe, and the eviction of
 * the oldest id), so that the misses overlap the caller's other work. A
 * driver calls it when an event begins, a few rows before it is applied. */
void dedup_prefetch(const event_id_window *window, const char *id);

/* Remembers id and returns true when it is new; false when it is in the
 * window already (a duplicate delivery). */
bool dedup_admit(event_id_window *window, const char *id) WARN_UNUSED_RESULT;

#endif
