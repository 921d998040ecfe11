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

/* The table slot holding id, or the empty slot where it would go. */
static uint32_t table_probe(const event_id_window *window, const char *id, bool *found) {
    uint32_t slot = hash_id(id) & (DEDUP_TABLE_SLOTS - 1);
    for (;;) {
        uint32_t entry = window->table[slot];
        if (entry == 0) {
            *found = false;
            return slot;
        }
        if (strcmp(window->ids[entry - 1], id) == 0) {
            *found = true;
            return slot;
        }
        slot = (slot + 1) & (DEDUP_TABLE_SLOTS - 1);
    }
}

/* Removes the table slot at hole, shifting later probe chains back. */
static void table_remove(event_id_window *window, uint32_t hole) {
    uint32_t slot = hole;
    for (;;) {
        slot = (slot + 1) & (DEDUP_TABLE_SLOTS - 1);
        uint32_t entry = window->table[slot];
        if (entry == 0) break;
        uint32_t home = hash_id(window->ids[entry - 1]) & (DEDUP_TABLE_SLOTS - 1);
        bool movable = hole <= slot ? (home <= hole || home > slot) : (home <= hole && home > slot);
        if (movable) {
            window->table[hole] = entry;
            hole = slot;
        }
    }
    window->table[hole] = 0;
}

bool dedup_admit(event_id_window *window, const char *id) {
    assert(strlen(id) < EVENT_ID_CAPACITY);
    bool found;
    uint32_t slot = table_probe(window, id, &found);
    if (found) return false;
    if (window->stored == DEDUP_WINDOW_IDS) {
        bool old_found;
        uint32_t old_slot = table_probe(window, window->ids[window->next], &old_found);
        assert(old_found);
        table_remove(window, old_slot);
        slot = table_probe(window, id, &found);
    } else {
        window->stored++;
    }
    strcpy(window->ids[window->next], id);
    window->table[slot] = window->next + 1;
    window->next = (window->next + 1) % DEDUP_WINDOW_IDS;
    return true;
}
