/* test_dedup.c -- core/dedup.c: the window of the DEDUP_WINDOW_IDS most
 * recent distinct event ids. Checked against hand-traced sequences, a
 * brute-force reference model over a long random stream, and probe chains
 * built on purpose (ids sharing one home slot, wrapping the table's end). */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/dedup.h"

/* An initialized window on the heap (it is about 4.5 MiB), filled with
 * garbage before dedup_init: the live adapter mallocs its kernel, so init
 * must set everything a lookup or an admit reads. */
static event_id_window *new_window(void) {
    event_id_window *window = malloc(sizeof *window);
    ck_assert_ptr_nonnull(window);
    memset(window, 0xa5, sizeof *window);
    dedup_init(window);
    return window;
}

/* Writes the id "id<number>" into out. */
static void numbered_id(char out[EVENT_ID_CAPACITY], unsigned long number) {
    snprintf(out, EVENT_ID_CAPACITY, "id%lu", number);
}

/* Admits "id<number>". */
static bool admit_number(event_id_window *window, unsigned long number) {
    char id[EVENT_ID_CAPACITY];
    numbered_id(id, number);
    return dedup_admit(window, id);
}

START_TEST(test_duplicate_detected) {
    event_id_window *window = new_window();
    ck_assert(dedup_admit(window, "e1"));
    ck_assert(!dedup_admit(window, "e1"));
    ck_assert(!dedup_admit(window, "e1"));
    ck_assert(dedup_admit(window, "e2"));
    ck_assert(!dedup_admit(window, "e1"));
    ck_assert(!dedup_admit(window, "e2"));
    /* compared whole: prefixes, case and a trailing space are other ids */
    ck_assert(dedup_admit(window, "e"));
    ck_assert(dedup_admit(window, "e12"));
    ck_assert(dedup_admit(window, "E1"));
    ck_assert(dedup_admit(window, "e1 "));
    ck_assert(!dedup_admit(window, "e12"));
    /* the longest id (63 bytes) */
    char longest[EVENT_ID_CAPACITY];
    memset(longest, 'x', EVENT_ID_CAPACITY - 1);
    longest[EVENT_ID_CAPACITY - 1] = '\0';
    ck_assert(dedup_admit(window, longest));
    ck_assert(!dedup_admit(window, longest));
    longest[EVENT_ID_CAPACITY - 2] = 'y';
    ck_assert(dedup_admit(window, longest));
    free(window);
}
END_TEST

START_TEST(test_init_forgets_everything) {
    event_id_window *window = new_window();
    ck_assert(dedup_admit(window, "e1"));
    dedup_init(window);
    ck_assert(dedup_admit(window, "e1"));
    free(window);
}
END_TEST

START_TEST(test_window_eviction_order) {
    event_id_window *window = new_window();
    for (unsigned long number = 0; number < DEDUP_WINDOW_IDS; number++)
        if (!admit_number(window, number)) ck_abort_msg("id%lu refused", number);
    /* exactly DEDUP_WINDOW_IDS distinct ids: all still remembered */
    ck_assert(!admit_number(window, 0));
    ck_assert(!admit_number(window, DEDUP_WINDOW_IDS - 1));
    /* one more evicts the oldest (id0) and nothing else */
    ck_assert(admit_number(window, DEDUP_WINDOW_IDS));
    ck_assert(!admit_number(window, 1));
    ck_assert(admit_number(window, 0)); /* new again: evicts id1 */
    ck_assert(admit_number(window, 1)); /* evicts id2 */
    ck_assert(admit_number(window, 2)); /* evicts id3 */
    ck_assert(!admit_number(window, 4));
    ck_assert(!admit_number(window, DEDUP_WINDOW_IDS));
    ck_assert(!admit_number(window, 0));
    ck_assert(admit_number(window, 3));
    free(window);
}
END_TEST

START_TEST(test_refused_duplicates_do_not_refresh) {
    /* A duplicate is not an admission: it neither evicts nor moves an id. */
    event_id_window *window = new_window();
    for (unsigned long number = 0; number < DEDUP_WINDOW_IDS; number++) (void)admit_number(window, number);
    for (int repeat = 0; repeat < 1000; repeat++) ck_assert(!admit_number(window, 5));
    ck_assert(!admit_number(window, 0)); /* nothing was evicted by the repeats */
    for (unsigned long number = 0; number < 6; number++)
        ck_assert(admit_number(window, DEDUP_WINDOW_IDS + number)); /* evicts id0..id5 */
    ck_assert(admit_number(window, 5)); /* id5 aged out in admission order */
    ck_assert(!admit_number(window, 7));
    free(window);
}
END_TEST

/* splitmix64: the fixed-seed generator of the model test. */
static uint64_t next_random(uint64_t *state) {
    uint64_t mixed = (*state += 0x9E3779B97F4A7C15ULL);
    mixed = (mixed ^ (mixed >> 30)) * 0xBF58476D1CE4E5B9ULL;
    mixed = (mixed ^ (mixed >> 27)) * 0x94D049BB133111EBULL;
    return mixed ^ (mixed >> 31);
}

/* The id of universe member number: short ones and 63-byte ones. */
static void universe_id(char out[EVENT_ID_CAPACITY], uint32_t number) {
    if (number % 3 == 0)
        snprintf(out, EVENT_ID_CAPACITY, "%-53s%010u", "order-update-with-a-long-exchange-id", (unsigned)number);
    else
        snprintf(out, EVENT_ID_CAPACITY, "u%u", (unsigned)number);
}

START_TEST(test_matches_reference_model) {
    /* The model: a ring of the admitted ids and a membership flag per id. */
    enum { UNIVERSE = 100000, OPERATIONS = 1200000 };
    event_id_window *window = new_window();
    uint32_t *ring = malloc(DEDUP_WINDOW_IDS * sizeof *ring);
    unsigned char *member = calloc(UNIVERSE, 1);
    ck_assert(ring != NULL && member != NULL);
    size_t next = 0, stored = 0;
    long admitted = 0, refused = 0;
    uint64_t state = 7;
    char id[EVENT_ID_CAPACITY];
    for (long operation = 0; operation < OPERATIONS; operation++) {
        uint32_t number = (uint32_t)(next_random(&state) % UNIVERSE);
        universe_id(id, number);
        bool expected = !member[number];
        bool actual = dedup_admit(window, id);
        if (actual != expected)
            ck_abort_msg("operation %ld, id %s: expected %s, got %s", operation, id,
                         expected ? "new" : "duplicate", actual ? "new" : "duplicate");
        if (!expected) {
            refused++;
            continue;
        }
        admitted++;
        if (stored == DEDUP_WINDOW_IDS)
            member[ring[next]] = 0;
        else
            stored++;
        ring[next] = number;
        member[number] = 1;
        next = (next + 1) % DEDUP_WINDOW_IDS;
    }
    /* the stream did churn: several full window turns and many duplicates */
    ck_assert_int_gt(admitted, 4L * DEDUP_WINDOW_IDS);
    ck_assert_int_gt(refused, OPERATIONS / 3);
    free(member);
    free(ring);
    free(window);
}
END_TEST

/* The home slot dedup.c gives an id: FNV-1a 64, folded to 32 bits, masked.
 * Mirrored here only to build colliding ids on purpose. */
static uint32_t home_slot(const char *id) {
    uint64_t hash = 1469598103934665603ULL;
    for (; *id != '\0'; id++) hash = (hash ^ (unsigned char)*id) * 1099511628211ULL;
    return (uint32_t)(hash ^ (hash >> 32)) & (DEDUP_TABLE_SLOTS - 1);
}

/* Finds count ids "c<n>" whose home slot is slot, starting the search at *cursor. */
static void colliding_ids(uint32_t slot, size_t count, unsigned long *cursor, char (*out)[EVENT_ID_CAPACITY]) {
    size_t found = 0;
    while (found < count) {
        char id[EVENT_ID_CAPACITY];
        snprintf(id, sizeof id, "c%lu", (*cursor)++);
        if (home_slot(id) == slot) memcpy(out[found++], id, EVENT_ID_CAPACITY);
    }
}

START_TEST(test_heavy_collisions_across_table_end) {
    /* 24 ids homed on the last slot, 12 on slot 0 and 12 on slot 1: one probe
     * chain that wraps the table's end. Evicting them one by one exercises
     * the backward-shift deletion across the wrap. */
    enum { LAST = 24, FIRST = 12, SECOND = 12, TOTAL = LAST + FIRST + SECOND };
    char (*ids)[EVENT_ID_CAPACITY] = malloc(TOTAL * sizeof *ids);
    ck_assert_ptr_nonnull(ids);
    unsigned long cursor = 0;
    colliding_ids(DEDUP_TABLE_SLOTS - 1, LAST, &cursor, ids);
    colliding_ids(0, FIRST, &cursor, ids + LAST);
    colliding_ids(1, SECOND, &cursor, ids + LAST + FIRST);
    /* interleave the admissions so the chain mixes homes */
    size_t order[TOTAL];
    size_t count = 0;
    for (size_t step = 0; step < LAST; step++) {
        order[count++] = step;
        if (step < FIRST) order[count++] = LAST + step;
        if (step < SECOND) order[count++] = LAST + FIRST + step;
    }
    ck_assert_uint_eq(count, TOTAL);
    event_id_window *window = new_window();
    for (size_t index = 0; index < TOTAL; index++) ck_assert(dedup_admit(window, ids[order[index]]));
    for (size_t index = 0; index < TOTAL; index++) ck_assert(!dedup_admit(window, ids[order[index]]));
    /* fill the rest of the window with ordinary ids, then evict the colliding
     * ones one at a time, checking all the others each time */
    for (unsigned long number = 0; number < DEDUP_WINDOW_IDS - TOTAL; number++)
        if (!admit_number(window, number)) ck_abort_msg("filler id%lu refused", number);
    for (size_t evicted = 0; evicted < TOTAL; evicted++) {
        ck_assert(admit_number(window, 1000000 + evicted)); /* evicts order[evicted] */
        for (size_t index = evicted + 1; index < TOTAL; index++)
            if (dedup_admit(window, ids[order[index]]))
                ck_abort_msg("after %zu evictions, %s was forgotten", evicted + 1, ids[order[index]]);
    }
    /* all evicted now: each is new again (each re-admission evicts a filler) */
    for (size_t index = 0; index < TOTAL; index++) ck_assert(dedup_admit(window, ids[order[index]]));
    for (size_t index = 0; index < TOTAL; index++) ck_assert(!dedup_admit(window, ids[order[index]]));
    free(window);
    free(ids);
}
END_TEST

START_TEST(test_heavy_collisions_in_one_chain_random_churn) {
    /* 200 ids on one home slot, admitted and evicted in a stream where every
     * other admission is a filler: long chains are built, cut in the middle
     * and rebuilt, and the window must stay exact. */
    enum { CHAIN = 200 };
    char (*ids)[EVENT_ID_CAPACITY] = malloc(CHAIN * sizeof *ids);
    ck_assert_ptr_nonnull(ids);
    unsigned long cursor = 5000000;
    colliding_ids(4242, CHAIN, &cursor, ids);
    event_id_window *window = new_window();
    /* admission time of each chain id (-1: never or evicted); a counter of admissions */
    long admitted_at[CHAIN];
    for (size_t index = 0; index < CHAIN; index++) admitted_at[index] = -1;
    long admissions = 0;
    unsigned long filler = 0;
    uint64_t state = 99;
    for (long step = 0; step < 400000; step++) {
        if (step % 2 == 0) {
            if (!admit_number(window, 2000000 + filler++)) ck_abort_msg("filler refused");
            admissions++;
            continue;
        }
        size_t pick = (size_t)(next_random(&state) % CHAIN);
        bool in_window = admitted_at[pick] >= 0 && admissions - admitted_at[pick] < DEDUP_WINDOW_IDS;
        bool admitted = dedup_admit(window, ids[pick]);
        if (admitted == in_window) ck_abort_msg("step %ld: %s expected %s", step, ids[pick], in_window ? "duplicate" : "new");
        if (admitted) admitted_at[pick] = ++admissions;
    }
    free(window);
    free(ids);
}
END_TEST

/* Every test of core/dedup.c. */
static Suite *dedup_suite(void) {
    Suite *suite = suite_create("dedup");
    TCase *basics = tcase_create("basics");
    tcase_add_test(basics, test_duplicate_detected);
    tcase_add_test(basics, test_init_forgets_everything);
    suite_add_tcase(suite, basics);
    TCase *window = tcase_create("window");
    tcase_set_timeout(window, 300);
    tcase_add_test(window, test_window_eviction_order);
    tcase_add_test(window, test_refused_duplicates_do_not_refresh);
    tcase_add_test(window, test_matches_reference_model);
    tcase_add_test(window, test_heavy_collisions_across_table_end);
    tcase_add_test(window, test_heavy_collisions_in_one_chain_random_churn);
    suite_add_tcase(suite, window);
    return suite;
}

int main(void) {
    SRunner *runner = srunner_create(dedup_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
