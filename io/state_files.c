/* state_files.c -- see state_files.h. */
#include "io/state_files.h"

#include <assert.h>
#include <string.h>

#include "io/state_json.h"

enum { E_BLOCK_CACHE_TEXT_MAX = 16384 }; /* bytes of the longest e block kept */

/* The last e block written in the compact layout, with what it was written
 * from. Most events move a mark only: their e block (exchange balances and
 * positions) is the previous event's, and its text is copied instead of
 * written again, which is most of a reconcile.jsonl line. Bitwise-equal
 * inputs give the same text, so the output is the same either way. Process
 * state, used by one thread (ledgersim has no other). */
static struct {
    bool valid;
    e_block e;
    size_t position_count;
    exchange_position positions[SYMBOLS_MAX];
    size_t length;
    char text[E_BLOCK_CACHE_TEXT_MAX];
} last_e_block;

/* True when two exchange positions are bitwise the same. */
static bool same_position(const exchange_position *left, const exchange_position *right) {
    return strcmp(left->symbol, right->symbol) == 0 && left->side == right->side &&
           memcmp(&left->qty, &right->qty, sizeof(double)) == 0 &&
           memcmp(&left->entry_price, &right->entry_price, sizeof(double)) == 0 &&
           memcmp(&left->mark_price, &right->mark_price, sizeof(double)) == 0 &&
           memcmp(&left->unrealized_pnl, &right->unrealized_pnl, sizeof(double)) == 0 &&
           memcmp(&left->leverage, &right->leverage, sizeof(double)) == 0;
}

/* True when the cached e block was written from these inputs. */
static bool e_block_cached(const e_block *e, const account_projection *projection) {
    if (!last_e_block.valid || last_e_block.position_count != projection->position_count ||
        memcmp(&last_e_block.e, e, sizeof *e) != 0)
        return false;
    for (size_t index = 0; index < projection->position_count; index++)
        if (!same_position(&last_e_block.positions[index], &projection->positions[index])) return false;
    return true;
}

/* Keeps text[0..length) as the e block of these inputs. */
static void e_block_remember(const e_block *e, const account_projection *projection, const char *text,
                             size_t length) {
    last_e_block.valid = length <= E_BLOCK_CACHE_TEXT_MAX;
    if (!last_e_block.valid) return;
    last_e_block.e = *e;
    last_e_block.position_count = projection->position_count;
    memcpy(last_e_block.positions, projection->positions, projection->position_count * sizeof projection->positions[0]);
    memcpy(last_e_block.text, text, length);
    last_e_block.length = length;
}

static void render_k_block(json_writer *writer, const k_block *k) {
    json_object_begin(writer);
    JSON_KEY(writer, "capital"); json_number(writer, k->capital);
    JSON_KEY(writer, "realized_pnl"); json_number(writer, k->realized_pnl);
    JSON_KEY(writer, "unrealized_pnl"); json_number(writer, k->unrealized_pnl);
    JSON_KEY(writer, "fees_paid"); json_number(writer, k->fees_paid);
    JSON_KEY(writer, "funding_paid"); json_number(writer, k->funding_paid);
    if (k->has_transfers) { /* format 1.1: absent from a version 1 run's files */
        JSON_KEY(writer, "transfers"); json_number(writer, k->transfers);
    }
    JSON_KEY(writer, "open_notional"); json_number(writer, k->open_notional);
    JSON_KEY(writer, "equity"); json_number(writer, k->equity);
    JSON_KEY(writer, "used_margin"); json_number(writer, k->used_margin);
    JSON_KEY(writer, "available_margin"); json_number(writer, k->available_margin);
    JSON_KEY(writer, "open_positions"); json_integer(writer, k->open_positions);
    JSON_KEY(writer, "peak_capital"); json_number(writer, k->peak_capital);
    json_object_end(writer);
}

static void render_e_block(json_writer *writer, const e_block *e, const account_projection *projection) {
    /* Compact, right after its key: the text does not depend on what came before. */
    bool cacheable = !writer->pretty && writer->after_key;
    if (cacheable && e_block_cached(e, projection)) {
        buffer_append(writer->out, last_e_block.text, last_e_block.length);
        writer->after_key = false; /* the value of the key is written */
        return;
    }
    size_t start = writer->out->length;
    json_object_begin(writer);
    JSON_KEY(writer, "wallet_balance"); json_number(writer, e->wallet_balance);
    JSON_KEY(writer, "available_margin"); json_number(writer, e->available_margin);
    JSON_KEY(writer, "used_margin"); json_number(writer, e->used_margin);
    JSON_KEY(writer, "maint_margin"); json_number(writer, e->maint_margin);
    JSON_KEY(writer, "positions");
    json_array_begin(writer);
    for (size_t index = 0; index < projection->position_count; index++) {
        const exchange_position *position = &projection->positions[index];
        json_object_begin(writer);
        JSON_KEY(writer, "symbol"); json_string(writer, position->symbol);
        JSON_KEY(writer, "qty"); json_number(writer, position->qty);
        JSON_KEY(writer, "entry_price"); json_number(writer, position->entry_price);
        JSON_KEY(writer, "mark_price"); json_number(writer, position->mark_price);
        JSON_KEY(writer, "unrealized_pnl"); json_number(writer, position->unrealized_pnl);
        JSON_KEY(writer, "leverage"); json_number(writer, position->leverage);
        JSON_KEY(writer, "side"); json_string(writer, position->side);
        json_object_end(writer);
    }
    json_array_end(writer);
    JSON_KEY(writer, "last_fill_price"); json_number(writer, e->last_fill_price);
    JSON_KEY(writer, "last_fill_qty"); json_number(writer, e->last_fill_qty);
    JSON_KEY(writer, "last_fill_fee"); json_number(writer, e->last_fill_fee);
    JSON_KEY(writer, "last_fill_realized_pnl"); json_number(writer, e->last_fill_realized_pnl);
    JSON_KEY(writer, "last_funding"); json_number(writer, e->last_funding);
    json_object_end(writer);
    if (cacheable && !buffer_failed(writer->out))
        e_block_remember(e, projection, writer->out->data + start, writer->out->length - start);
}

static void render_reconcile(json_writer *writer, const reconcile_result *result) {
    json_object_begin(writer);
    JSON_KEY(writer, "status"); json_string(writer, reconcile_status_name(result->status));
    JSON_KEY(writer, "worst_field"); json_string(writer, result->worst_field);
    JSON_KEY(writer, "deltas");
    json_object_begin(writer);
    for (size_t index = 0; index < result->delta_count; index++) {
        json_key(writer, result->delta_names[index]);
        json_number(writer, result->delta_values[index]);
    }
    json_object_end(writer);
    JSON_KEY(writer, "explanations");
    json_array_begin(writer);
    for (size_t index = 0; index < result->explanation_count; index++)
        json_string(writer, result->explanations[index]);
    json_array_end(writer);
    json_object_end(writer);
}

/* The members shared by a reconcile.jsonl line and account.json. */
static void render_snapshot_members(json_writer *writer, const kernel *k) {
    const account_snapshot *snapshot = &k->projection.snapshot;
    JSON_KEY(writer, "event_seq"); json_integer(writer, snapshot->event_seq);
    JSON_KEY(writer, "source_event_id"); json_string(writer, snapshot->source_event_id);
    JSON_KEY(writer, "ts"); json_number(writer, snapshot->ts);
    JSON_KEY(writer, "k"); render_k_block(writer, &snapshot->k);
    JSON_KEY(writer, "e"); render_e_block(writer, &snapshot->e, &k->projection);
    JSON_KEY(writer, "reconcile"); render_reconcile(writer, &snapshot->reconcile);
}

void state_render_snapshot(json_writer *writer, const kernel *k) {
    json_object_begin(writer);
    render_snapshot_members(writer, k);
    json_object_end(writer);
}

static void render_thresholds(json_writer *writer, const reconcile_config *config) {
    json_object_begin(writer);
    JSON_KEY(writer, "capital_epsilon"); json_number(writer, config->capital_epsilon);
    JSON_KEY(writer, "pending_fee_bound"); json_number(writer, config->pending_fee_bound);
    JSON_KEY(writer, "realized_rounding"); json_number(writer, config->realized_rounding);
    JSON_KEY(writer, "lot_step"); json_number(writer, config->lot_step);
    JSON_KEY(writer, "mark_staleness_factor"); json_number(writer, config->mark_staleness_factor);
    JSON_KEY(writer, "leverage_rounding_band"); json_number(writer, config->leverage_rounding_band);
    /* Only under v2: a seed run's account.json stays the seed's. */
    if (config->rules != RULE_SET_SEED) {
        JSON_KEY(writer, "rules"); json_string(writer, reconcile_rule_set_name(config->rules));
    }
    json_object_end(writer);
}

void state_render_account(json_writer *writer, const kernel *k) {
    const published_capital *published = &k->projection.published;
    json_object_begin(writer);
    render_snapshot_members(writer, k);
    JSON_KEY(writer, "published");
    json_object_begin(writer);
    JSON_KEY(writer, "capital"); json_number(writer, published->capital);
    JSON_KEY(writer, "equity"); json_number(writer, published->equity);
    JSON_KEY(writer, "capital_source"); json_string(writer, capital_source_name(published->source));
    JSON_KEY(writer, "e_wallet_balance"); json_number(writer, published->e_wallet_balance);
    JSON_KEY(writer, "event_seq"); json_integer(writer, published->event_seq);
    JSON_KEY(writer, "realized_pnl"); json_number(writer, published->realized_pnl);
    JSON_KEY(writer, "fees_paid"); json_number(writer, published->fees_paid);
    JSON_KEY(writer, "peak_capital"); json_number(writer, published->peak_capital);
    json_object_end(writer);
    JSON_KEY(writer, "reconcile_config"); render_thresholds(writer, &k->config.reconcile);
    json_object_end(writer);
}

void state_render_nav(json_writer *writer, const kernel *k) {
    const aum_view *aum = &k->aum;
    json_object_begin(writer);
    JSON_KEY(writer, "ts"); json_number(writer, k->projection.snapshot.ts);
    JSON_KEY(writer, "nav_total"); json_number(writer, aum->nav_total);
    JSON_KEY(writer, "aum");
    json_object_begin(writer);
    JSON_KEY(writer, "futures"); json_number(writer, aum->futures);
    JSON_KEY(writer, "offexchange");
    json_object_begin(writer);
    for (size_t index = 0; index < aum->asset_count; index++) {
        const aum_asset *asset = &aum->assets[index];
        json_key(writer, asset->asset);
        json_object_begin(writer);
        JSON_KEY(writer, "qty"); json_number(writer, asset->qty);
        JSON_KEY(writer, "usd_value"); json_optional_number(writer, asset->has_usd_value, asset->usd_value);
        JSON_KEY(writer, "avg_cost"); json_optional_number(writer, asset->has_avg_cost, asset->avg_cost);
        json_object_end(writer);
    }
    json_object_end(writer);
    JSON_KEY(writer, "total"); json_number(writer, aum->total);
    json_object_end(writer);
    json_object_end(writer);
}

void state_render_kpis(json_writer *writer, const kernel *k, void (*extension)(void *, json_writer *),
                       void *extension_context) {
    const kpis_tracker *tracker = &k->kpis;
    const k_block *kblock = &k->projection.snapshot.k;
    kpis_summary summary;
    kpis_summarize(tracker, &summary);
    json_object_begin(writer);
    JSON_KEY(writer, "ts"); json_number(writer, k->projection.snapshot.ts);
    JSON_KEY(writer, "aum_total"); json_number(writer, k->aum.total);
    JSON_KEY(writer, "nav");
    json_object_begin(writer);
    JSON_KEY(writer, "nav_total"); json_number(writer, k->aum.nav_total);
    JSON_KEY(writer, "aum_total"); json_number(writer, k->aum.total);
    json_object_end(writer);
    JSON_KEY(writer, "realized_pnl"); json_number(writer, kblock->realized_pnl);
    JSON_KEY(writer, "fees_paid"); json_number(writer, kblock->fees_paid);
    JSON_KEY(writer, "funding_paid"); json_number(writer, kblock->funding_paid);
    JSON_KEY(writer, "return_pct"); json_number(writer, summary.return_pct);
    JSON_KEY(writer, "max_drawdown_pct"); json_number(writer, summary.max_drawdown_pct);
    JSON_KEY(writer, "sharpe"); json_optional_number(writer, summary.has_sharpe, summary.sharpe);
    JSON_KEY(writer, "trades"); json_integer(writer, tracker->trades);
    JSON_KEY(writer, "wins"); json_integer(writer, tracker->wins);
    JSON_KEY(writer, "win_rate"); json_optional_number(writer, summary.has_win_rate, summary.win_rate);
    JSON_KEY(writer, "exits");
    json_object_begin(writer);
    JSON_KEY(writer, "tp"); json_integer(writer, tracker->exits_tp);
    JSON_KEY(writer, "sl"); json_integer(writer, tracker->exits_sl);
    json_object_end(writer);
    JSON_KEY(writer, "reconcile");
    json_object_begin(writer);
    JSON_KEY(writer, "ok"); json_integer(writer, tracker->reconcile_counts[RECONCILE_OK]);
    JSON_KEY(writer, "warn"); json_integer(writer, tracker->reconcile_counts[RECONCILE_WARN]);
    JSON_KEY(writer, "error"); json_integer(writer, tracker->reconcile_counts[RECONCILE_ERROR]);
    JSON_KEY(writer, "worst_fields");
    /* Keyed by field, sorted; v2's fields only under v2. */
    reconcile_rule sorted[RULE_COUNT];
    size_t rule_count = reconcile_rules_sorted(k->config.reconcile.rules, sorted);
    json_object_begin(writer);
    for (size_t position = 0; position < rule_count; position++) {
        json_key(writer, reconcile_rule_field(sorted[position]));
        json_integer(writer, tracker->worst_field_counts[sorted[position]]);
    }
    json_object_end(writer);
    JSON_KEY(writer, "rules");
    json_object_begin(writer);
    for (size_t position = 0; position < rule_count; position++) {
        reconcile_rule rule = sorted[position];
        json_key(writer, reconcile_rule_field(rule));
        json_object_begin(writer);
        JSON_KEY(writer, "evaluated"); json_integer(writer, kpis_rule_evaluated(tracker, rule));
        for (int outcome = RULE_OUTCOME_OK; outcome < RULE_OUTCOME_COUNT; outcome++) {
            json_key(writer, rule_outcome_name((rule_outcome)outcome));
            json_integer(writer, tracker->rule_counts[rule][outcome]);
        }
        json_object_end(writer);
    }
    json_object_end(writer);
    json_object_end(writer);
    JSON_KEY(writer, "duplicates_skipped"); json_integer(writer, k->duplicates_skipped);
    JSON_KEY(writer, "faults_injected"); json_integer(writer, k->faults_injected);
    JSON_KEY(writer, "trace");
    json_object_begin(writer);
    JSON_KEY(writer, "events_applied"); json_integer(writer, k->events_applied);
    JSON_KEY(writer, "fills"); json_integer(writer, tracker->fills);
    json_object_end(writer);
    if (extension != NULL) extension(extension_context, writer);
    json_object_end(writer);
}

void state_render_positions_state(json_writer *writer, const kernel *k) {
    position_view positions[SYMBOLS_MAX];
    size_t count = kernel_positions_view(k, positions);
    json_object_begin(writer);
    JSON_KEY(writer, "updated_ts"); json_number(writer, k->projection.snapshot.ts);
    JSON_KEY(writer, "positions");
    json_array_begin(writer);
    for (size_t index = 0; index < count; index++) {
        json_object_begin(writer);
        JSON_KEY(writer, "symbol"); json_string(writer, positions[index].symbol);
        JSON_KEY(writer, "side"); json_string(writer, position_side_name(positions[index].side));
        JSON_KEY(writer, "qty"); json_number(writer, positions[index].qty);
        JSON_KEY(writer, "entry_price"); json_number(writer, positions[index].entry_price);
        JSON_KEY(writer, "created_ts"); json_number(writer, positions[index].created_ts);
        json_object_end(writer);
    }
    json_array_end(writer);
    json_object_end(writer);
}

void state_render_state(json_writer *writer, const kernel *k, void (*extension)(void *, json_writer *),
                        void *extension_context) {
    const ledger_consistency *consistency = &k->consistency;
    json_object_begin(writer);
    JSON_KEY(writer, "positions_state"); state_render_positions_state(writer, k);
    JSON_KEY(writer, "positions_ledger"); state_json_render_ledger(writer, &k->ledger);
    JSON_KEY(writer, "ledger_consistency");
    json_object_begin(writer);
    JSON_KEY(writer, "status"); json_string(writer, consistency_name(consistency->status));
    JSON_KEY(writer, "num_positions"); json_integer(writer, (int64_t)consistency->num_positions);
    JSON_KEY(writer, "num_ledger"); json_integer(writer, (int64_t)consistency->num_ledger);
    JSON_KEY(writer, "num_tp_sl"); json_integer(writer, (int64_t)consistency->num_tp_sl);
    json_object_end(writer);
    if (extension != NULL) extension(extension_context, writer);
    json_object_end(writer);
}

void state_render_exit(json_writer *writer, const kernel *k, const exit_intent *intent) {
    json_object_begin(writer);
    JSON_KEY(writer, "ts"); json_number(writer, k->projection.snapshot.ts);
    JSON_KEY(writer, "event_seq"); json_integer(writer, k->projection.snapshot.event_seq);
    JSON_KEY(writer, "symbol"); json_string(writer, intent->symbol);
    JSON_KEY(writer, "side"); json_string(writer, position_side_name(intent->side));
    JSON_KEY(writer, "qty"); json_number(writer, intent->qty);
    JSON_KEY(writer, "reason"); json_string(writer, exit_reason_name(intent->reason));
    JSON_KEY(writer, "mark"); json_number(writer, intent->mark);
    JSON_KEY(writer, "tp"); json_optional_number(writer, intent->has_tp, intent->tp);
    JSON_KEY(writer, "sl"); json_optional_number(writer, intent->has_sl, intent->sl);
    json_object_end(writer);
}
