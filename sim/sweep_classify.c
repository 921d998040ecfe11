/* sweep_classify.c -- see sweep_classify.h. */
#include "sim/sweep_classify.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/invariants.h"

/* Key layout: per banded rule (R1, R2, R4, R5) 15 bits: evaluated, the
 * count of epsilons |delta| exceeds (7 bits), the count of bands it exceeds
 * (7 bits); R3 two bits (evaluated, counts differ). 4 * 15 + 2 = 62 bits. */
enum {
    KEY_RULE_BITS = 15,
    KEY_COUNT_BITS = 7,
    KEY_EMPTY_SLOT = 0,                /* a key is never 0: bit 63 is set on every key */
    TABLE_INITIAL = 64,                /* hash slots, a power of two */
    RULE_R3 = 2                        /* open_positions: no threshold */
};
_Static_assert(SWEEP_AXIS_VALUES_MAX < (1 << KEY_COUNT_BITS), "a count must fit its key bits");
#define KEY_MARK (1ULL << 63)

typedef struct {
    uint64_t key;
    int64_t count;
    int64_t statuses;                  /* offset in the status arena, -1 until needed */
} key_slot;

typedef struct {
    fault_kind kind;
    bool on_ok;
    long first_seq, last_seq;
} pending_fault;

/* One point's detection queue (a ring that grows up to DETECTION_PENDING_MAX). */
typedef struct {
    pending_fault *items;
    size_t capacity, head, count;
} detection_queue;

struct sweep_classifier {
    const sweep_threshold_grid *grid;
    replay_observer observer;
    long window;
    bool resolved;                     /* thresholds read from the run's config */
    bool failed;                       /* out of memory or a value that does not parse */
    char error[256];
    /* Per banded rule: sorted distinct epsilons and bands, and each point's index into them. */
    double epsilons[SWEEP_RULES][SWEEP_AXIS_VALUES_MAX + 1];
    size_t epsilon_count[SWEEP_RULES];
    double bands[SWEEP_RULES][SWEEP_AXIS_VALUES_MAX + 1];
    size_t band_count[SWEEP_RULES];
    uint8_t *epsilon_index;            /* [point * SWEEP_RULES + rule] */
    uint8_t *band_index;
    key_slot *slots;
    size_t slot_capacity, slot_used;
    uint8_t *arena;                    /* per-point statuses of keys, point_count bytes each */
    size_t arena_used, arena_capacity;
    uint64_t last_key;                 /* of the latest snapshot; 0 before the first */
    detection_queue *queues;           /* per point */
    size_t points_pending;             /* points whose queue is not empty */
    sweep_run_totals totals;
    int64_t *detected;                 /* [point * FAULT_KIND_COUNT + kind] */
};

/* The WARN band of rule under config (R4: the factor; K's notional scales it). */
static double rule_band(const reconcile_config *config, int rule) {
    switch (rule) {
    case 0: return config->pending_fee_bound;
    case 1: return config->realized_rounding;
    case 3: return config->mark_staleness_factor;
    default: assert(rule == 4); return config->leverage_rounding_band;
    }
}

/* Inserts value into the sorted distinct array (count entries); returns nothing. */
static void insert_sorted(double *values, size_t *count, double value) {
    size_t position = 0;
    while (position < *count && values[position] < value) position++;
    if (position < *count && values[position] == value) return;
    assert(*count <= SWEEP_AXIS_VALUES_MAX);
    memmove(values + position + 1, values + position, (*count - position) * sizeof *values);
    values[position] = value;
    (*count)++;
}

/* The index of value in the sorted array (it is there). */
static uint8_t index_of(const double *values, size_t count, double value) {
    for (size_t index = 0; index < count; index++)
        if (values[index] == value) return (uint8_t)index;
    assert(false);
    return 0;
}

/* The thresholds of point under the run's configuration base (borrowed). */
static bool point_thresholds(sweep_classifier *classifier, const kernel_config *base, size_t point,
                             reconcile_config *out) {
    const sweep_threshold_grid *grid = classifier->grid;
    kernel_config config = *base;
    config.locked_keys = 0;
    for (size_t axis = 0; axis < grid->axis_count; axis++) {
        char reason[200];
        const char *value = grid->values[point * grid->axis_count + axis];
        if (config_set(&config, grid->keys[axis], value, reason, sizeof reason) != CONFIG_SET_OK) {
            snprintf(classifier->error, sizeof classifier->error, "%s=%s: %s", grid->keys[axis], value, reason);
            return false;
        }
    }
    *out = config.reconcile;
    return true;
}

/* Reads every point's thresholds from the run's configuration (first callback). */
static void resolve(sweep_classifier *classifier, const kernel *core) {
    classifier->resolved = true;
    const sweep_threshold_grid *grid = classifier->grid;
    reconcile_config *points = malloc(grid->point_count * sizeof *points);
    if (points == NULL) {
        classifier->failed = true;
        snprintf(classifier->error, sizeof classifier->error, "out of memory");
        return;
    }
    for (int rule = 0; rule < SWEEP_RULES; rule++) classifier->epsilon_count[rule] = classifier->band_count[rule] = 0;
    for (size_t point = 0; point < grid->point_count && !classifier->failed; point++) {
        if (!point_thresholds(classifier, &core->projection.config, point, &points[point])) {
            classifier->failed = true;
            break;
        }
        for (int rule = 0; rule < SWEEP_RULES; rule++) {
            if (rule == RULE_R3) continue;
            insert_sorted(classifier->epsilons[rule], &classifier->epsilon_count[rule], points[point].capital_epsilon);
            insert_sorted(classifier->bands[rule], &classifier->band_count[rule], rule_band(&points[point], rule));
        }
    }
    for (size_t point = 0; point < grid->point_count && !classifier->failed; point++)
        for (int rule = 0; rule < SWEEP_RULES; rule++) {
            if (rule == RULE_R3) continue;
            size_t at = point * SWEEP_RULES + (size_t)rule;
            classifier->epsilon_index[at] = index_of(classifier->epsilons[rule], classifier->epsilon_count[rule],
                                                     points[point].capital_epsilon);
            classifier->band_index[at] = index_of(classifier->bands[rule], classifier->band_count[rule],
                                                  rule_band(&points[point], rule));
        }
    free(points);
}

/* How many of the sorted thresholds delta is not within (!(delta <= t):
 * NaN exceeds them all, as in classify_band). scale multiplies each. */
static uint64_t count_exceeded(const double *values, size_t count, double delta, double scale) {
    size_t exceeded = 0;
    while (exceeded < count && !(delta <= values[exceeded] * scale)) exceeded++;
    return exceeded;
}

/* The key of the kernel's latest snapshot. */
static uint64_t snapshot_key(const sweep_classifier *classifier, const kernel *core) {
    const account_snapshot *snapshot = &core->projection.snapshot;
    const reconcile_result *result = &snapshot->reconcile;
    uint64_t key = KEY_MARK;
    if (core->projection.position_count > 0) key |= 1ULL << (4 * KEY_RULE_BITS);
    for (size_t index = 0; index < result->delta_count; index++) {
        const char *name = result->delta_names[index];
        int rule = 0;
        while (rule < SWEEP_RULES && strcmp(kpis_worst_field_names[rule], name) != 0) rule++;
        assert(rule < SWEEP_RULES);
        if (rule == RULE_R3) {
            key |= 1ULL << (4 * KEY_RULE_BITS + 1);
            continue;
        }
        int slot = rule < RULE_R3 ? rule : rule - 1;
        double delta = fabs(result->delta_values[index]);
        double scale = rule == 3 ? snapshot->k.open_notional : 1.0;
        uint64_t bits = 1 | count_exceeded(classifier->epsilons[rule], classifier->epsilon_count[rule], delta, 1.0) << 1 |
                        count_exceeded(classifier->bands[rule], classifier->band_count[rule], delta, scale)
                            << (1 + KEY_COUNT_BITS);
        key |= bits << (slot * KEY_RULE_BITS);
    }
    return key;
}

/* Severity (0 OK, 1 WARN, 2 ERROR) of rule under point for key; -1 when
 * the rule was not evaluated. */
static int key_severity(const sweep_classifier *classifier, uint64_t key, size_t point, int rule) {
    if (rule == RULE_R3) {
        uint64_t bits = key >> (4 * KEY_RULE_BITS);
        return (bits & 1) == 0 ? -1 : (bits & 2) != 0 ? 2 : 0;
    }
    int slot = rule < RULE_R3 ? rule : rule - 1;
    uint64_t bits = key >> (slot * KEY_RULE_BITS);
    if ((bits & 1) == 0) return -1;
    size_t epsilons_exceeded = (bits >> 1) & ((1u << KEY_COUNT_BITS) - 1);
    size_t bands_exceeded = (bits >> (1 + KEY_COUNT_BITS)) & ((1u << KEY_COUNT_BITS) - 1);
    size_t at = point * SWEEP_RULES + (size_t)rule;
    /* Sorted ascending: the point's epsilon is exceeded when its index is below the count. */
    if (classifier->epsilon_index[at] >= epsilons_exceeded) return 0;
    return classifier->band_index[at] >= bands_exceeded ? 1 : 2;
}

/* The slot of key, inserted with count 0 when new; NULL when out of memory. */
static key_slot *find_slot(sweep_classifier *classifier, uint64_t key) {
    if (2 * (classifier->slot_used + 1) > classifier->slot_capacity) {
        size_t capacity = classifier->slot_capacity * 2;
        key_slot *grown = calloc(capacity, sizeof *grown);
        if (grown == NULL) return NULL;
        for (size_t index = 0; index < classifier->slot_capacity; index++) {
            key_slot *old = &classifier->slots[index];
            if (old->key == KEY_EMPTY_SLOT) continue;
            size_t probe = (size_t)(old->key * 0x9E3779B97F4A7C15ULL >> 40) & (capacity - 1);
            while (grown[probe].key != KEY_EMPTY_SLOT) probe = (probe + 1) & (capacity - 1);
            grown[probe] = *old;
        }
        free(classifier->slots);
        classifier->slots = grown;
        classifier->slot_capacity = capacity;
    }
    size_t mask = classifier->slot_capacity - 1;
    size_t probe = (size_t)(key * 0x9E3779B97F4A7C15ULL >> 40) & mask;
    while (classifier->slots[probe].key != key && classifier->slots[probe].key != KEY_EMPTY_SLOT)
        probe = (probe + 1) & mask;
    key_slot *slot = &classifier->slots[probe];
    if (slot->key == KEY_EMPTY_SLOT) {
        *slot = (key_slot){.key = key, .count = 0, .statuses = -1};
        classifier->slot_used++;
    }
    return slot;
}

/* The per-point statuses of key (point_count bytes in the arena); NULL
 * when out of memory. */
static const uint8_t *key_statuses(sweep_classifier *classifier, uint64_t key) {
    key_slot *slot = find_slot(classifier, key);
    if (slot == NULL) return NULL;
    size_t points = classifier->grid->point_count;
    if (slot->statuses < 0) {
        if (classifier->arena_used + points > classifier->arena_capacity) {
            size_t capacity = classifier->arena_capacity * 2 + points;
            uint8_t *grown = realloc(classifier->arena, capacity);
            if (grown == NULL) return NULL;
            classifier->arena = grown;
            classifier->arena_capacity = capacity;
        }
        uint8_t *statuses = classifier->arena + classifier->arena_used;
        for (size_t point = 0; point < points; point++) {
            int worst = 0;
            for (int rule = 0; rule < SWEEP_RULES; rule++) {
                int severity = key_severity(classifier, key, point, rule);
                if (severity > worst) worst = severity;
            }
            statuses[point] = (uint8_t)worst;
        }
        slot->statuses = (int64_t)classifier->arena_used;
        classifier->arena_used += points;
    }
    return classifier->arena + slot->statuses;
}

/* invariants.c's observe_snapshot for one point's queue. */
static void observe_point(sweep_classifier *classifier, size_t point, long seq, int status) {
    detection_queue *queue = &classifier->queues[point];
    while (queue->count > 0) {
        pending_fault *oldest = &queue->items[queue->head];
        if (oldest->first_seq > seq) break;
        if (status != RECONCILE_OK)
            classifier->detected[point * FAULT_KIND_COUNT + oldest->kind]++;
        else if (seq < oldest->last_seq)
            break;
        queue->head = (queue->head + 1) % queue->capacity;
        queue->count--;
    }
    if (queue->count == 0) classifier->points_pending--;
}

/* Observer: one snapshot. */
static void on_snapshot(void *context, const kernel *core) {
    sweep_classifier *classifier = context;
    if (classifier->failed) return;
    if (!classifier->resolved) resolve(classifier, core);
    if (classifier->failed) return;
    uint64_t key = snapshot_key(classifier, core);
    key_slot *slot = find_slot(classifier, key);
    if (slot == NULL) {
        classifier->failed = true;
        snprintf(classifier->error, sizeof classifier->error, "out of memory");
        return;
    }
    slot->count++;
    classifier->last_key = key;
    classifier->totals.snapshots++;
    if (classifier->points_pending == 0) return;
    const uint8_t *statuses = key_statuses(classifier, key);
    if (statuses == NULL) {
        classifier->failed = true;
        snprintf(classifier->error, sizeof classifier->error, "out of memory");
        return;
    }
    long seq = core->projection.snapshot.event_seq;
    for (size_t point = 0; point < classifier->grid->point_count; point++)
        if (classifier->queues[point].count > 0) observe_point(classifier, point, seq, statuses[point]);
}

/* Appends a fault to one point's queue (invariants_fault_injected); false
 * when out of memory. */
static bool queue_fault(sweep_classifier *classifier, size_t point, const pending_fault *fault) {
    detection_queue *queue = &classifier->queues[point];
    if (queue->count == DETECTION_PENDING_MAX) return true; /* unmeasured: never detected */
    if (queue->count == queue->capacity) {
        size_t capacity = queue->capacity == 0 ? 16 : queue->capacity * 2;
        pending_fault *grown = malloc(capacity * sizeof *grown);
        if (grown == NULL) return false;
        for (size_t index = 0; index < queue->count; index++)
            grown[index] = queue->items[(queue->head + index) % queue->capacity];
        free(queue->items);
        queue->items = grown;
        queue->capacity = capacity;
        queue->head = 0;
    }
    if (queue->count == 0) classifier->points_pending++;
    queue->items[(queue->head + queue->count) % queue->capacity] = *fault;
    queue->count++;
    return true;
}

/* Observer: one injected fault after snapshot last_seq. */
static void on_fault(void *context, const kernel *core, fault_kind kind, long last_seq) {
    sweep_classifier *classifier = context;
    if (classifier->failed) return;
    if (!classifier->resolved) resolve(classifier, core);
    if (classifier->failed) return;
    classifier->totals.injected[kind]++;
    const uint8_t *statuses = classifier->last_key != 0 ? key_statuses(classifier, classifier->last_key) : NULL;
    bool memory = classifier->last_key == 0 || statuses != NULL;
    for (size_t point = 0; point < classifier->grid->point_count && memory; point++) {
        pending_fault fault = {kind, statuses == NULL || statuses[point] == RECONCILE_OK, last_seq + 1,
                               last_seq + classifier->window};
        memory = queue_fault(classifier, point, &fault);
    }
    if (!memory) {
        classifier->failed = true;
        snprintf(classifier->error, sizeof classifier->error, "out of memory");
    }
}

sweep_classifier *sweep_classifier_new(const sweep_threshold_grid *grid) {
    assert(grid->point_count > 0);
    assert(grid->axis_count <= SWEEP_AXES_MAX);
    sweep_classifier *classifier = calloc(1, sizeof *classifier);
    if (classifier == NULL) return NULL;
    classifier->grid = grid;
    classifier->window = grid->detect_window > 0 ? grid->detect_window : DETECT_WINDOW_DEFAULT;
    classifier->observer = (replay_observer){.context = classifier, .snapshot = on_snapshot, .fault = on_fault};
    size_t points = grid->point_count;
    classifier->epsilon_index = calloc(points * SWEEP_RULES, 1);
    classifier->band_index = calloc(points * SWEEP_RULES, 1);
    classifier->queues = calloc(points, sizeof *classifier->queues);
    classifier->detected = calloc(points * FAULT_KIND_COUNT, sizeof *classifier->detected);
    classifier->slots = calloc(TABLE_INITIAL, sizeof *classifier->slots);
    classifier->slot_capacity = TABLE_INITIAL;
    if (classifier->epsilon_index == NULL || classifier->band_index == NULL || classifier->queues == NULL ||
        classifier->detected == NULL || classifier->slots == NULL) {
        sweep_classifier_free(classifier);
        return NULL;
    }
    return classifier;
}

void sweep_classifier_free(sweep_classifier *classifier) {
    if (classifier == NULL) return;
    for (size_t point = 0; classifier->queues != NULL && point < classifier->grid->point_count; point++)
        free(classifier->queues[point].items);
    free(classifier->queues);
    free(classifier->epsilon_index);
    free(classifier->band_index);
    free(classifier->detected);
    free(classifier->slots);
    free(classifier->arena);
    free(classifier);
}

void sweep_classifier_reset(sweep_classifier *classifier) {
    classifier->resolved = false;
    classifier->failed = false;
    classifier->error[0] = '\0';
    memset(classifier->slots, 0, classifier->slot_capacity * sizeof *classifier->slots);
    classifier->slot_used = 0;
    classifier->arena_used = 0;
    classifier->last_key = 0;
    for (size_t point = 0; point < classifier->grid->point_count; point++)
        classifier->queues[point].head = classifier->queues[point].count = 0;
    classifier->points_pending = 0;
    memset(&classifier->totals, 0, sizeof classifier->totals);
    memset(classifier->detected, 0, classifier->grid->point_count * FAULT_KIND_COUNT * sizeof *classifier->detected);
}

const replay_observer *sweep_classifier_observer(sweep_classifier *classifier) { return &classifier->observer; }

/* Adds count snapshots of key to every point's cells and to the totals. */
static void add_key(const sweep_classifier *classifier, const key_slot *slot, sweep_run_totals *totals,
                    sweep_cell *cells) {
    for (int rule = 0; rule < SWEEP_RULES; rule++)
        if (key_severity(classifier, slot->key, 0, rule) >= 0) totals->evaluated[rule] += slot->count;
    for (size_t point = 0; point < classifier->grid->point_count; point++) {
        sweep_cell *cell = &cells[point];
        int worst = 0;
        for (int rule = 0; rule < SWEEP_RULES; rule++) {
            int severity = key_severity(classifier, slot->key, point, rule);
            if (severity == 1) cell->rule_warn[rule] += slot->count;
            if (severity == 2) cell->rule_error[rule] += slot->count;
            if (severity > worst) worst = severity;
        }
        if (worst == 0) cell->ok += slot->count;
        if (worst == 1) cell->warn += slot->count;
        if (worst == 2) cell->error += slot->count;
    }
}

bool sweep_classifier_finish(sweep_classifier *classifier, sweep_run_totals *totals, sweep_cell *cells, char *error,
                             size_t error_capacity) {
    size_t points = classifier->grid->point_count;
    memset(cells, 0, points * sizeof *cells);
    if (classifier->failed) {
        snprintf(error, error_capacity, "%s", classifier->error);
        return false;
    }
    *totals = classifier->totals;
    /* Slots in table order: sums are order-independent, so the bytes are too. */
    for (size_t index = 0; index < classifier->slot_capacity; index++)
        if (classifier->slots[index].key != KEY_EMPTY_SLOT) add_key(classifier, &classifier->slots[index], totals, cells);
    for (size_t point = 0; point < points; point++)
        memcpy(cells[point].detected, classifier->detected + point * FAULT_KIND_COUNT, sizeof cells[point].detected);
    return true;
}
