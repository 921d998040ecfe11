/* projection.c -- see projection.h. Each function names the seed method it
 * reproduces; comments mark the places where C must take care to compute
 * what Python computes. */
#include "core/projection.h"

#include <assert.h>
#include <math.h>
#include <string.h>

#include "core/number.h"
#include "core/text.h"

/* Python's max(a, b) and min(a, b): the first argument unless the second is
 * strictly greater (smaller). With a NaN this differs from fmax/fmin, and the
 * seed's behaviour is the one reproduced. */
static double python_max(double first, double second) { return second > first ? second : first; }
static double python_min(double first, double second) { return second < first ? second : first; }

double projection_safe(double value, double fallback) { return isfinite(value) ? value : fallback; }

const char *reconcile_status_name(reconcile_status status) {
    static const char *const names[] = {"OK", "WARN", "ERROR"};
    assert(status >= RECONCILE_OK && status <= RECONCILE_ERROR);
    return names[status];
}

const char *capital_source_name(capital_source source) {
    static const char *const names[] = {"seed", "e_anchored", "k_bridged"};
    assert(source >= CAPITAL_SOURCE_SEED && source <= CAPITAL_SOURCE_K_BRIDGED);
    return names[source];
}

double projection_k_capital(const account_projection *projection) {
    const kernel_config *config = &projection->config;
    /* Without a transfer the sum is the seed's, operation for operation:
     * adding a 0.0 term could still turn a -0.0 seed into +0.0. */
    double base = projection->has_transfers ? projection->seed + projection->k_transfers : projection->seed;
    double raw = base + projection->k_realized - projection->k_fees - projection->k_funding;
    if (config->has_max_capital) raw = python_min(raw, config->max_capital);
    return python_max(config->min_capital, raw);
}

/* V1 settle(realized_pnl, fees). */
static void published_settle(account_projection *projection, double realized_pnl, double fees) {
    published_capital *published = &projection->published;
    const kernel_config *config = &projection->config;
    double realized = projection_safe(realized_pnl, 0.0);
    double net = realized - projection_safe(fees, 0.0);
    double capital = projection_safe(published->capital + net, published->capital);
    if (config->has_max_capital) capital = python_min(capital, config->max_capital);
    capital = python_max(config->min_capital, capital);
    if (published->source == CAPITAL_SOURCE_E_ANCHORED && fabs(net) > 1e-12)
        published->source = CAPITAL_SOURCE_K_BRIDGED;
    published->fees_paid += projection_safe(fees, 0.0);
    published->realized_pnl += realized;
    double equity = capital + published->unrealized_pnl;
    published->equity = isfinite(equity) ? equity : capital;
    published->capital = capital;
}

/* V1 anchor_to_exchange(wallet_balance, available_margin, event_seq). */
static void published_anchor(account_projection *projection, double wallet_balance, long event_seq) {
    published_capital *published = &projection->published;
    double wallet = projection_safe(wallet_balance, 0.0);
    if (wallet <= 0.0 || !isfinite(wallet)) return; /* the zero-wallet frame lesson */
    published->capital = wallet;
    published->e_wallet_balance = wallet;
    published->source = CAPITAL_SOURCE_E_ANCHORED;
    published->event_seq = event_seq;
    published->equity = wallet + published->unrealized_pnl;
    if (!isfinite(published->equity)) published->equity = wallet;
    published->peak_capital = python_max(published->peak_capital, wallet);
}

/* V1 observe_slots(slots): every open book position is a POSITION_OPEN slot. */
static void published_observe(account_projection *projection, const position_book *book) {
    published_capital *published = &projection->published;
    int open_positions = 0;
    double open_notional = 0.0;
    double unrealized = 0.0;
    for (size_t index = 0; index < book->count; index++) {
        const book_position *position = &book->positions[index];
        double size = fabs(position->qty);
        if (!(size > 0)) continue;
        open_positions++;
        double mark = projection_safe(position->entry_price, 0.0);
        if (position->has_mark) mark = projection_safe(position->mark, mark);
        open_notional += size * fabs(mark);
        unrealized += book_unrealized_pnl(position);
    }
    double capital = published->capital;
    published->open_positions = open_positions;
    published->open_notional = open_notional;
    published->unrealized_pnl = unrealized;
    published->equity = isfinite(capital + unrealized) ? capital + unrealized : capital;
    if (open_notional > 0 && capital > 0) published->peak_capital = python_max(published->peak_capital, capital);
}

void projection_init(account_projection *projection, const kernel_config *config) {
    memset(projection, 0, sizeof *projection);
    projection->config = *config;
    projection->seed = projection_safe(config->seed_capital, 0.0);
    projection->peak_capital = projection->seed;
    projection->published.capital = config->seed_capital;
    projection->published.equity = config->seed_capital;
    projection->published.source = CAPITAL_SOURCE_SEED;
    position_book empty_book;
    book_init(&empty_book);
    projection_build_snapshot(projection, "", 0.0, &empty_book);
    projection->event_seq = 0;
    projection->snapshot.event_seq = 0;
}

void projection_apply_fill(account_projection *projection, double fill_price, double fill_qty,
                           double fee, double realized_pnl) {
    projection->k_realized += projection_safe(realized_pnl, 0.0);
    projection->k_fees += projection_safe(fee, 0.0);
    projection->e.last_fill_price = projection_safe(fill_price, 0.0);
    projection->e.last_fill_qty = projection_safe(fill_qty, 0.0);
    projection->e.last_fill_fee = projection_safe(fee, 0.0);
    projection->e.last_fill_realized_pnl = projection_safe(realized_pnl, 0.0);
    published_settle(projection, realized_pnl, fee);
}

void projection_apply_funding(account_projection *projection, double amount) {
    projection->k_funding += projection_safe(amount, 0.0);
    projection->e.last_funding = projection_safe(amount, 0.0);
    published_settle(projection, -projection_safe(amount, 0.0), 0.0);
}

void projection_apply_transfer(account_projection *projection, double amount) {
    projection->k_transfers += projection_safe(amount, 0.0);
    projection->has_transfers = true;
}

void projection_apply_balance(account_projection *projection, double wallet_balance,
                              double available_margin, double used_margin, double maint_margin) {
    projection->e.wallet_balance = projection_safe(wallet_balance, 0.0);
    projection->e.available_margin = projection_safe(available_margin, 0.0);
    projection->e.used_margin = projection_safe(used_margin, 0.0);
    projection->e.maint_margin = projection_safe(maint_margin, 0.0);
    published_anchor(projection, wallet_balance, projection->event_seq + 1);
    reconcile_extras *pending = &projection->pending;
    if (wallet_balance > 0 && isfinite(wallet_balance)) {
        pending->has_valid_wallet = true;
        pending->last_valid_wallet = wallet_balance;
    } else {
        pending->invalid_wallet_frame = true; /* v2 R1 flags it instead of going quiet */
    }
}

void projection_apply_positions(account_projection *projection, const exchange_position *positions,
                                size_t count) {
    assert(count <= SYMBOLS_MAX);
    if (count > 0 && positions != projection->positions)
        memmove(projection->positions, positions, count * sizeof positions[0]);
    projection->position_count = count;
}

void projection_observe_book_fill(account_projection *projection, double realized_pnl) {
    projection->pending.book_realized_pnl += projection_safe(realized_pnl, 0.0);
    projection->pending.has_fills = true;
}

void projection_note_position_report(account_projection *projection) {
    projection->pending.positions_reported = true;
}

void projection_note_registry_sync(account_projection *projection, size_t orphan_count, const char *first_orphan) {
    reconcile_extras *pending = &projection->pending;
    assert(orphan_count <= SYMBOLS_MAX);
    assert(orphan_count == 0 || first_orphan != NULL);
    pending->registry_synced = true;
    pending->orphans_removed = orphan_count;
    text_copy(pending->orphan_symbol, sizeof pending->orphan_symbol, orphan_count > 0 ? first_orphan : "");
}

/* _scan_slots: open notional, unrealized, used margin and count. */
static void scan_slots(const position_book *book, k_block *k) {
    for (size_t index = 0; index < book->count; index++) {
        const book_position *position = &book->positions[index];
        double size = fabs(position->qty);
        if (!(size > 0)) continue;
        k->open_positions++;
        double mark = position->has_mark ? projection_safe(position->mark, 0.0) : 0.0;
        if (mark <= 0.0) mark = projection_safe(position->entry_price, 0.0);
        double notional = size * mark;
        k->open_notional += notional;
        k->unrealized_pnl += projection_safe(book_unrealized_pnl(position), 0.0);
        double leverage = python_max(1.0, projection_safe(position->leverage, 1.0));
        k->used_margin += notional / leverage;
    }
}

const account_snapshot *projection_build_snapshot(account_projection *projection,
                                                  const char *source_event_id, double ts,
                                                  const position_book *book) {
    account_snapshot *snapshot = &projection->snapshot;
    projection->event_seq++;
    published_observe(projection, book);
    k_block *k = &snapshot->k;
    /* scan_slots sums into these; every other field is set below. */
    k->open_positions = 0;
    k->open_notional = k->unrealized_pnl = k->used_margin = 0.0;
    scan_slots(book, k);
    double capital = projection_k_capital(projection);
    projection->peak_capital = python_max(projection->peak_capital, capital);
    k->capital = capital;
    k->realized_pnl = projection->k_realized;
    k->fees_paid = projection->k_fees;
    k->funding_paid = projection->k_funding;
    k->transfers = projection->k_transfers;
    k->has_transfers = projection->has_transfers;
    k->equity = capital + k->unrealized_pnl;
    k->available_margin = python_max(0.0, capital - k->used_margin);
    k->peak_capital = projection->peak_capital;
    snapshot->e = projection->e;
    snapshot->event_seq = projection->event_seq;
    snapshot->ts = ts;
    text_copy(snapshot->source_event_id, sizeof snapshot->source_event_id, source_event_id);
    /* What held for this event only is cleared for the next one. */
    projection->extras = projection->pending;
    projection->pending.invalid_wallet_frame = false;
    projection->pending.registry_synced = false;
    projection->pending.orphans_removed = 0;
    projection->pending.orphan_symbol[0] = '\0';
    reconcile_facts facts;
    projection_facts(projection, book, &facts);
    projection_classify(&facts, &projection->config.reconcile, &snapshot->reconcile);
    return snapshot;
}

void projection_facts(const account_projection *projection, const position_book *book, reconcile_facts *facts) {
    facts->k = &projection->snapshot.k;
    facts->e = &projection->snapshot.e;
    facts->positions = projection->positions;
    facts->position_count = projection->position_count;
    facts->book = book;
    facts->extras = projection->extras;
}

/* _escalate: a strictly worse status takes over the worst field. Also
 * records the rule's own worst severity in this snapshot. */
static void escalate(reconcile_result *result, reconcile_status status, reconcile_rule rule) {
    _Static_assert(RULE_OUTCOME_WARN - RULE_OUTCOME_OK == RECONCILE_WARN - RECONCILE_OK, "outcome order");
    _Static_assert(RULE_OUTCOME_ERROR - RULE_OUTCOME_OK == RECONCILE_ERROR - RECONCILE_OK, "outcome order");
    unsigned char outcome = (unsigned char)(RULE_OUTCOME_OK + (status - RECONCILE_OK));
    if (outcome > result->outcomes[rule]) result->outcomes[rule] = outcome;
    if (status > result->status) {
        result->status = status;
        result->worst_field = reconcile_rule_field(rule);
    }
}

/* A delta for rule: the rule is evaluated in this snapshot. */
static void add_delta(reconcile_result *result, reconcile_rule rule, double value) {
    assert(result->delta_count < RECONCILE_DELTAS_MAX);
    if (result->outcomes[rule] == RULE_NOT_EVALUATED) result->outcomes[rule] = RULE_OUTCOME_OK;
    result->delta_names[result->delta_count] = reconcile_rule_field(rule);
    result->delta_values[result->delta_count] = value;
    result->delta_count++;
}

/* Appends "LABEL|FIELD[|SYMBOL][|delta=%.4f]" (symbol NULL: none; with_delta
 * false: no delta part). Python's f"{delta:.4f}" and C's "%.4f" both round
 * correctly; number_format_fixed writes "%.4f" without printf's cost (this
 * runs for most snapshots). */
static void explain_parts(reconcile_result *result, const char *label, const char *field, const char *symbol,
                          bool with_delta, double delta) {
    assert(result->explanation_count < EXPLANATIONS_MAX);
    char *text = result->explanations[result->explanation_count];
    size_t label_length = strlen(label), field_length = strlen(field);
    size_t symbol_length = symbol != NULL ? strlen(symbol) : 0;
    /* the largest "%.4f" is 314 characters: see EXPLANATION_CAPACITY */
    assert(label_length + field_length + symbol_length + 9 + 315 <= EXPLANATION_CAPACITY);
    size_t length = 0;
    memcpy(text, label, label_length);
    length += label_length;
    text[length++] = '|';
    memcpy(text + length, field, field_length);
    length += field_length;
    if (symbol != NULL) {
        text[length++] = '|';
        memcpy(text + length, symbol, symbol_length);
        length += symbol_length;
    }
    if (with_delta) {
        memcpy(text + length, "|delta=", 7);
        length += 7;
        number_format_fixed(delta, 4, text + length, EXPLANATION_CAPACITY - length);
    } else {
        text[length] = '\0';
    }
    result->explanation_count++;
}

/* The seed's "LABEL|FIELD|delta=%.4f". */
static void explain(reconcile_result *result, const char *label, const char *field, double delta) {
    explain_parts(result, label, field, NULL, true, delta);
}

/* R3's explanation, "ERROR|open_positions|k=%d|e=%zu", without printf (it
 * runs for every snapshot while the counts differ). */
static void explain_counts(reconcile_result *result, int kernel_count, size_t exchange_count) {
    assert(result->explanation_count < EXPLANATIONS_MAX);
    static const char prefix[] = RULE_ERROR_LABEL "|open_positions|k=";
    char *text = result->explanations[result->explanation_count++];
    memcpy(text, prefix, sizeof prefix - 1);
    char *cursor = text + sizeof prefix - 1;
    cursor += number_format_integer(kernel_count, cursor);
    memcpy(cursor, "|e=", 3);
    cursor += 3;
    cursor += number_format_integer((int64_t)exchange_count, cursor);
    assert(cursor < text + EXPLANATION_CAPACITY);
}

/* One banded rule: |delta| <= epsilon OK, <= band WARN (with the rule's
 * label), else ERROR. */
static void classify_band(reconcile_result *result, reconcile_rule rule, double signed_delta, double epsilon,
                          double band) {
    double delta = fabs(signed_delta);
    const reconcile_rule_info *info = &reconcile_rules[rule];
    assert(info->warn_label != NULL);
    add_delta(result, rule, signed_delta);
    if (delta <= epsilon) return;
    if (delta <= band) {
        escalate(result, RECONCILE_WARN, rule);
        explain(result, info->warn_label, info->field, delta);
    } else {
        escalate(result, RECONCILE_ERROR, rule);
        explain(result, RULE_ERROR_LABEL, info->field, delta);
    }
}

/* Distinct symbols among the exchange positions (the seed's e_pos_map). */
static size_t distinct_symbols(const exchange_position *positions, size_t count) {
    size_t distinct = 0;
    for (size_t index = 0; index < count; index++) {
        bool seen = false;
        for (size_t before = 0; before < index && !seen; before++)
            seen = strcmp(positions[before].symbol, positions[index].symbol) == 0;
        distinct += !seen;
    }
    return distinct;
}

/* R1..R5 of the seed's _classify, to the character. */
static void classify_seed(const reconcile_facts *facts, const reconcile_config *config, reconcile_result *result) {
    const k_block *k = facts->k;
    const e_block *e = facts->e;
    /* R1: capital vs wallet balance, only when E-facts are populated. */
    if (e->wallet_balance > 0)
        classify_band(result, RULE_CAPITAL_VS_WALLET, k->capital - e->wallet_balance, config->capital_epsilon,
                      config->pending_fee_bound);
    /* R2: K's cumulative realized PnL vs the last fill's realized PnL (sic). */
    if (e->last_fill_realized_pnl != 0)
        classify_band(result, RULE_REALIZED_PNL, k->realized_pnl - e->last_fill_realized_pnl,
                      config->capital_epsilon, config->realized_rounding);
    /* R3: position count; evaluated whenever E reports positions, a delta
     * only when the counts differ. */
    if (facts->position_count > 0) {
        size_t exchange_count = distinct_symbols(facts->positions, facts->position_count);
        result->outcomes[RULE_OPEN_POSITIONS] = RULE_OUTCOME_OK;
        if ((size_t)k->open_positions != exchange_count) {
            add_delta(result, RULE_OPEN_POSITIONS, (double)((long)k->open_positions - (long)exchange_count));
            escalate(result, RECONCILE_ERROR, RULE_OPEN_POSITIONS);
            explain_counts(result, k->open_positions, exchange_count);
        }
    }
    /* R4: K's open notional vs E's used margin (sic: leverage > 1 is ERROR). */
    if (e->used_margin > 0 && k->open_notional > 0)
        classify_band(result, RULE_OPEN_NOTIONAL, k->open_notional - e->used_margin, config->capital_epsilon,
                      k->open_notional * config->mark_staleness_factor);
    /* R5: used margin. */
    if (e->used_margin > 0)
        classify_band(result, RULE_USED_MARGIN, k->used_margin - e->used_margin, config->capital_epsilon,
                      config->leverage_rounding_band);
}

/* v2 R1: K capital vs the last valid E wallet; a zero or non-finite wallet
 * frame in this event is itself a WARN (the seed goes quiet instead). */
static void classify_v2_wallet(const reconcile_facts *facts, const reconcile_config *config,
                               reconcile_result *result) {
    const reconcile_extras *extras = &facts->extras;
    if (extras->has_valid_wallet)
        classify_band(result, RULE_CAPITAL_VS_WALLET, facts->k->capital - extras->last_valid_wallet,
                      config->capital_epsilon, config->pending_fee_bound);
    if (extras->invalid_wallet_frame) {
        escalate(result, RECONCILE_WARN, RULE_CAPITAL_VS_WALLET);
        explain(result, RULE_ZERO_WALLET_FRAME_LABEL, reconcile_rule_field(RULE_CAPITAL_VS_WALLET),
                fabs(facts->k->capital - facts->e->wallet_balance));
    }
}

/* The largest |K qty - E qty| over every symbol either side holds (both
 * lists sorted by symbol): its signed delta and symbol. */
static double worst_quantity_delta(const reconcile_facts *facts, const char **symbol) {
    static const position_book empty_book = {.count = 0};
    const position_book *book = facts->book != NULL ? facts->book : &empty_book;
    double worst = 0.0;
    *symbol = NULL;
    size_t k_index = 0, e_index = 0;
    while (k_index < book->count || e_index < facts->position_count) {
        const book_position *mine = k_index < book->count ? &book->positions[k_index] : NULL;
        const exchange_position *theirs = e_index < facts->position_count ? &facts->positions[e_index] : NULL;
        int order = mine == NULL ? 1 : theirs == NULL ? -1 : strcmp(mine->symbol, theirs->symbol);
        double k_qty = order <= 0 ? projection_safe(mine->qty, 0.0) : 0.0;
        double e_qty = order >= 0 ? theirs->qty : 0.0;
        const char *name = order <= 0 ? mine->symbol : theirs->symbol;
        k_index += order <= 0;
        e_index += order >= 0;
        double delta = k_qty - e_qty;
        if (fabs(delta) > fabs(worst)) {
            worst = delta;
            *symbol = name;
        }
    }
    return worst;
}

/* v2 R3: the seed's count, and the quantity of every symbol, from the
 * first exchange position report of the run on (an empty E list then says
 * "no positions", which the seed cannot tell from "no report"). */
static void classify_v2_positions(const reconcile_facts *facts, const reconcile_config *config,
                                  reconcile_result *result) {
    if (!facts->extras.positions_reported) return;
    size_t exchange_count = distinct_symbols(facts->positions, facts->position_count);
    int k_count = facts->k->open_positions;
    result->outcomes[RULE_OPEN_POSITIONS] = RULE_OUTCOME_OK;
    if ((size_t)k_count != exchange_count) {
        add_delta(result, RULE_OPEN_POSITIONS, (double)((long)k_count - (long)exchange_count));
        escalate(result, RECONCILE_ERROR, RULE_OPEN_POSITIONS);
        explain_counts(result, k_count, exchange_count);
    }
    const char *symbol;
    double delta = worst_quantity_delta(facts, &symbol);
    add_delta(result, RULE_POSITION_QTY, delta);
    if (fabs(delta) <= config->capital_epsilon) return;
    bool rounding = fabs(delta) <= config->lot_step / 2.0;
    escalate(result, rounding ? RECONCILE_WARN : RECONCILE_ERROR, RULE_POSITION_QTY);
    explain_parts(result, rounding ? reconcile_rules[RULE_POSITION_QTY].warn_label : RULE_ERROR_LABEL,
                  reconcile_rule_field(RULE_POSITION_QTY), symbol, true, fabs(delta));
}

/* E's open notional: sum of |qty| x mark price (entry price without a mark,
 * as K values its own). */
static double exchange_open_notional(const reconcile_facts *facts) {
    double notional = 0.0;
    for (size_t index = 0; index < facts->position_count; index++) {
        const exchange_position *position = &facts->positions[index];
        double mark = position->mark_price > 0 ? position->mark_price : position->entry_price;
        notional += fabs(position->qty) * mark;
    }
    return notional;
}

/* v2 R6: orphan TP/SL entries a sync removed in this event. */
static void classify_v2_registry(const reconcile_facts *facts, reconcile_result *result) {
    const reconcile_extras *extras = &facts->extras;
    if (!extras->registry_synced) return;
    add_delta(result, RULE_REGISTRY, (double)extras->orphans_removed);
    if (extras->orphans_removed == 0) return;
    escalate(result, RECONCILE_WARN, RULE_REGISTRY);
    explain_parts(result, reconcile_rules[RULE_REGISTRY].warn_label, reconcile_rule_field(RULE_REGISTRY),
                  extras->orphan_symbol, false, 0.0);
}

/* The v2 rules (README, "Reconcile rules"): R1..R6 in the seed's order. */
static void classify_v2(const reconcile_facts *facts, const reconcile_config *config, reconcile_result *result) {
    const k_block *k = facts->k;
    const e_block *e = facts->e;
    classify_v2_wallet(facts, config, result);
    /* R2: K's own realized PnL (its book) vs E's cumulative (the fills'). */
    if (facts->extras.has_fills)
        classify_band(result, RULE_REALIZED_PNL, facts->extras.book_realized_pnl - k->realized_pnl,
                      config->capital_epsilon, config->realized_rounding);
    classify_v2_positions(facts, config, result);
    /* R4: K's open notional vs E's open notional. */
    double exchange_notional = exchange_open_notional(facts);
    if (facts->extras.positions_reported && (k->open_notional > 0 || exchange_notional > 0))
        classify_band(result, RULE_OPEN_NOTIONAL, k->open_notional - exchange_notional, config->capital_epsilon,
                      k->open_notional * config->mark_staleness_factor);
    /* R5: as the seed. */
    if (e->used_margin > 0)
        classify_band(result, RULE_USED_MARGIN, k->used_margin - e->used_margin, config->capital_epsilon,
                      config->leverage_rounding_band);
    classify_v2_registry(facts, result);
}

void projection_classify(const reconcile_facts *facts, const reconcile_config *config, reconcile_result *result) {
    assert(facts->k != NULL && facts->e != NULL);
    assert(facts->position_count <= SYMBOLS_MAX);
    /* Field by field: the explanations are 3 KiB, and only the first
     * explanation_count of them are ever read. */
    result->status = RECONCILE_OK;
    result->worst_field = "";
    result->delta_count = 0;
    result->explanation_count = 0;
    memset(result->outcomes, RULE_NOT_EVALUATED, sizeof result->outcomes);
    if (config->rules == RULE_SET_V2)
        classify_v2(facts, config, result);
    else
        classify_seed(facts, config, result);
    assert(result->explanation_count <= EXPLANATIONS_MAX);
}
