/* normalize.c -- see normalize.h. */
#include "live/normalize.h"

#include <assert.h>
#include <cJSON.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/number.h"
#include "core/text.h"

void normalizer_init(normalizer *state, mark_lookup lookup, const void *lookup_context) {
    memset(state, 0, sizeof *state);
    state->lookup = lookup;
    state->lookup_context = lookup_context;
}

bool normalizer_set_leverage(normalizer *state, const char *symbol, double leverage) {
    if (!isfinite(leverage) || leverage < 1 || strlen(symbol) >= SYMBOL_CAPACITY || symbol[0] == '\0') return false;
    size_t index = 0;
    while (index < state->leverage_count && strcmp(state->leverages[index].symbol, symbol) < 0) index++;
    if (index < state->leverage_count && strcmp(state->leverages[index].symbol, symbol) == 0) {
        state->leverages[index].leverage = leverage;
        return true;
    }
    if (state->leverage_count == SYMBOLS_MAX) return false;
    memmove(&state->leverages[index + 1], &state->leverages[index],
            (state->leverage_count - index) * sizeof state->leverages[0]);
    snprintf(state->leverages[index].symbol, SYMBOL_CAPACITY, "%s", symbol);
    state->leverages[index].leverage = leverage;
    state->leverage_count++;
    return true;
}

bool normalizer_leverage(const normalizer *state, const char *symbol, double *leverage) {
    for (size_t index = 0; index < state->leverage_count; index++)
        if (strcmp(state->leverages[index].symbol, symbol) == 0) {
            *leverage = state->leverages[index].leverage;
            return true;
        }
    return false;
}

/* Writes a formatted report and returns kind (for one-line returns). */
static frame_kind say(normalizer *state, char report[NORMALIZE_REPORT_CAPACITY], frame_kind kind, const char *format,
                      ...) __attribute__((format(printf, 4, 5)));
static frame_kind say(normalizer *state, char report[NORMALIZE_REPORT_CAPACITY], frame_kind kind, const char *format,
                      ...) {
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(report, NORMALIZE_REPORT_CAPACITY, format, arguments);
    va_end(arguments);
    state->reports++;
    return kind;
}

/* Appends a message to report ("; " between messages, cut at the capacity):
 * a frame may skip several entries and still apply the rest. */
static void note(normalizer *state, char report[NORMALIZE_REPORT_CAPACITY], const char *format, ...)
    __attribute__((format(printf, 3, 4)));
static void note(normalizer *state, char report[NORMALIZE_REPORT_CAPACITY], const char *format, ...) {
    size_t used = strnlen(report, NORMALIZE_REPORT_CAPACITY - 1);
    if (used > 0 && used + 2 < NORMALIZE_REPORT_CAPACITY) {
        memcpy(report + used, "; ", 3);
        used += 2;
    }
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(report + used, NORMALIZE_REPORT_CAPACITY - used, format, arguments);
    va_end(arguments);
    if (used == 0) state->reports++;
    assert(strlen(report) < NORMALIZE_REPORT_CAPACITY);
}

/* A member that must be a string holding a strict number. */
static bool number_member(const cJSON *object, const char *name, double *value) {
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(object, name);
    if (!cJSON_IsString(item) || item->valuestring == NULL) return false;
    return number_parse(item->valuestring, strlen(item->valuestring), value);
}

/* An optional numeric-string member: absent gives fallback; present must parse. */
static bool optional_number_member(const cJSON *object, const char *name, double fallback, double *value) {
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(object, name);
    if (item == NULL) {
        *value = fallback;
        return true;
    }
    return number_member(object, name, value);
}

/* A member that must be a JSON integer (ids, times in ms), 0 <= v < 2^53. */
static bool integer_member(const cJSON *object, const char *name, long long *value) {
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(object, name);
    if (!cJSON_IsNumber(item)) return false;
    double number = item->valuedouble;
    if (!isfinite(number) || number < 0 || number > 9007199254740992.0 || floor(number) != number) return false;
    *value = (long long)number;
    return true;
}

bool normalize_symbol_valid(const char *text, size_t length) {
    if (length == 0 || length >= SYMBOL_CAPACITY) return false;
    const unsigned char *bytes = (const unsigned char *)text;
    for (size_t index = 0; index < length;) {
        unsigned char c = bytes[index];
        if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-') {
            index++;
            continue;
        }
        size_t sequence = text_utf8_sequence_length(bytes + index, length - index);
        if (sequence == 0) return false;
        index += sequence;
    }
    return true;
}

/* A string member of a symbol (or asset) shape (normalize_symbol_valid), or NULL. */
static const char *symbol_member(const cJSON *object, const char *name) {
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(object, name);
    if (!cJSON_IsString(item) || item->valuestring == NULL) return NULL;
    return normalize_symbol_valid(item->valuestring, strlen(item->valuestring)) ? item->valuestring : NULL;
}

/* A string member's text (borrowed from object), or NULL. */
static const char *string_member(const cJSON *object, const char *name) {
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(object, name);
    return cJSON_IsString(item) ? item->valuestring : NULL;
}

/* Starts a fact of type in out; NULL when the event is full. */
static exchange_fact *add_fact(normalized_event *out, fact_type type) {
    if (out->fact_count == EVENT_ROWS_MAX) return NULL;
    exchange_fact *fact = &out->facts[out->fact_count++];
    memset(fact, 0, sizeof *fact);
    fact->type = type;
    return fact;
}

/* Copies the remembered leverage of fact->symbol into fact, if any. */
static void attach_leverage(const normalizer *state, exchange_fact *fact) {
    double leverage = 0;
    if (normalizer_leverage(state, fact->symbol, &leverage)) {
        fact->has_leverage = true;
        fact->leverage = leverage;
    }
}

/* ---- symbols margined in another asset ---------------------------------- */

static bool is_excluded(const normalizer *state, const char *symbol) {
    for (size_t index = 0; index < state->excluded_count; index++)
        if (strcmp(state->excluded[index], symbol) == 0) return true;
    return false;
}

/* Whether symbol is margined in USDT: the margin asset when the payload
 * names it (ACCOUNT_UPDATE "ma", positionRisk v3 "marginAsset"), else by
 * name, a USDC-margined contract ending in USDC. A symbol found otherwise
 * is remembered and reported once (note); it stays out of the USDT ledger. */
static bool usdt_margined(normalizer *state, const char *symbol, const char *margin_asset,
                          char report[NORMALIZE_REPORT_CAPACITY]) {
    if (is_excluded(state, symbol)) return false;
    size_t length = strlen(symbol);
    bool usdt = margin_asset != NULL ? strcmp(margin_asset, "USDT") == 0
                                     : !(length > 4 && strcmp(symbol + length - 4, "USDC") == 0);
    if (usdt) return true;
    if (state->excluded_count < NORMALIZE_EXCLUDED_MAX)
        snprintf(state->excluded[state->excluded_count++], SYMBOL_CAPACITY, "%s", symbol);
    note(state, report, "%s is margined in %s, not USDT: left out of the USDT ledger", symbol,
         margin_asset != NULL ? margin_asset : "USDC");
    return false;
}

/* ---- events not applied ------------------------------------------------- */

/* Counts one frame of a type this adapter does not apply (sorted insert). */
static void count_unapplied(normalizer *state, const char *type) {
    size_t index = 0;
    while (index < state->unapplied_count && strcmp(state->unapplied[index].type, type) < 0) index++;
    if (index < state->unapplied_count && strcmp(state->unapplied[index].type, type) == 0) {
        state->unapplied[index].count++;
        return;
    }
    if (state->unapplied_count == NORMALIZE_EVENT_TYPES_MAX || strlen(type) >= NORMALIZE_EVENT_TYPE_CAPACITY) {
        state->unapplied_other++;
        return;
    }
    memmove(&state->unapplied[index + 1], &state->unapplied[index],
            (state->unapplied_count - index) * sizeof state->unapplied[0]);
    snprintf(state->unapplied[index].type, NORMALIZE_EVENT_TYPE_CAPACITY, "%s", type);
    state->unapplied[index].count = 1;
    state->unapplied_count++;
    assert(state->unapplied_count <= NORMALIZE_EVENT_TYPES_MAX);
}

long normalizer_unapplied_summary(const normalizer *state, char *out, size_t capacity) {
    assert(capacity > 0);
    out[0] = '\0';
    size_t used = 0;
    long total = state->unapplied_other;
    for (size_t index = 0; index < state->unapplied_count; index++) {
        total += state->unapplied[index].count;
        int written = snprintf(out + used, capacity - used, "%s%s %ld", index > 0 ? ", " : "",
                               state->unapplied[index].type, state->unapplied[index].count);
        if (written < 0 || (size_t)written >= capacity - used) break;
        used += (size_t)written;
    }
    if (state->unapplied_other > 0 && used < capacity)
        snprintf(out + used, capacity - used, "%sother types %ld", used > 0 ? ", " : "", state->unapplied_other);
    return total;
}

/* MARGIN_CALL (Event-Margin-Call page): the positions at risk, as an alert. */
static frame_kind margin_call(normalizer *state, const cJSON *frame, normalized_event *out,
                              char report[NORMALIZE_REPORT_CAPACITY]) {
    out->flags |= NORMALIZED_ALERT;
    const char *cross_wallet = string_member(frame, "cw"); /* "only pushed with crossed position margin call" */
    if (cross_wallet != NULL)
        note(state, report, "MARGIN_CALL: the exchange warns that the margin ratio is too high (cross wallet %s)",
             cross_wallet);
    else
        note(state, report, "MARGIN_CALL: the exchange warns that the margin ratio is too high (isolated)");
    const cJSON *entry = NULL;
    cJSON_ArrayForEach(entry, cJSON_GetObjectItemCaseSensitive(frame, "p")) {
        const char *symbol = symbol_member(entry, "s");
        const char *amount = string_member(entry, "pa");
        const char *mark = string_member(entry, "mp");
        const char *maintenance = string_member(entry, "mm");
        note(state, report, "%s %s amount %s mark %s maintenance margin %s: liquidation may follow",
             symbol != NULL ? symbol : "?", string_member(entry, "ps") != NULL ? string_member(entry, "ps") : "?",
             amount != NULL ? amount : "?", mark != NULL ? mark : "?", maintenance != NULL ? maintenance : "?");
    }
    return FRAME_IGNORED;
}

/* CONDITIONAL_ORDER_TRIGGER_REJECT: a triggered TP/SL order was rejected. */
static frame_kind trigger_reject(normalizer *state, const cJSON *frame, normalized_event *out,
                                 char report[NORMALIZE_REPORT_CAPACITY]) {
    out->flags |= NORMALIZED_ALERT;
    const cJSON *order = cJSON_GetObjectItemCaseSensitive(frame, "or");
    const char *symbol = symbol_member(order, "s");
    const char *reason = string_member(order, "r");
    long long order_id = 0;
    (void)integer_member(order, "i", &order_id);
    note(state, report, "CONDITIONAL_ORDER_TRIGGER_REJECT: the triggered order %lld of %s was rejected (%s): "
         "its TP/SL did not execute", order_id, symbol != NULL ? symbol : "?", reason != NULL ? reason : "no reason");
    return FRAME_IGNORED;
}

/* ---- ACCOUNT_UPDATE (Event-Balance-and-Position-Update page) ------------ */

/* The update's id AU:T:E:HASH. T and E alone can repeat across distinct
 * updates (funding of several isolated positions at once): the id also
 * carries a hash of the update's content, identical for a redelivery. */
static bool account_update_id(const cJSON *update, long long transaction_time_ms, long long event_time_ms,
                              normalized_event *out) {
    char *content = cJSON_PrintUnformatted(update);
    if (content == NULL) return false;
    uint64_t hash = 1469598103934665603ULL; /* FNV-1a 64 */
    for (const unsigned char *cursor = (const unsigned char *)content; *cursor != '\0'; cursor++)
        hash = (hash ^ *cursor) * 1099511628211ULL;
    cJSON_free(content);
    snprintf(out->event_id, sizeof out->event_id, "AU:%lld:%lld:%016" PRIx64, transaction_time_ms, event_time_ms,
             hash);
    return true;
}

/* The USDT balance entry of B, its wb and bc; entries without an asset or
 * with a malformed USDT entry are skipped and noted. NULL when none. */
static const cJSON *usdt_balance(normalizer *state, const cJSON *balances, double *wallet, double *change,
                                 char report[NORMALIZE_REPORT_CAPACITY]) {
    const cJSON *usdt = NULL;
    const cJSON *entry = NULL;
    cJSON_ArrayForEach(entry, balances) {
        const char *asset = symbol_member(entry, "a");
        if (asset == NULL) {
            state->entries_skipped++;
            note(state, report, "ACCOUNT_UPDATE: a balance entry without a readable asset: skipped");
            continue;
        }
        if (strcmp(asset, "USDT") != 0) continue;
        double cross_wallet = 0;
        if (!number_member(entry, "wb", wallet) || !optional_number_member(entry, "bc", 0, change) ||
            !optional_number_member(entry, "cw", 0, &cross_wallet)) {
            state->entries_skipped++;
            note(state, report, "ACCOUNT_UPDATE: the USDT balance entry has a malformed wb, bc or cw: skipped");
            continue;
        }
        usdt = entry;
    }
    return usdt;
}

/* The cash facts of the USDT entry: funding (reason FUNDING_FEE), transfer
 * (every reason but ORDER and FUNDING_FEE: bc is the balance change except
 * PnL and commission, so a deposit's or an adjustment's amount), balance. */
static void account_cash_facts(const char *reason, double wallet, double change, normalized_event *out) {
    if (reason != NULL && strcmp(reason, "FUNDING_FEE") == 0) {
        exchange_fact *fact = add_fact(out, FACT_FUNDING);
        assert(fact != NULL);
        fact->amount = -change; /* bc is what the wallet gained; amount is what the account paid */
        if (fact->amount == 0) fact->amount = 0; /* no "-0" */
    } else if (reason != NULL && strcmp(reason, "ORDER") != 0 && change != 0) {
        exchange_fact *fact = add_fact(out, FACT_TRANSFER);
        assert(fact != NULL);
        fact->amount = change;
    }
    exchange_fact *fact = add_fact(out, FACT_BALANCE);
    assert(fact != NULL);
    fact->wallet_balance = wallet; /* the frame carries wb, cw and bc only: the margins are not given (0) */
}

/* One P entry: a position fact, or skipped (noted) when unreadable, a
 * hedge side, or margined in another asset. */
static void account_position_entry(normalizer *state, const cJSON *entry, normalized_event *out,
                                   char report[NORMALIZE_REPORT_CAPACITY]) {
    const char *symbol = symbol_member(entry, "s");
    double quantity = 0, entry_price = 0, unrealized = 0;
    if (symbol == NULL || !number_member(entry, "pa", &quantity) ||
        !optional_number_member(entry, "ep", 0, &entry_price) || !optional_number_member(entry, "up", 0, &unrealized)) {
        state->entries_skipped++;
        note(state, report, "ACCOUNT_UPDATE: position entry %s has no readable s or a malformed pa, ep or up: skipped",
             symbol != NULL ? symbol : "?");
        return;
    }
    const char *hedge_side = string_member(entry, "ps");
    if (hedge_side != NULL && strcmp(hedge_side, "BOTH") != 0) {
        /* Pushed at pa 0 for initialized isolated positions and after a
         * switch from hedge mode: nothing held. A non-zero one is a position
         * this symbol-keyed ledger cannot hold: the user must know, and the
         * REST view decides. */
        if (quantity == 0) return;
        out->flags |= NORMALIZED_ALERT | NORMALIZED_RESYNC;
        note(state, report, "ACCOUNT_UPDATE: %s holds a %s position of %s in hedge mode: left out, resync forced "
             "(the ledger is keyed by symbol: switch the account to one-way mode)", symbol, hedge_side,
             string_member(entry, "pa"));
        return;
    }
    if (!usdt_margined(state, symbol, string_member(entry, "ma"), report)) return;
    exchange_fact *fact = add_fact(out, FACT_POSITION);
    if (fact == NULL) {
        state->entries_skipped++;
        note(state, report, "ACCOUNT_UPDATE: more than %d facts: position %s skipped", EVENT_ROWS_MAX, symbol);
        return;
    }
    snprintf(fact->symbol, sizeof fact->symbol, "%s", symbol);
    fact->qty = quantity == 0 ? 0 : quantity;
    fact->entry_price = entry_price;
    fact->unrealized_pnl = unrealized;
    double mark = 0;
    if (state->lookup != NULL && state->lookup(state->lookup_context, symbol, &mark)) fact->mark_price = mark;
    attach_leverage(state, fact);
}

/* ACCOUNT_UPDATE: funding or transfer, balance (USDT only), positions. */
static frame_kind account_update(normalizer *state, const cJSON *frame, long long event_time_ms, normalized_event *out,
                                 char report[NORMALIZE_REPORT_CAPACITY]) {
    long long transaction_time_ms = 0;
    if (!integer_member(frame, "T", &transaction_time_ms))
        return say(state, report, FRAME_INVALID, "ACCOUNT_UPDATE without a valid T");
    const cJSON *update = cJSON_GetObjectItemCaseSensitive(frame, "a");
    if (!cJSON_IsObject(update)) return say(state, report, FRAME_INVALID, "ACCOUNT_UPDATE without an object a");
    const char *reason = string_member(update, "m");
    const cJSON *balances = cJSON_GetObjectItemCaseSensitive(update, "B");
    const cJSON *positions = cJSON_GetObjectItemCaseSensitive(update, "P");
    if (balances != NULL && !cJSON_IsArray(balances))
        return say(state, report, FRAME_INVALID, "ACCOUNT_UPDATE: B is not an array");
    if (positions != NULL && !cJSON_IsArray(positions))
        return say(state, report, FRAME_INVALID, "ACCOUNT_UPDATE: P is not an array");
    if (!account_update_id(update, transaction_time_ms, event_time_ms, out))
        return say(state, report, FRAME_INVALID, "ACCOUNT_UPDATE: out of memory");
    double wallet_balance = 0, balance_change = 0;
    const cJSON *usdt = usdt_balance(state, balances, &wallet_balance, &balance_change, report);
    if (usdt != NULL) account_cash_facts(reason, wallet_balance, balance_change, out);
    const cJSON *entry = NULL;
    cJSON_ArrayForEach(entry, positions) account_position_entry(state, entry, out, report);
    bool other_assets = usdt == NULL && cJSON_GetArraySize(balances) > 0;
    if (out->fact_count == 0) {
        if (other_assets)
            note(state, report,
                 "ACCOUNT_UPDATE %s (reason %s) has no USDT balance entry: it carries no balance (not a zero wallet)",
                 out->event_id, reason != NULL ? reason : "?");
        else
            note(state, report, "ACCOUNT_UPDATE %s carries nothing for the ledger", out->event_id);
        return FRAME_IGNORED;
    }
    if (other_assets)
        note(state, report, "ACCOUNT_UPDATE %s has no USDT balance entry: positions only, no balance", out->event_id);
    return FRAME_EVENT;
}

/* ---- ORDER_TRADE_UPDATE (Event-Order-Update page) ----------------------- */

/* Sets fact->fee from a commission in asset (USDT, or converted at the
 * kernel's mark of ASSETUSDT, or reported and 0); a negative commission (a
 * rebate) is booked as realized PnL since the scenario format keeps fee >= 0.
 * Returns false (reported) when the result is not finite. */
static bool settle_commission(normalizer *state, const char *event_id, double commission, const char *asset,
                              const char *commission_text, exchange_fact *fact,
                              char report[NORMALIZE_REPORT_CAPACITY]) {
    double fee = commission;
    if (commission_text == NULL) commission_text = "?";
    if (commission != 0 && asset != NULL && strcmp(asset, "USDT") != 0) {
        char pair[SYMBOL_CAPACITY * 2];
        snprintf(pair, sizeof pair, "%sUSDT", asset);
        double mark = 0;
        if (state->lookup != NULL && strlen(pair) < SYMBOL_CAPACITY &&
            state->lookup(state->lookup_context, pair, &mark) && mark > 0) {
            fee = commission * mark;
            char mark_text[NUMBER_TEXT_CAPACITY];
            number_format(mark, mark_text);
            note(state, report, "fill %s: commission %s %s converted at the kernel's %s mark %s", event_id,
                 commission_text, asset, pair, mark_text);
        } else {
            state->commissions_unconverted++;
            fee = 0;
            note(state, report,
                 "fill %s: commission %s %s NOT converted (no mark for %s): recorded as fee 0; add %s to --symbols",
                 event_id, commission_text, asset, pair, pair);
        }
    }
    if (fee < 0) {
        note(state, report, "fill %s: negative commission (rebate) booked as realized pnl", event_id);
        fact->realized_pnl -= fee;
        fee = 0;
    }
    fact->fee = fee == 0 ? 0 : fee;
    if (!isfinite(fact->fee) || !isfinite(fact->realized_pnl)) {
        say(state, report, FRAME_INVALID, "fill %s: the commission in USDT is not finite", event_id);
        return false;
    }
    return true;
}

/* Whether a client order id is the exchange's own liquidation, ADL or
 * settlement order ("autoclose-", "adl_autoclose", "settlement_autoclose-"). */
static bool exchange_closed(const char *client_id) {
    return client_id != NULL &&
           (strncmp(client_id, "autoclose-", 10) == 0 || strcmp(client_id, "adl_autoclose") == 0 ||
            strncmp(client_id, "settlement_autoclose-", 21) == 0);
}

/* ORDER_TRADE_UPDATE: a fill for execution type TRADE, or CALCULATED (the
 * docs: "Liquidation Execution"), flagged as a liquidation. */
static frame_kind order_trade_update(normalizer *state, const cJSON *frame, normalized_event *out,
                                     char report[NORMALIZE_REPORT_CAPACITY]) {
    const cJSON *order = cJSON_GetObjectItemCaseSensitive(frame, "o");
    if (!cJSON_IsObject(order)) return say(state, report, FRAME_INVALID, "ORDER_TRADE_UPDATE without an object o");
    const char *execution = string_member(order, "x");
    if (execution == NULL) return say(state, report, FRAME_INVALID, "ORDER_TRADE_UPDATE without x");
    bool calculated = strcmp(execution, "CALCULATED") == 0;
    if (strcmp(execution, "TRADE") != 0 && !calculated) return FRAME_IGNORED;
    const char *symbol = symbol_member(order, "s");
    const char *side = string_member(order, "S");
    long long trade_id = 0;
    if (symbol == NULL || side == NULL || !integer_member(order, "t", &trade_id))
        return say(state, report, FRAME_INVALID, "ORDER_TRADE_UPDATE %s without s, S or t", execution);
    int side_sign = strcmp(side, "BUY") == 0 ? 1 : strcmp(side, "SELL") == 0 ? -1 : 0;
    if (side_sign == 0) return say(state, report, FRAME_INVALID, "ORDER_TRADE_UPDATE: side %s", side);
    const char *hedge_side = string_member(order, "ps");
    if (hedge_side != NULL && strcmp(hedge_side, "BOTH") != 0) {
        out->flags |= NORMALIZED_ALERT | NORMALIZED_RESYNC;
        note(state, report, "ORDER_TRADE_UPDATE: a %s fill of %s in hedge mode: left out, resync forced", hedge_side,
             symbol);
        return FRAME_IGNORED;
    }
    if (!usdt_margined(state, symbol, NULL, report)) return FRAME_IGNORED;
    double price = 0, quantity = 0, commission = 0, realized = 0;
    if (!number_member(order, "L", &price) || !number_member(order, "l", &quantity) ||
        !optional_number_member(order, "n", 0, &commission) || !optional_number_member(order, "rp", 0, &realized))
        return say(state, report, FRAME_INVALID, "ORDER_TRADE_UPDATE %s trade %lld: malformed L, l, n or rp", symbol,
                   trade_id);
    if (!(quantity > 0) || !(price > 0))
        return say(state, report, FRAME_INVALID, "ORDER_TRADE_UPDATE %s trade %lld: quantity and price must be > 0",
                   symbol, trade_id);
    snprintf(out->event_id, sizeof out->event_id, "T:%s:%lld", symbol, trade_id);
    exchange_fact *fact = add_fact(out, FACT_FILL);
    assert(fact != NULL);
    snprintf(fact->symbol, sizeof fact->symbol, "%s", symbol);
    fact->side = side_sign;
    fact->qty = quantity;
    fact->price = price;
    fact->realized_pnl = realized;
    attach_leverage(state, fact);
    const char *client_id = string_member(order, "c");
    if (calculated || exchange_closed(client_id)) {
        out->flags |= NORMALIZED_LIQUIDATION | NORMALIZED_ALERT;
        state->liquidations++;
        note(state, report, "fill %s is a liquidation (x %s, client id %s): %s %s at %s, realized %s", out->event_id,
             execution, client_id != NULL ? client_id : "?", side, string_member(order, "l"),
             string_member(order, "L"), string_member(order, "rp") != NULL ? string_member(order, "rp") : "0");
    }
    const char *asset = symbol_member(order, "N");
    if (!settle_commission(state, out->event_id, commission, asset, string_member(order, "n"), fact, report))
        return FRAME_INVALID;
    return FRAME_EVENT;
}

/* ---- the other event types ---------------------------------------------- */

/* markPriceUpdate: one mark. */
static frame_kind mark_price_update(normalizer *state, const cJSON *frame, long long event_time_ms,
                                    normalized_event *out, char report[NORMALIZE_REPORT_CAPACITY]) {
    const char *symbol = symbol_member(frame, "s");
    double price = 0;
    if (symbol == NULL || !number_member(frame, "p", &price) || !(price > 0))
        return say(state, report, FRAME_INVALID, "markPriceUpdate without a valid s or p");
    snprintf(out->event_id, sizeof out->event_id, "M:%s:%lld", symbol, event_time_ms);
    exchange_fact *fact = add_fact(out, FACT_MARK);
    assert(fact != NULL);
    snprintf(fact->symbol, sizeof fact->symbol, "%s", symbol);
    fact->price = price;
    return FRAME_EVENT;
}

/* ACCOUNT_CONFIG_UPDATE (Event-User-Account-Configuration-Update page):
 * ac = a symbol's new leverage, a leverage fact; ai = multi-assets mode,
 * an alert (this ledger is kept in USDT alone). */
static frame_kind account_config_update(normalizer *state, const cJSON *frame, long long event_time_ms,
                                        normalized_event *out, char report[NORMALIZE_REPORT_CAPACITY]) {
    const cJSON *assets_mode = cJSON_GetObjectItemCaseSensitive(frame, "ai");
    if (cJSON_IsObject(assets_mode)) {
        const cJSON *multi = cJSON_GetObjectItemCaseSensitive(assets_mode, "j");
        if (cJSON_IsTrue(multi)) {
            out->flags |= NORMALIZED_ALERT | NORMALIZED_RESYNC;
            note(state, report, "ACCOUNT_CONFIG_UPDATE: multi-assets mode switched on: this USDT ledger no longer "
                 "sees every margin asset; switch back to single-asset mode and restart");
        }
    }
    const cJSON *config = cJSON_GetObjectItemCaseSensitive(frame, "ac");
    if (!cJSON_IsObject(config)) return FRAME_IGNORED;
    const char *symbol = symbol_member(config, "s");
    const cJSON *leverage = cJSON_GetObjectItemCaseSensitive(config, "l");
    if (symbol == NULL || !cJSON_IsNumber(leverage) || !normalizer_set_leverage(state, symbol, leverage->valuedouble))
        return say(state, report, FRAME_INVALID, "ACCOUNT_CONFIG_UPDATE: malformed ac (s, or l >= 1)");
    long long transaction_time_ms = event_time_ms;
    (void)integer_member(frame, "T", &transaction_time_ms);
    char leverage_text[NUMBER_TEXT_CAPACITY];
    number_format(leverage->valuedouble, leverage_text);
    snprintf(out->event_id, sizeof out->event_id, "AC:%s:%lld:%s", symbol, transaction_time_ms, leverage_text);
    exchange_fact *fact = add_fact(out, FACT_LEVERAGE);
    assert(fact != NULL);
    snprintf(fact->symbol, sizeof fact->symbol, "%s", symbol);
    fact->has_leverage = true;
    fact->leverage = leverage->valuedouble;
    return FRAME_EVENT;
}

/* The frame of a known type, applied or counted. */
static frame_kind typed_frame(normalizer *state, const char *type, const cJSON *frame, long long event_time_ms,
                              normalized_event *out, char report[NORMALIZE_REPORT_CAPACITY]) {
    if (strcmp(type, "ACCOUNT_UPDATE") == 0) return account_update(state, frame, event_time_ms, out, report);
    if (strcmp(type, "ORDER_TRADE_UPDATE") == 0) return order_trade_update(state, frame, out, report);
    if (strcmp(type, "markPriceUpdate") == 0) return mark_price_update(state, frame, event_time_ms, out, report);
    if (strcmp(type, "ACCOUNT_CONFIG_UPDATE") == 0)
        return account_config_update(state, frame, event_time_ms, out, report);
    /* Not applied: TRADE_LITE repeats ORDER_TRADE_UPDATE without fees;
     * STRATEGY_UPDATE, GRID_UPDATE, ALGO_UPDATE and the rest move no money. */
    count_unapplied(state, type);
    if (strcmp(type, "MARGIN_CALL") == 0) return margin_call(state, frame, out, report);
    if (strcmp(type, "CONDITIONAL_ORDER_TRIGGER_REJECT") == 0) return trigger_reject(state, frame, out, report);
    return FRAME_IGNORED;
}

frame_kind normalize_frame(normalizer *state, const char *text, size_t length, normalized_event *out,
                           char report[NORMALIZE_REPORT_CAPACITY]) {
    report[0] = '\0';
    out->fact_count = 0;
    out->event_id[0] = '\0';
    out->flags = 0;
    if (length > NORMALIZE_FRAME_LIMIT) return say(state, report, FRAME_INVALID, "frame larger than the limit");
    cJSON *root = cJSON_ParseWithLength(text, length);
    if (root == NULL) return say(state, report, FRAME_INVALID, "frame is not JSON");
    const cJSON *frame = root;
    const cJSON *data = cJSON_GetObjectItemCaseSensitive(root, "data");
    if (cJSON_IsObject(data) && cJSON_GetObjectItemCaseSensitive(root, "stream") != NULL) frame = data;
    frame_kind kind = FRAME_IGNORED;
    const char *type = string_member(frame, "e");
    long long event_time_ms = 0;
    if (type == NULL) {
        /* A subscription answer {"result":..., "id":...} is expected; anything else is worth a word. */
        if (cJSON_GetObjectItemCaseSensitive(frame, "id") == NULL)
            kind = say(state, report, FRAME_IGNORED, "frame without an event type e");
    } else if (strcmp(type, "listenKeyExpired") == 0) {
        kind = FRAME_LISTEN_KEY_EXPIRED;
    } else if (!integer_member(frame, "E", &event_time_ms)) {
        kind = say(state, report, FRAME_INVALID, "%s without a valid event time E", type);
    } else {
        out->ts = (double)event_time_ms / 1000.0;
        if (strcmp(type, "markPriceUpdate") != 0 && event_time_ms > state->last_user_event_ms)
            state->last_user_event_ms = event_time_ms;
        kind = typed_frame(state, type, frame, event_time_ms, out, report);
    }
    cJSON_Delete(root);
    if (kind == FRAME_EVENT) assert(out->fact_count > 0 && out->event_id[0] != '\0');
    if (kind != FRAME_EVENT) out->fact_count = 0;
    return kind;
}

/* ---- resync from REST --------------------------------------------------- */

/* True when symbol is one of list[0..count). */
static bool listed(const char (*list)[SYMBOL_CAPACITY], size_t count, const char *symbol) {
    for (size_t index = 0; index < count; index++)
        if (strcmp(list[index], symbol) == 0) return true;
    return false;
}

/* One resync under way: the parsed answers and the symbols open after it. */
typedef struct {
    normalizer *state;
    const resync_inputs *inputs;
    cJSON *account;
    cJSON *risks;
    cJSON *premium;
    normalized_event *out;
    char *report;
    char open_symbols[SYMBOLS_MAX][SYMBOL_CAPACITY];
    size_t open_count;
} resync_work;

/* A positionRisk entry this USDT ledger holds: readable, one-way (a
 * LONG/SHORT entry at 0 is nothing; a non-zero one raises an alert), margined
 * in USDT. Returns its symbol and quantity, or NULL (skipped, noted). */
static const char *risk_entry(resync_work *work, const cJSON *item, double *quantity) {
    const char *symbol = symbol_member(item, "symbol");
    if (symbol == NULL || !number_member(item, "positionAmt", quantity)) {
        work->state->entries_skipped++;
        note(work->state, work->report, "resync: a positionRisk entry without a readable symbol or positionAmt: "
             "skipped");
        return NULL;
    }
    const char *hedge_side = string_member(item, "positionSide");
    if (hedge_side != NULL && strcmp(hedge_side, "BOTH") != 0) {
        if (*quantity != 0) {
            work->out->flags |= NORMALIZED_ALERT;
            note(work->state, work->report, "resync: %s holds a %s position in hedge mode: left out (switch the "
                 "account to one-way mode)", symbol, hedge_side);
        }
        return NULL;
    }
    if (*quantity != 0 && !usdt_margined(work->state, symbol, string_member(item, "marginAsset"), work->report))
        return NULL;
    return symbol;
}

/* Leverages and the symbols open after the resync, from positionRisk. */
static void resync_scan_risks(resync_work *work) {
    const resync_inputs *inputs = work->inputs;
    const cJSON *item = NULL;
    cJSON_ArrayForEach(item, work->risks) {
        double quantity = 0;
        const char *symbol = risk_entry(work, item, &quantity);
        if (symbol == NULL) continue;
        double leverage = 0;
        bool has_leverage = optional_number_member(item, "leverage", 0, &leverage) && leverage >= 1;
        bool relevant = quantity != 0 || listed(inputs->held, inputs->held_count, symbol) ||
                        listed(inputs->watched, inputs->watched_count, symbol);
        if (has_leverage && relevant) (void)normalizer_set_leverage(work->state, symbol, leverage);
        if (quantity != 0 && work->open_count < SYMBOLS_MAX)
            snprintf(work->open_symbols[work->open_count++], SYMBOL_CAPACITY, "%s", symbol);
    }
}

/* Marks first: the kernel's mark for every watched or open symbol. An
 * entry without a valid mark is skipped and noted. */
static void resync_add_marks(resync_work *work) {
    if (work->premium == NULL) return;
    const cJSON *first = cJSON_IsObject(work->premium) ? work->premium : work->premium->child;
    for (const cJSON *entry = first; entry != NULL; entry = cJSON_IsObject(work->premium) ? NULL : entry->next) {
        const char *symbol = symbol_member(entry, "symbol");
        double mark = 0;
        if (symbol == NULL) continue;
        if (!listed(work->inputs->watched, work->inputs->watched_count, symbol) &&
            !listed(work->open_symbols, work->open_count, symbol))
            continue;
        if (!number_member(entry, "markPrice", &mark) || !(mark > 0)) {
            work->state->entries_skipped++;
            note(work->state, work->report, "resync: premiumIndex %s has no valid markPrice: skipped", symbol);
            continue;
        }
        exchange_fact *fact = add_fact(work->out, FACT_MARK);
        if (fact == NULL) return; /* the limits keep marks + balance + positions below EVENT_ROWS_MAX */
        snprintf(fact->symbol, sizeof fact->symbol, "%s", symbol);
        fact->price = mark;
    }
}

/* The balance from the USDT asset entry (no entry: no balance). */
static void resync_add_balance(resync_work *work) {
    const cJSON *usdt = NULL;
    const cJSON *item = NULL;
    cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(work->account, "assets")) {
        const char *asset = symbol_member(item, "asset");
        if (asset != NULL && strcmp(asset, "USDT") == 0) usdt = item;
    }
    if (usdt == NULL) {
        note(work->state, work->report, "resync: the account has no USDT asset entry: no balance fact");
        return;
    }
    double wallet = 0, available = 0, used = 0, maintenance = 0;
    if (!number_member(usdt, "walletBalance", &wallet) ||
        !optional_number_member(usdt, "availableBalance", 0, &available) ||
        !optional_number_member(usdt, "initialMargin", 0, &used) ||
        !optional_number_member(usdt, "maintMargin", 0, &maintenance)) {
        work->state->entries_skipped++;
        note(work->state, work->report, "resync: malformed USDT asset entry: no balance fact");
        return;
    }
    exchange_fact *fact = add_fact(work->out, FACT_BALANCE);
    if (fact == NULL) return;
    fact->wallet_balance = wallet;
    fact->available_margin = available;
    fact->used_margin = used;
    fact->maint_margin = maintenance;
}

/* Open positions, then removals of what the exchange no longer holds. */
static void resync_add_positions(resync_work *work) {
    const cJSON *item = NULL;
    cJSON_ArrayForEach(item, work->risks) {
        const char *symbol = symbol_member(item, "symbol");
        double quantity = 0, entry_price = 0, mark = 0, unrealized = 0;
        if (symbol == NULL || !listed(work->open_symbols, work->open_count, symbol)) continue;
        if (!number_member(item, "positionAmt", &quantity) || quantity == 0) continue;
        if (!optional_number_member(item, "entryPrice", 0, &entry_price) ||
            !optional_number_member(item, "markPrice", 0, &mark) ||
            !optional_number_member(item, "unRealizedProfit", 0, &unrealized)) {
            work->state->entries_skipped++;
            note(work->state, work->report, "resync: positionRisk %s has a malformed number: skipped", symbol);
            continue;
        }
        exchange_fact *fact = add_fact(work->out, FACT_POSITION);
        if (fact == NULL) return;
        snprintf(fact->symbol, sizeof fact->symbol, "%s", symbol);
        fact->qty = quantity;
        fact->entry_price = entry_price;
        fact->mark_price = mark;
        fact->unrealized_pnl = unrealized;
        attach_leverage(work->state, fact);
    }
    for (size_t index = 0; index < work->inputs->held_count; index++) {
        const char *held = work->inputs->held[index];
        if (listed(work->open_symbols, work->open_count, held)) continue;
        exchange_fact *fact = add_fact(work->out, FACT_POSITION);
        if (fact == NULL) return;
        snprintf(fact->symbol, sizeof fact->symbol, "%s", held);
        fact->qty = 0;
    }
}

frame_kind normalize_resync(normalizer *state, const resync_inputs *inputs, normalized_event *out,
                            char report[NORMALIZE_REPORT_CAPACITY]) {
    assert(inputs->held_count <= SYMBOLS_MAX && inputs->watched_count <= SYMBOLS_MAX);
    report[0] = '\0';
    out->fact_count = 0;
    out->flags = 0;
    snprintf(out->event_id, sizeof out->event_id, "R:%lld:%ld", inputs->server_time_ms, inputs->sequence);
    out->ts = (double)inputs->server_time_ms / 1000.0;
    resync_work *work = malloc(sizeof *work); /* 8 KiB of symbols: not on the caller's stack */
    if (work == NULL) return say(state, report, FRAME_INVALID, "resync: out of memory");
    *work = (resync_work){.state = state, .inputs = inputs, .out = out, .report = report};
    work->account = cJSON_Parse(inputs->account_json);
    work->risks = cJSON_Parse(inputs->position_risk_json);
    work->premium = inputs->premium_json != NULL ? cJSON_Parse(inputs->premium_json) : NULL;
    frame_kind kind = FRAME_EVENT;
    if (!cJSON_IsObject(work->account) || !cJSON_IsArray(work->risks) ||
        (inputs->premium_json != NULL && work->premium == NULL)) {
        kind = say(state, report, FRAME_INVALID, "resync: malformed account, positionRisk or premiumIndex answer");
    } else {
        resync_scan_risks(work);
        resync_add_marks(work);
        resync_add_balance(work);
        resync_add_positions(work);
        if (out->fact_count == 0) {
            note(state, report, "resync: nothing to apply");
            kind = FRAME_IGNORED;
        }
    }
    cJSON_Delete(work->account);
    cJSON_Delete(work->risks);
    cJSON_Delete(work->premium);
    free(work);
    assert(out->fact_count <= EVENT_ROWS_MAX);
    return kind;
}

/* ---- small REST answers ------------------------------------------------- */

long normalize_user_trades(normalizer *state, const char *json, recovered_fill *out, size_t capacity,
                           char report[NORMALIZE_REPORT_CAPACITY]) {
    report[0] = '\0';
    cJSON *root = cJSON_Parse(json);
    if (!cJSON_IsArray(root)) {
        cJSON_Delete(root);
        say(state, report, FRAME_INVALID, "userTrades: not an array");
        return -1;
    }
    long count = 0;
    const cJSON *trade = NULL;
    cJSON_ArrayForEach(trade, root) {
        if ((size_t)count == capacity) break;
        const char *symbol = symbol_member(trade, "symbol");
        const char *side = string_member(trade, "side");
        const char *hedge_side = string_member(trade, "positionSide");
        long long trade_id = 0, time_ms = 0;
        double price = 0, quantity = 0, commission = 0, realized = 0;
        if (symbol == NULL || side == NULL || !integer_member(trade, "id", &trade_id) ||
            !integer_member(trade, "time", &time_ms) || !number_member(trade, "price", &price) ||
            !number_member(trade, "qty", &quantity) || !optional_number_member(trade, "commission", 0, &commission) ||
            !optional_number_member(trade, "realizedPnl", 0, &realized) || !(price > 0) || !(quantity > 0) ||
            (strcmp(side, "BUY") != 0 && strcmp(side, "SELL") != 0) ||
            (hedge_side != NULL && strcmp(hedge_side, "BOTH") != 0)) {
            state->entries_skipped++;
            note(state, report, "userTrades: a malformed or hedge-mode trade: skipped");
            continue;
        }
        if (!usdt_margined(state, symbol, NULL, report)) continue;
        recovered_fill *fill = &out[count];
        snprintf(fill->event_id, sizeof fill->event_id, "T:%s:%lld", symbol, trade_id);
        fill->ts = (double)time_ms / 1000.0;
        fill->trade_id = trade_id;
        exchange_fact *fact = &fill->fact;
        memset(fact, 0, sizeof *fact);
        fact->type = FACT_FILL;
        snprintf(fact->symbol, sizeof fact->symbol, "%s", symbol);
        fact->side = strcmp(side, "BUY") == 0 ? 1 : -1;
        fact->qty = quantity;
        fact->price = price;
        fact->realized_pnl = realized;
        attach_leverage(state, fact);
        if (!settle_commission(state, fill->event_id, commission, symbol_member(trade, "commissionAsset"),
                               string_member(trade, "commission"), fact, report)) {
            cJSON_Delete(root);
            return -1;
        }
        count++;
    }
    cJSON_Delete(root);
    return count;
}

int normalize_position_mode(const char *json) {
    cJSON *root = cJSON_Parse(json);
    int result = -1;
    const cJSON *dual = cJSON_GetObjectItemCaseSensitive(root, "dualSidePosition");
    if (cJSON_IsBool(dual)) result = cJSON_IsTrue(dual) ? 1 : 0;
    cJSON_Delete(root);
    return result;
}

bool normalize_server_time(const char *json, long long *server_time_ms) {
    cJSON *root = cJSON_Parse(json);
    bool ok = cJSON_IsObject(root) && integer_member(root, "serverTime", server_time_ms);
    cJSON_Delete(root);
    return ok;
}

bool normalize_listen_key(const char *json, char *out, size_t capacity) {
    cJSON *root = cJSON_Parse(json);
    const char *key = string_member(root, "listenKey");
    bool ok = key != NULL && key[0] != '\0' && strlen(key) < capacity;
    if (ok) snprintf(out, capacity, "%s", key);
    cJSON_Delete(root);
    return ok;
}
