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
    projection->extras = projection->pending;
    projection->pending.invalid_wallet_frame = false;
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

static void explain(reconcile_result *result, const char *label, const char *field, double delta) {
    assert(result->explanation_count < EXPLANATIONS_MAX);
    /* "LABEL|FIELD|delta=%.4f". Python's f"{delta:.4f}" and C's "%.4f" both
     * round correctly; number_format_fixed writes "%.4f" without printf's
     * cost (this runs for most snapshots). Label and field are short names. */
    char *text = result->explanations[result->explanation_count];
    size_t label_length = strlen(label), field_length = strlen(field);
    assert(label_length + field_length + 8 + NUMBER_TEXT_CAPACITY <= EXPLANATION_CAPACITY);
    memcpy(text, label, label_length);
    text[label_length] = '|';
    memcpy(text + label_length + 1, field, field_length);
    memcpy(text + label_length + 1 + field_length, "|delta=", 7);
    size_t prefix = label_length + field_length + 8;
    number_format_fixed(delta, 4, text + prefix, EXPLANATION_CAPACITY - prefix);
    result->explanation_count++;
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
    classify_seed(facts, config, result);
}
