/* faults.c -- see faults.h. */
#include "sim/faults.h"

#include <assert.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/number.h"
#include "core/text.h"

/* Orphan levels drawn around the kernel's mark. */
#define ORPHAN_TP_FACTOR 1.02
#define ORPHAN_SL_FACTOR 0.99

/* Parses one "KIND=P" entry of length bytes at text into plan. */
static bool plan_entry(const char *text, size_t length, fault_plan *plan, char *error, size_t error_capacity) {
    const char *equals = memchr(text, '=', length);
    if (equals == NULL || equals == text) {
        snprintf(error, error_capacity, "--faults: '%.*s' is not KIND=P", (int)length, text);
        return false;
    }
    size_t name_length = (size_t)(equals - text);
    char name[32];
    if (name_length >= sizeof name) {
        snprintf(error, error_capacity, "--faults: unknown fault kind '%.*s'", (int)name_length, text);
        return false;
    }
    memcpy(name, text, name_length);
    name[name_length] = '\0';
    double probability;
    const char *value = equals + 1;
    size_t value_length = length - name_length - 1;
    if (!number_parse(value, value_length, &probability) || probability < 0 || probability > 1) {
        snprintf(error, error_capacity, "--faults: %s=%.*s: the probability must be a number from 0 to 1", name,
                 (int)value_length, value);
        return false;
    }
    fault_kind kind;
    if (strcmp(name, "all") == 0) {
        for (int index = 0; index < FAULT_KIND_COUNT; index++) plan->probability[index] = probability;
    } else if (fault_kind_parse(name, &kind)) {
        plan->probability[kind] = probability;
    } else {
        snprintf(error, error_capacity,
                 "--faults: unknown fault kind '%s' (stale_mark, zero_wallet, orphan_tp_sl, drop, duplicate, delay, "
                 "corrupt or all)", name);
        return false;
    }
    return true;
}

/* Parses text (borrowed) into plan (owned by the caller). */
bool fault_plan_parse(const char *text, fault_plan *plan, char *error, size_t error_capacity) {
    memset(plan, 0, sizeof *plan);
    if (text[0] == '\0') {
        snprintf(error, error_capacity, "--faults: empty; expected KIND=P[,KIND=P]...");
        return false;
    }
    const char *start = text;
    for (;;) {
        const char *comma = strchr(start, ',');
        size_t length = comma != NULL ? (size_t)(comma - start) : strlen(start);
        if (!plan_entry(start, length, plan, error, error_capacity)) return false;
        if (comma == NULL) break;
        start = comma + 1;
    }
    for (int index = 0; index < FAULT_KIND_COUNT; index++) plan->any = plan->any || plan->probability[index] > 0;
    return true;
}

/* Writes plan's canonical text into out (capacity bytes, owned by the caller). */
void fault_plan_format(const fault_plan *plan, char *out, size_t capacity) {
    assert(capacity > 0);
    size_t length = 0;
    out[0] = '\0';
    for (int index = 0; index < FAULT_KIND_COUNT; index++) {
        if (!(plan->probability[index] > 0)) continue;
        char number[NUMBER_TEXT_CAPACITY];
        number_format(plan->probability[index], number);
        int written = snprintf(out + length, capacity - length, "%s%s=%s", length > 0 ? "," : "",
                               fault_kind_name((fault_kind)index), number);
        if (written < 0 || (size_t)written >= capacity - length) return; /* cut: capacity is generous */
        length += (size_t)written;
    }
}

/* A 32-bit mt19937 seed for one kind: SplitMix64 of (seed, kind), so that
 * the kinds' streams are unrelated and each depends on the seed alone. */
static unsigned long kind_seed(unsigned long seed, fault_kind kind) {
    uint64_t mixed = (uint64_t)seed + 0x9E3779B97F4A7C15ull * (uint64_t)(kind + 1);
    mixed = (mixed ^ (mixed >> 30)) * 0xBF58476D1CE4E5B9ull;
    mixed = (mixed ^ (mixed >> 27)) * 0x94D049BB133111EBull;
    mixed ^= mixed >> 31;
    return (unsigned long)(mixed & 0xFFFFFFFFull);
}

/* Starts injector; plan and sink are copied, generators allocated. */
bool fault_injector_init(fault_injector *injector, const fault_plan *plan, unsigned long seed,
                         const fault_sink *sink) {
    memset(injector, 0, offsetof(fault_injector, held));
    for (int index = 0; index < FAULT_HELD_EVENTS_MAX; index++) injector->held[index].state = HELD_FREE;
    injector->hold_order = 0;
    injector->zero_wallet_frames = 0;
    injector->events_submitted = 0;
    memset(injector->injected, 0, sizeof injector->injected);
    memset(injector->not_injected, 0, sizeof injector->not_injected);
    injector->plan = *plan;
    injector->seed = seed;
    injector->sink = *sink;
    for (int index = 0; index < FAULT_KIND_COUNT; index++) {
        if (!(plan->probability[index] > 0)) continue;
        injector->generators[index] = gsl_rng_alloc(gsl_rng_mt19937);
        if (injector->generators[index] == NULL) {
            fault_injector_free(injector);
            return false;
        }
        gsl_rng_set(injector->generators[index], kind_seed(seed, (fault_kind)index));
    }
    return true;
}

/* Frees the generators owned by injector. */
void fault_injector_free(fault_injector *injector) {
    for (int index = 0; index < FAULT_KIND_COUNT; index++) {
        if (injector->generators[index] != NULL) gsl_rng_free(injector->generators[index]);
        injector->generators[index] = NULL;
    }
}

/* Reports one fault to the sink and counts it. record is borrowed. */
static void report(fault_injector *injector, const fault_record *record) {
    injector->injected[record->kind]++;
    injector->sink.injected(injector->sink.context, record);
}

/* Hands event to the kernel and counts one delivery down for every held event. */
static void deliver_one(fault_injector *injector, exchange_event *event) {
    injector->sink.deliver(injector->sink.context, event);
    for (int index = 0; index < FAULT_HELD_EVENTS_MAX; index++)
        if (injector->held[index].state == HELD_WAITING) injector->held[index].wait--;
}

/* The waiting held event that is due (wait <= 0, or any when all is true)
 * with the smallest hold order; -1 when none. */
static int next_due(const fault_injector *injector, bool all) {
    int best = -1;
    for (int index = 0; index < FAULT_HELD_EVENTS_MAX; index++) {
        const held_event *held = &injector->held[index];
        if (held->state != HELD_WAITING || (!all && held->wait > 0)) continue;
        if (best < 0 || held->order < injector->held[best].order) best = index;
    }
    return best;
}

/* Delivers the held events that are due (all of them when all is true).
 * The slot stays reserved while its event is delivered. */
static void release_due(fault_injector *injector, bool all) {
    for (int index = next_due(injector, all); index >= 0; index = next_due(injector, all)) {
        held_event *held = &injector->held[index];
        held->state = HELD_RELEASING;
        deliver_one(injector, &held->event);
        held->state = HELD_FREE;
    }
}

/* Delivers every held event now. */
void fault_injector_release_all(fault_injector *injector) { release_due(injector, true); }

/* Counts the held events. */
size_t fault_injector_held_count(const fault_injector *injector) {
    size_t count = 0;
    for (int index = 0; index < FAULT_HELD_EVENTS_MAX; index++) count += injector->held[index].state != HELD_FREE;
    return count;
}

/* The stale counter of symbol, inserted (sorted) when insert is true; NULL
 * when absent, or when the table is full. */
static stale_symbol *stale_entry(fault_injector *injector, const char *symbol, bool insert) {
    size_t index = 0;
    while (index < injector->stale_count && strcmp(injector->stale[index].symbol, symbol) < 0) index++;
    if (index < injector->stale_count && strcmp(injector->stale[index].symbol, symbol) == 0)
        return &injector->stale[index];
    if (!insert || injector->stale_count == SYMBOLS_MAX) return NULL;
    memmove(&injector->stale[index + 1], &injector->stale[index],
            (injector->stale_count - index) * sizeof injector->stale[0]);
    injector->stale_count++;
    stale_symbol *entry = &injector->stale[index];
    text_copy(entry->symbol, sizeof entry->symbol, symbol);
    entry->scripted_remaining = 0;
    entry->drawn_remaining = 0;
    return entry;
}

/* Arms count hidden marks for symbol; false when the table is full. */
static bool arm_stale(fault_injector *injector, const char *symbol, long count, bool drawn) {
    stale_symbol *entry = stale_entry(injector, symbol, true);
    if (entry == NULL) return false;
    if (drawn)
        entry->drawn_remaining += count;
    else
        entry->scripted_remaining += count;
    return true;
}

/* Removes the mark facts of stale symbols from event, one fault each. */
static void filter_stale(fault_injector *injector, exchange_event *event) {
    if (injector->stale_count == 0) return;
    size_t kept = 0;
    for (size_t index = 0; index < event->fact_count; index++) {
        exchange_fact *fact = &event->facts[index];
        stale_symbol *entry = fact->type == FACT_MARK ? stale_entry(injector, fact->symbol, false) : NULL;
        if (entry != NULL && entry->scripted_remaining + entry->drawn_remaining > 0) {
            bool drawn = entry->scripted_remaining == 0;
            if (drawn)
                entry->drawn_remaining--;
            else
                entry->scripted_remaining--;
            fault_record record = {.kind = FAULT_STALE_MARK, .drawn = drawn, .symbol = fact->symbol,
                                   .event_id = event->event_id,
                                   .count = entry->scripted_remaining + entry->drawn_remaining,
                                   .price = fact->price};
            report(injector, &record);
            continue;
        }
        if (kept != index) event->facts[kept] = *fact;
        kept++;
    }
    event->fact_count = kept;
}

/* The numeric field named field of fact, or NULL when its type has none. */
static double *fact_field(exchange_fact *fact, const char *field) {
    static const struct {
        fact_type type;
        const char *name;
        size_t offset;
    } fields[] = {
        {FACT_FILL, "qty", offsetof(exchange_fact, qty)},
        {FACT_FILL, "price", offsetof(exchange_fact, price)},
        {FACT_FILL, "fee", offsetof(exchange_fact, fee)},
        {FACT_FILL, "realized_pnl", offsetof(exchange_fact, realized_pnl)},
        {FACT_FILL, "leverage", offsetof(exchange_fact, leverage)},
        {FACT_FUNDING, "amount", offsetof(exchange_fact, amount)},
        {FACT_BALANCE, "wallet_balance", offsetof(exchange_fact, wallet_balance)},
        {FACT_BALANCE, "available_margin", offsetof(exchange_fact, available_margin)},
        {FACT_BALANCE, "used_margin", offsetof(exchange_fact, used_margin)},
        {FACT_BALANCE, "maint_margin", offsetof(exchange_fact, maint_margin)},
        {FACT_POSITION, "qty", offsetof(exchange_fact, qty)},
        {FACT_POSITION, "entry_price", offsetof(exchange_fact, entry_price)},
        {FACT_POSITION, "mark_price", offsetof(exchange_fact, mark_price)},
        {FACT_POSITION, "unrealized_pnl", offsetof(exchange_fact, unrealized_pnl)},
        {FACT_POSITION, "leverage", offsetof(exchange_fact, leverage)},
        {FACT_MARK, "price", offsetof(exchange_fact, price)},
        {FACT_TRANSFER, "amount", offsetof(exchange_fact, amount)},
        {FACT_LEVERAGE, "leverage", offsetof(exchange_fact, leverage)},
    };
    for (size_t index = 0; index < sizeof fields / sizeof fields[0]; index++)
        if (fields[index].type == fact->type && strcmp(fields[index].name, field) == 0)
            return (double *)((char *)fact + fields[index].offset);
    return NULL;
}

/* The names of the fields fact carries, into names (capacity 8); returns how many. */
static size_t fact_field_names(const exchange_fact *fact, const char **names) {
    static const char *const fill[] = {"qty", "price", "fee", "realized_pnl", "leverage"};
    static const char *const funding[] = {"amount"};
    static const char *const balance[] = {"wallet_balance", "available_margin", "used_margin", "maint_margin"};
    static const char *const position[] = {"qty", "entry_price", "mark_price", "unrealized_pnl", "leverage"};
    static const char *const mark[] = {"price"};
    static const char *const transfer[] = {"amount"};
    static const char *const leverage[] = {"leverage"};
    const char *const *table = NULL;
    size_t count = 0;
    switch (fact->type) {
    case FACT_FILL: table = fill; count = 5; break;
    case FACT_FUNDING: table = funding; count = 1; break;
    case FACT_BALANCE: table = balance; count = 4; break;
    case FACT_POSITION: table = position; count = 5; break;
    case FACT_MARK: table = mark; count = 1; break;
    case FACT_TRANSFER: table = transfer; count = 1; break;
    case FACT_LEVERAGE: table = leverage; count = 1; break;
    }
    for (size_t index = 0; index < count; index++) names[index] = table[index];
    return count;
}

/* Sets field of fact to NaN and reports it. */
static void corrupt_fact(fault_injector *injector, const exchange_event *event, exchange_fact *fact,
                         const char *field, bool drawn) {
    double *slot = fact_field(fact, field);
    assert(slot != NULL);
    *slot = NAN;
    if (strcmp(field, "leverage") == 0) fact->has_leverage = true;
    fault_record record = {.kind = FAULT_CORRUPT, .drawn = drawn,
                           .symbol = fact->symbol[0] != '\0' ? fact->symbol : NULL, .event_id = event->event_id,
                           .field = field};
    report(injector, &record);
}

/* Scripted corruption: the first armed field, if this event carries it.
 * The field name is reported before it leaves the FIFO. */
static void corrupt_scripted(fault_injector *injector, exchange_event *event) {
    if (injector->armed_corruption_count == 0) return;
    const char *field = injector->armed_corruptions[0];
    for (size_t index = 0; index < event->fact_count; index++) {
        if (fact_field(&event->facts[index], field) == NULL) continue;
        corrupt_fact(injector, event, &event->facts[index], field, false);
        injector->armed_corruption_count--;
        memmove(injector->armed_corruptions[0], injector->armed_corruptions[1],
                injector->armed_corruption_count * sizeof injector->armed_corruptions[0]);
        return;
    }
}

/* Drawn corruption: one fact of event, then one of its fields, from generator. */
static bool corrupt_drawn(fault_injector *injector, exchange_event *event, gsl_rng *generator) {
    if (event->fact_count == 0) return false;
    exchange_fact *fact = &event->facts[gsl_rng_uniform_int(generator, event->fact_count)];
    const char *names[8];
    size_t count = fact_field_names(fact, names);
    assert(count > 0);
    corrupt_fact(injector, event, fact, names[gsl_rng_uniform_int(generator, count)], true);
    return true;
}

/* Delivers a zero-wallet frame named event_id at ts, and reports it. */
static void zero_wallet_frame(fault_injector *injector, const char *event_id, bool synthetic, double ts, long line,
                              bool drawn) {
    exchange_event *frame = &injector->scratch;
    event_start(frame, event_id, synthetic, ts, line);
    exchange_fact fact;
    memset(&fact, 0, sizeof fact);
    fact.type = FACT_BALANCE;
    bool added = event_add_fact(frame, &fact);
    assert(added);
    (void)added;
    fault_record record = {.kind = FAULT_ZERO_WALLET, .drawn = drawn, .event_id = frame->event_id};
    report(injector, &record);
    deliver_one(injector, frame);
    release_due(injector, false);
}

/* Writes an orphan registry entry for symbol and reports it. */
static void orphan_entry(fault_injector *injector, const char *symbol, bool has_tp, double tp, bool has_sl,
                         double sl, double ts, bool drawn) {
    registry_entry entry;
    memset(&entry, 0, sizeof entry);
    text_copy(entry.symbol, sizeof entry.symbol, symbol);
    entry.side = has_tp && has_sl && tp < sl ? SIDE_SHORT : SIDE_LONG;
    double mark;
    entry.entry_price = injector->sink.mark(injector->sink.context, symbol, &mark) ? mark : 0;
    entry.has_tp = has_tp;
    entry.tp = tp;
    entry.has_sl = has_sl;
    entry.sl = sl;
    entry.created_ts = entry.updated_ts = ts;
    fault_record record = {.kind = FAULT_ORPHAN_TP_SL, .drawn = drawn, .symbol = entry.symbol,
                           .has_tp = has_tp, .tp = tp, .has_sl = has_sl, .sl = sl};
    report(injector, &record);
    injector->sink.put_tp_sl(injector->sink.context, &entry);
}

/* Drawn orphan: the event's first symbol the kernel does not hold. */
static bool orphan_drawn(fault_injector *injector, const exchange_event *event) {
    for (size_t index = 0; index < event->fact_count; index++) {
        const char *symbol = event->facts[index].symbol;
        if (symbol[0] == '\0' || injector->sink.holds_position(injector->sink.context, symbol)) continue;
        double mark;
        bool has_mark = injector->sink.mark(injector->sink.context, symbol, &mark);
        orphan_entry(injector, symbol, has_mark, mark * ORPHAN_TP_FACTOR, has_mark, mark * ORPHAN_SL_FACTOR,
                     event->ts, true);
        return true;
    }
    return false;
}

/* Drawn stale mark: the symbol of the event's first mark, else its first symbol. */
static bool stale_drawn(fault_injector *injector, const exchange_event *event, gsl_rng *generator) {
    const char *symbol = NULL;
    for (size_t index = 0; index < event->fact_count && symbol == NULL; index++)
        if (event->facts[index].type == FACT_MARK) symbol = event->facts[index].symbol;
    if (symbol == NULL) symbol = event_first_symbol(event);
    if (symbol == NULL) return false;
    long count = 1 + (long)gsl_rng_uniform_int(generator, FAULT_STALE_DRAWN_MAX);
    return arm_stale(injector, symbol, count, true);
}

/* Holds a copy of event for wait deliveries; false when every slot is taken. */
static bool hold(fault_injector *injector, const exchange_event *event, long wait, bool drawn) {
    for (int index = 0; index < FAULT_HELD_EVENTS_MAX; index++) {
        held_event *held = &injector->held[index];
        if (held->state != HELD_FREE) continue;
        fault_record record = {.kind = FAULT_DELAY, .drawn = drawn, .symbol = event_first_symbol(event),
                               .event_id = event->event_id, .count = wait};
        report(injector, &record);
        event_copy(&held->event, event);
        held->wait = wait;
        held->order = ++injector->hold_order;
        held->state = HELD_WAITING;
        return true;
    }
    return false;
}

/* One event from its producer; see faults.h. */
void fault_injector_submit(fault_injector *injector, exchange_event *event) {
    injector->events_submitted++;
    /* One uniform per drawn kind per event, always, so that streams stay aligned. */
    bool hit[FAULT_KIND_COUNT] = {false};
    for (int index = 0; index < FAULT_KIND_COUNT; index++)
        if (injector->generators[index] != NULL)
            hit[index] = gsl_rng_uniform(injector->generators[index]) < injector->plan.probability[index];

    if (hit[FAULT_STALE_MARK] && !stale_drawn(injector, event, injector->generators[FAULT_STALE_MARK]))
        injector->not_injected[FAULT_STALE_MARK]++;
    if (hit[FAULT_ZERO_WALLET]) {
        char frame_id[EVENT_ID_CAPACITY];
        snprintf(frame_id, sizeof frame_id, "zero_wallet%ld", ++injector->zero_wallet_frames);
        zero_wallet_frame(injector, frame_id, true, event->ts, 0, true);
    }
    if (hit[FAULT_ORPHAN_TP_SL] && !orphan_drawn(injector, event)) injector->not_injected[FAULT_ORPHAN_TP_SL]++;

    filter_stale(injector, event);
    if (event->fact_count == 0) return; /* only hidden marks: the kernel receives nothing */

    corrupt_scripted(injector, event);
    if (hit[FAULT_CORRUPT] && !corrupt_drawn(injector, event, injector->generators[FAULT_CORRUPT]))
        injector->not_injected[FAULT_CORRUPT]++;

    bool scripted_drop = injector->drop_remaining > 0;
    if (scripted_drop || hit[FAULT_DROP]) {
        if (scripted_drop) injector->drop_remaining--;
        fault_record record = {.kind = FAULT_DROP, .drawn = !scripted_drop, .symbol = event_first_symbol(event),
                               .event_id = event->event_id};
        report(injector, &record);
        return;
    }

    bool scripted_delay = injector->armed_delay_count > 0;
    if (scripted_delay || hit[FAULT_DELAY]) {
        long wait;
        if (scripted_delay) {
            wait = injector->armed_delays[0];
            injector->armed_delay_count--;
            memmove(&injector->armed_delays[0], &injector->armed_delays[1],
                    injector->armed_delay_count * sizeof injector->armed_delays[0]);
        } else {
            wait = 1 + (long)gsl_rng_uniform_int(injector->generators[FAULT_DELAY], FAULT_DELAY_DRAWN_MAX);
        }
        if (hold(injector, event, wait, !scripted_delay)) return;
        injector->not_injected[FAULT_DELAY]++;
    }

    bool scripted_duplicate = injector->duplicate_remaining > 0;
    if (scripted_duplicate || hit[FAULT_DUPLICATE]) {
        if (scripted_duplicate) injector->duplicate_remaining--;
        event->synthetic = false; /* a redelivery carries a real id */
        fault_record record = {.kind = FAULT_DUPLICATE, .drawn = !scripted_duplicate,
                               .symbol = event_first_symbol(event), .event_id = event->event_id};
        report(injector, &record);
        deliver_one(injector, event);
    }
    deliver_one(injector, event);
    release_due(injector, false);
}

/* Parses value as a whole count from 1 to 1000000. */
static bool parse_count(const char *value, long *count) {
    double number;
    if (!number_parse(value, strlen(value), &number) || number < 1 || number > 1e6 || number != floor(number))
        return false;
    *count = (long)number;
    return true;
}

/* A fault row; see faults.h. */
bool fault_injector_script(fault_injector *injector, fault_kind kind, const char *symbol, const char *value,
                           bool has_tp, double tp, bool has_sl, double sl, double ts, long line, char *error,
                           size_t error_capacity) {
    long count = 0;
    bool counted = kind == FAULT_STALE_MARK || kind == FAULT_DROP || kind == FAULT_DUPLICATE || kind == FAULT_DELAY;
    if (counted && !parse_count(value, &count)) {
        snprintf(error, error_capacity, "fault %s needs value=N, a whole number from 1 to 1000000 (got '%s')",
                 fault_kind_name(kind), value);
        return false;
    }
    switch (kind) {
    case FAULT_STALE_MARK:
        if (symbol[0] == '\0' || !arm_stale(injector, symbol, count, false)) {
            snprintf(error, error_capacity, "fault stale_mark needs a symbol (at most %d symbols)", SYMBOLS_MAX);
            return false;
        }
        return true;
    case FAULT_ZERO_WALLET: {
        char frame_id[EVENT_ID_CAPACITY];
        event_synthetic_id(frame_id, line);
        zero_wallet_frame(injector, frame_id, true, ts, line, false);
        return true;
    }
    case FAULT_ORPHAN_TP_SL:
        if (symbol[0] == '\0') {
            snprintf(error, error_capacity, "fault orphan_tp_sl needs a symbol");
            return false;
        }
        orphan_entry(injector, symbol, has_tp, tp, has_sl, sl, ts, false);
        return true;
    case FAULT_DROP: injector->drop_remaining += count; return true;
    case FAULT_DUPLICATE: injector->duplicate_remaining += count; return true;
    case FAULT_DELAY:
        if (injector->armed_delay_count == FAULT_ARMED_MAX) {
            snprintf(error, error_capacity, "more than %d delay faults wait for their event", FAULT_ARMED_MAX);
            return false;
        }
        injector->armed_delays[injector->armed_delay_count++] = count;
        return true;
    case FAULT_CORRUPT:
        if (injector->armed_corruption_count == FAULT_ARMED_MAX) {
            snprintf(error, error_capacity, "more than %d corrupt faults wait for their event", FAULT_ARMED_MAX);
            return false;
        }
        if (strlen(value) >= FAULT_FIELD_CAPACITY) {
            snprintf(error, error_capacity, "fault corrupt: unknown field '%s'", value);
            return false;
        }
        snprintf(injector->armed_corruptions[injector->armed_corruption_count++], FAULT_FIELD_CAPACITY, "%s", value);
        return true;
    case FAULT_KIND_COUNT: break;
    }
    assert(!"unknown fault kind");
    return false;
}
