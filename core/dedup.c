/* dedup.c -- see dedup.h. Deletion from the open-addressing table uses
 * backward-shift so that lookups never need tombstones. */
#include "core/dedup.h"

#include <assert.h>
#include <string.h>

void dedup_init(event_id_window *window) {
    memset(window->table, 0, sizeof window->table);
    window->next = 0;
    window->stored = 0;
}

static uint32_t hash_id(const char *id) {
    uint64_t hash = 1469598103934665603ULL; /* FNV-1a */
    for (; *id != '\0'; id++) hash = (hash ^ (unsigned char)*id) * 1099511628211ULL;
    return (uint32_t)(hash ^ (hash >> 32));
}

_Static_assert(DEDUP_WINDOW_IDS < (1 << DEDUP_INDEX_BITS), "a ring index + 1 fits its bits");

static const uint32_t INDEX_MASK = (UINT32_C(1) << DEDUP_INDEX_BITS) - 1;

/* A table entry: ring_index + 1 and the top bits of hash. */
static uint32_t table_entry(uint32_t hash, uint32_t ring_index) { return (hash & ~INDEX_MASK) | (ring_index + 1); }

/* The table slot holding id (hash: hash_id(id)), or the empty slot where
 * it would go. */
static uint32_t table_probe(const event_id_window *window, const char *id, uint32_t hash, bool *found) {
    uint32_t slot = hash & (DEDUP_TABLE_SLOTS - 1);
    for (;;) {
        uint32_t entry = window->table[slot];
        if (entry == 0) {
            *found = false;
            return slot;
        }
        if (((entry ^ hash) & ~INDEX_MASK) == 0 && strcmp(window->ids[(entry & INDEX_MASK) - 1], id) == 0) {
            *found = true;
            return slot;
        }
        slot = (slot + 1) & (DEDUP_TABLE_SLOTS - 1);
    }
}

/* The table slot that holds ring index ring_index (it is in the table). */
static uint32_t table_slot_of(const event_id_window *window, uint32_t ring_index) {
    uint32_t slot = window->hashes[ring_index] & (DEDUP_TABLE_SLOTS - 1);
    while ((window->table[slot] & INDEX_MASK) != ring_index + 1) {
        assert(window->table[slot] != 0);
        slot = (slot + 1) & (DEDUP_TABLE_SLOTS - 1);
    }
    return slot;
}

/* Removes the table slot at hole, shifting later probe chains back. */
static void table_remove(event_id_window *window, uint32_t hole) {
    uint32_t slot = hole;
    for (;;) {
        slot = (slot + 1) & (DEDUP_TABLE_SLOTS - 1);
        uint32_t entry = window->table[slot];
        if (entry == 0) break;
        uint32_t home = window->hashes[(entry & INDEX_MASK) - 1] & (DEDUP_TABLE_SLOTS - 1);
        bool movable = hole <= slot ? (home <= hole || home > slot) : (home <= hole && home > slot);
        if (movable) {
            window->table[hole] = entry;
            hole = slot;
        }
    }
    window->table[hole] = 0;
}

void dedup_prefetch(const event_id_window *window, const char *id) {
    __builtin_prefetch(&window->table[hash_id(id) & (DEDUP_TABLE_SLOTS - 1)]);
    if (window->stored == DEDUP_WINDOW_IDS)
        __builtin_prefetch(&window->table[window->hashes[window->next] & (DEDUP_TABLE_SLOTS - 1)]);
}

bool dedup_admit(event_id_window *window, const char *id) {
    size_t length = strlen(id);
    assert(length < EVENT_ID_CAPACITY);
    uint32_t hash = hash_id(id);
    bool found;
    uint32_t slot = table_probe(window, id, hash, &found);
    if (found) return false;
    if (window->stored == DEDUP_WINDOW_IDS) {
        table_remove(window, table_slot_of(window, window->next));
        slot = table_probe(window, id, hash, &found);
        assert(!found);
    } else {
        window->stored++;
    }
    memcpy(window->ids[window->next], id, length + 1);
    window->hashes[window->next] = hash;
    window->table[slot] = table_entry(hash, window->next);
    window->next = (window->next + 1) % DEDUP_WINDOW_IDS;
    return true;
}
