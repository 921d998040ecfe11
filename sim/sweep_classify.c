/* sweep_classify.c -- see sweep_classify.h. */
#include "sim/sweep_classify.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/projection.h"
#include "sim/invariants.h"

/* Key layout: per banded rule (R1, R2, R4, R5) 15 bits: evaluated, the
 * count of epsilons |delta| exceeds (7 bits), the count of bands it exceeds
 * (7 bits); R3 two bits (evaluated, counts differ). 4 * 15 + 2 = 62 bits,
 * and bit 63 set on every key so that 0 marks an empty slot. */
enum {
    KEY_RULE_BITS = 15,
    KEY_COUNT_BITS = 7,
    KEY_R3_SHIFT = 4 * KEY_RULE_BITS,
    TABLE_INITIAL = 64,                /* hash slots, a power of two */
    VERIFY_EVERY = 1024,               /* repeats of a key between two checks */
    STRIDE = RULE_COUNT + 1            /* arena bytes per point: outcomes, then the status */
};
_Static_assert(SWEEP_AXIS_VALUES_MAX < (1 << KEY_COUNT_BITS), "a count must fit its key bits");
_Static_assert(RULE_SEED_COUNT == 5 && RULE_OPEN_POSITIONS == 2, "the key knows the seed's five rules");
#define KEY_MARK (1ULL << 63)
#define KEY_EMPTY 0ULL

typedef struct {
    uint64_t key;
    int64_t count;
    size_t outcomes;                   /* arena offset: point_count * STRIDE bytes */
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
    bool every_snapshot;               /* v2 somewhere: no keys, classify each snapshot */
    bool failed;                       /* out of memory or a value that does not parse */
    char error[256];
    reconcile_config *configs;         /* per point */
    /* Per banded rule: sorted distinct epsilons and bands of the points. */
    double epsilons[RULE_SEED_COUNT][SWEEP_AXIS_VALUES_MAX + 1];
    size_t epsilon_count[RULE_SEED_COUNT];
    double bands[RULE_SEED_COUNT][SWEEP_AXIS_VALUES_MAX + 1];
    size_t band_count[RULE_SEED_COUNT];
    key_slot *slots;
    size_t slot_capacity, slot_used;
    unsigned char *arena;              /* per key: every point's outcomes and status */
    size_t arena_used, arena_capacity;
    const unsigned char *last;         /* the latest snapshot's per-point outcomes; NULL before one */
    unsigned char *current;            /* every_snapshot: the latest snapshot's, point_count * STRIDE */
    detection_queue *queues;           /* per point */
    size_t points_pending;             /* points whose queue is not empty */
    sweep_run_totals totals;
    sweep_cell *cells;                 /* every_snapshot: counted as they come */
    int64_t *detected;                 /* [point * FAULT_KIND_COUNT + kind] */
};

/* The WARN band of a banded seed rule under config (R4: the factor, which
 * K's open notional scales, as core/projection.c does). */
static double rule_band(const reconcile_config *config, reconcile_rule rule) {
    switch (rule) {
    case RULE_CAPITAL_VS_WALLET: return config->pending_fee_bound;
    case RULE_REALIZED_PNL: return config->realized_rounding;
    case RULE_OPEN_NOTIONAL: return config->mark_staleness_factor;
    default: assert(rule == RULE_USED_MARGIN); return config->leverage_rounding_band;
    }
}

/* Inserts value into the sorted distinct array of count entries. */
static void insert_sorted(double *values, size_t *count, double value) {
    size_t position = 0;
    while (position < *count && values[position] < value) position++;
    if (position < *count && values[position] == value) return;
    assert(*count <= SWEEP_AXIS_VALUES_MAX);
    memmove(values + position + 1, values + position, (*count - position) * sizeof *values);
    values[position] = value;
    (*count)++;
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
    const kernel_config *base = &core->projection.config;
    classifier->every_snapshot = base->reconcile.rules != RULE_SET_SEED;
    classifier->totals.rule_sets = 0;
    for (int rule = 0; rule < RULE_SEED_COUNT; rule++) classifier->epsilon_count[rule] = classifier->band_count[rule] = 0;
    for (size_t point = 0; point < grid->point_count; point++) {
        reconcile_config *config = &classifier->configs[point];
        if (!point_thresholds(classifier, base, point, config)) {
            classifier->failed = true;
            return;
        }
        classifier->totals.rule_sets |= 1LL << config->rules;
        if (config->rules != RULE_SET_SEED) classifier->every_snapshot = true;
        for (int rule = 0; rule < RULE_SEED_COUNT; rule++) {
            if (rule == RULE_OPEN_POSITIONS) continue;
            insert_sorted(classifier->epsilons[rule], &classifier->epsilon_count[rule], config->capital_epsilon);
            insert_sorted(classifier->bands[rule], &classifier->band_count[rule], rule_band(config, (reconcile_rule)rule));
        }
    }
}

/* How many of the sorted thresholds delta is not within (!(delta <= t),
 * as classify_band compares: NaN exceeds them all). scale multiplies each;
 * the products stay sorted, so the exceeded ones are a prefix. */
static uint64_t count_exceeded(const double *values, size_t count, double delta, double scale) {
    size_t exceeded = 0;
    while (exceeded < count && !(delta <= values[exceeded] * scale)) exceeded++;
    return exceeded;
}

/* The key of the kernel's latest snapshot (seed rules). */
static uint64_t snapshot_key(const sweep_classifier *classifier, const kernel *core) {
    const account_snapshot *snapshot = &core->projection.snapshot;
    const reconcile_result *result = &snapshot->reconcile;
    uint64_t key = KEY_MARK;
    if (result->outcomes[RULE_OPEN_POSITIONS] != RULE_NOT_EVALUATED) key |= 1ULL << KEY_R3_SHIFT;
    for (size_t index = 0; index < result->delta_count; index++) {
        int rule = 0;
        while (rule < RULE_SEED_COUNT && result->delta_names[index] != reconcile_rule_field((reconcile_rule)rule)) rule++;
        assert(rule < RULE_SEED_COUNT);
        if (rule == RULE_OPEN_POSITIONS) {
            key |= 1ULL << (KEY_R3_SHIFT + 1);
            continue;
        }
        int slot = rule < RULE_OPEN_POSITIONS ? rule : rule - 1;
        double delta = fabs(result->delta_values[index]);
        double scale = rule == RULE_OPEN_NOTIONAL ? snapshot->k.open_notional : 1.0;
        uint64_t bits = 1 | count_exceeded(classifier->epsilons[rule], classifier->epsilon_count[rule], delta, 1.0) << 1 |
                        count_exceeded(classifier->bands[rule], classifier->band_count[rule], delta, scale)
                            << (1 + KEY_COUNT_BITS);
        key |= bits << (slot * KEY_RULE_BITS);
    }
    return key;
}

/* Classifies the kernel's latest snapshot under every point into out
 * (point_count * STRIDE bytes): core/projection's classifier, nothing else. */
static void classify_points(const sweep_classifier *classifier, const kernel *core, unsigned char *out) {
    reconcile_facts facts;
    projection_facts(&core->projection, &core->book, &facts);
    reconcile_result result;
    for (size_t point = 0; point < classifier->grid->point_count; point++) {
        projection_classify(&facts, &classifier->configs[point], &result);
        memcpy(out + point * STRIDE, result.outcomes, RULE_COUNT);
        out[point * STRIDE + RULE_COUNT] = (unsigned char)result.status;
    }
}

/* Asserts that a key's kept outcomes are what the classifier says of this
 * snapshot, for the first and the last point (the key is sufficient). */
static void verify_key(const sweep_classifier *classifier, const kernel *core, const unsigned char *kept) {
    reconcile_facts facts;
    projection_facts(&core->projection, &core->book, &facts);
    reconcile_result result;
    size_t last = classifier->grid->point_count - 1;
    projection_classify(&facts, &classifier->configs[0], &result);
    assert(memcmp(kept, result.outcomes, RULE_COUNT) == 0);
    projection_classify(&facts, &classifier->configs[last], &result);
    assert(memcmp(kept + last * STRIDE, result.outcomes, RULE_COUNT) == 0);
    (void)result;
}

/* The slot of key (inserted with count 0 and no outcomes, outcomes set to
 * SIZE_MAX, when new); NULL when out of memory. */
static key_slot *find_slot(sweep_classifier *classifier, uint64_t key) {
    if (2 * (classifier->slot_used + 1) > classifier->slot_capacity) {
        size_t capacity = classifier->slot_capacity * 2;
        key_slot *grown = calloc(capacity, sizeof *grown);
        if (grown == NULL) return NULL;
        for (size_t index = 0; index < classifier->slot_capacity; index++) {
            key_slot *old = &classifier->slots[index];
            if (old->key == KEY_EMPTY) continue;
            size_t probe = (size_t)(old->key * 0x9E3779B97F4A7C15ULL >> 40) & (capacity - 1);
            while (grown[probe].key != KEY_EMPTY) probe = (probe + 1) & (capacity - 1);
            grown[probe] = *old;
        }
        free(classifier->slots);
        classifier->slots = grown;
        classifier->slot_capacity = capacity;
    }
    size_t mask = classifier->slot_capacity - 1;
    size_t probe = (size_t)(key * 0x9E3779B97F4A7C15ULL >> 40) & mask;
    while (classifier->slots[probe].key != key && classifier->slots[probe].key != KEY_EMPTY) probe = (probe + 1) & mask;
    key_slot *slot = &classifier->slots[probe];
    if (slot->key == KEY_EMPTY) {
        *slot = (key_slot){.key = key, .count = 0, .outcomes = SIZE_MAX};
        classifier->slot_used++;
    }
    return slot;
}

/* Room for one key's outcomes in the arena; SIZE_MAX when out of memory. */
static size_t arena_take(sweep_classifier *classifier) {
    size_t bytes = classifier->grid->point_count * STRIDE;
    if (classifier->arena_used + bytes > classifier->arena_capacity) {
        size_t capacity = classifier->arena_capacity * 2 + bytes;
        unsigned char *grown = realloc(classifier->arena, capacity);
        if (grown == NULL) return SIZE_MAX;
        classifier->arena = grown;
        classifier->arena_capacity = capacity;
    }
    size_t offset = classifier->arena_used;
    classifier->arena_used += bytes;
    return offset;
}

/* Marks the classifier failed for lack of memory. */
static void out_of_memory(sweep_classifier *classifier) {
    classifier->failed = true;
    snprintf(classifier->error, sizeof classifier->error, "out of memory");
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

/* Adds count snapshots of the per-point outcomes to cells. */
static void add_outcomes(const sweep_classifier *classifier, const unsigned char *outcomes, int64_t count,
                         sweep_cell *cells) {
    for (size_t point = 0; point < classifier->grid->point_count; point++) {
        const unsigned char *mine = outcomes + point * STRIDE;
        sweep_cell *cell = &cells[point];
        for (int rule = 0; rule < RULE_COUNT; rule++) {
            cell->rule_evaluated[rule] += mine[rule] != RULE_NOT_EVALUATED ? count : 0;
            cell->rule_warn[rule] += mine[rule] == RULE_OUTCOME_WARN ? count : 0;
            cell->rule_error[rule] += mine[rule] == RULE_OUTCOME_ERROR ? count : 0;
        }
        int status = mine[RULE_COUNT];
        cell->ok += status == RECONCILE_OK ? count : 0;
        cell->warn += status == RECONCILE_WARN ? count : 0;
        cell->error += status == RECONCILE_ERROR ? count : 0;
    }
}

/* The per-point outcomes of the kernel's latest snapshot: through its key,
 * or (every_snapshot) classified now and counted. NULL when out of memory. */
static const unsigned char *snapshot_outcomes(sweep_classifier *classifier, const kernel *core) {
    if (classifier->every_snapshot) {
        classify_points(classifier, core, classifier->current);
        add_outcomes(classifier, classifier->current, 1, classifier->cells);
        return classifier->current;
    }
    key_slot *slot = find_slot(classifier, snapshot_key(classifier, core));
    if (slot == NULL) return NULL;
    if (slot->outcomes == SIZE_MAX) {
        size_t offset = arena_take(classifier);
        if (offset == SIZE_MAX) return NULL;
        slot->outcomes = offset;
        classify_points(classifier, core, classifier->arena + offset);
    } else if (slot->count % VERIFY_EVERY == 0) {
        verify_key(classifier, core, classifier->arena + slot->outcomes);
    }
    slot->count++;
    return classifier->arena + slot->outcomes;
}

/* Observer: one snapshot. */
static void on_snapshot(void *context, const kernel *core) {
    sweep_classifier *classifier = context;
    if (classifier->failed) return;
    if (!classifier->resolved) resolve(classifier, core);
    if (classifier->failed) return;
    const unsigned char *outcomes = snapshot_outcomes(classifier, core);
    if (outcomes == NULL) {
        out_of_memory(classifier);
        return;
    }
    classifier->last = outcomes;
    classifier->totals.snapshots++;
    if (classifier->points_pending == 0) return;
    long seq = core->projection.snapshot.event_seq;
    for (size_t point = 0; point < classifier->grid->point_count; point++)
        if (classifier->queues[point].count > 0) observe_point(classifier, point, seq, outcomes[point * STRIDE + RULE_COUNT]);
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
    /* Before any snapshot the kernel's is the initial one: OK under every point. */
    const unsigned char *last = classifier->last;
    for (size_t point = 0; point < classifier->grid->point_count; point++) {
        bool on_ok = last == NULL || last[point * STRIDE + RULE_COUNT] == RECONCILE_OK;
        pending_fault fault = {kind, on_ok, last_seq + 1, last_seq + classifier->window};
        if (!queue_fault(classifier, point, &fault)) {
            out_of_memory(classifier);
            return;
        }
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
    classifier->configs = calloc(points, sizeof *classifier->configs);
    classifier->current = calloc(points, STRIDE);
    classifier->cells = calloc(points, sizeof *classifier->cells);
    classifier->queues = calloc(points, sizeof *classifier->queues);
    classifier->detected = calloc(points * FAULT_KIND_COUNT, sizeof *classifier->detected);
    classifier->slots = calloc(TABLE_INITIAL, sizeof *classifier->slots);
    classifier->slot_capacity = TABLE_INITIAL;
    if (classifier->configs == NULL || classifier->current == NULL || classifier->cells == NULL ||
        classifier->queues == NULL || classifier->detected == NULL || classifier->slots == NULL) {
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
    free(classifier->configs);
    free(classifier->current);
    free(classifier->cells);
    free(classifier->detected);
    free(classifier->slots);
    free(classifier->arena);
    free(classifier);
}

void sweep_classifier_reset(sweep_classifier *classifier) {
    size_t points = classifier->grid->point_count;
    classifier->resolved = false;
    classifier->every_snapshot = false;
    classifier->failed = false;
    classifier->error[0] = '\0';
    memset(classifier->slots, 0, classifier->slot_capacity * sizeof *classifier->slots);
    classifier->slot_used = 0;
    classifier->arena_used = 0;
    classifier->last = NULL;
    for (size_t point = 0; point < points; point++) classifier->queues[point].head = classifier->queues[point].count = 0;
    classifier->points_pending = 0;
    memset(&classifier->totals, 0, sizeof classifier->totals);
    memset(classifier->cells, 0, points * sizeof *classifier->cells);
    memset(classifier->detected, 0, points * FAULT_KIND_COUNT * sizeof *classifier->detected);
}

const replay_observer *sweep_classifier_observer(sweep_classifier *classifier) { return &classifier->observer; }

bool sweep_classifier_finish(sweep_classifier *classifier, sweep_run_totals *totals, sweep_cell *cells, char *error,
                             size_t error_capacity) {
    size_t points = classifier->grid->point_count;
    memset(cells, 0, points * sizeof *cells);
    if (classifier->failed) {
        snprintf(error, error_capacity, "%s", classifier->error);
        return false;
    }
    *totals = classifier->totals;
    if (classifier->every_snapshot) {
        memcpy(cells, classifier->cells, points * sizeof *cells);
    } else {
        /* Slots in table order: sums do not depend on it, so the bytes do not either. */
        for (size_t index = 0; index < classifier->slot_capacity; index++) {
            const key_slot *slot = &classifier->slots[index];
            if (slot->key != KEY_EMPTY) add_outcomes(classifier, classifier->arena + slot->outcomes, slot->count, cells);
        }
    }
    for (size_t point = 0; point < points; point++)
        memcpy(cells[point].detected, classifier->detected + point * FAULT_KIND_COUNT, sizeof cells[point].detected);
    return true;
}
