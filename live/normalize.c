/* normalize.c -- see normalize.h. */
#include "live/normalize.h"

#include <assert.h>
#include <cJSON.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/number.h"

void normalizer_init(normalizer *state, mark_lookup lookup, const void *lookup_context) {
    state->lookup = lookup;
    state->lookup_context = lookup_context;
    state->leverage_count = 0;
    state->reports = 0;
    state->commissions_unconverted = 0;
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

/* A string member of a symbol (or asset) shape: 1..31 bytes, [A-Z0-9_-]. */
static const char *symbol_member(const cJSON *object, const char *name) {
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(object, name);
    if (!cJSON_IsString(item) || item->valuestring == NULL) return NULL;
    size_t length = strlen(item->valuestring);
    if (length == 0 || length >= SYMBOL_CAPACITY) return NULL;
    for (size_t index = 0; index < length; index++) {
        char c = item->valuestring[index];
        if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) return NULL;
    }
    return item->valuestring;
}

/* A string member's text (borrowed from object), or NULL. */
static const char *string_member(const cJSON *object, const char *name) {
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(object, name);
    return cJSON_IsString(item) ? item->valuestring : NULL;
}

/* Starts a fact of type in out; false when the event is full. */
static exchange_fact *add_fact(normalized_event *out, fact_type type) {
    if (out->fact_count == EVENT_ROWS_MAX) return NULL;
    exchange_fact *fact = &out->facts[out->fact_count++];
    memset(fact, 0, sizeof *fact);
    fact->type = type;
    return fact;
}

/* ACCOUNT_UPDATE: funding, balance (USDT only), positions. */
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
    /* T and E alone can repeat across distinct updates (funding of several
     * isolated positions at once): the id also carries a hash of the
     * update's content, identical for a redelivered frame. */
    char *content = cJSON_PrintUnformatted(update);
    if (content == NULL) return say(state, report, FRAME_INVALID, "ACCOUNT_UPDATE: out of memory");
    uint64_t hash = 1469598103934665603ULL; /* FNV-1a 64 */
    for (const unsigned char *cursor = (const unsigned char *)content; *cursor != '\0'; cursor++)
        hash = (hash ^ *cursor) * 1099511628211ULL;
    cJSON_free(content);
    snprintf(out->event_id, sizeof out->event_id, "AU:%lld:%lld:%016" PRIx64, transaction_time_ms, event_time_ms,
             hash);
    /* The USDT entry, if any: the only balance this ledger is kept in. */
    const cJSON *usdt = NULL;
    const cJSON *entry = NULL;
    cJSON_ArrayForEach(entry, balances) {
        const char *asset = symbol_member(entry, "a");
        if (asset == NULL) return say(state, report, FRAME_INVALID, "ACCOUNT_UPDATE: a balance entry without asset");
        if (strcmp(asset, "USDT") == 0) usdt = entry;
    }
    double wallet_balance = 0, balance_change = 0;
    if (usdt != NULL) {
        if (!number_member(usdt, "wb", &wallet_balance))
            return say(state, report, FRAME_INVALID, "ACCOUNT_UPDATE: USDT wb is not a number string");
        if (!optional_number_member(usdt, "bc", 0, &balance_change))
            return say(state, report, FRAME_INVALID, "ACCOUNT_UPDATE: USDT bc is not a number string");
        double cross_wallet = 0;
        if (!optional_number_member(usdt, "cw", 0, &cross_wallet))
            return say(state, report, FRAME_INVALID, "ACCOUNT_UPDATE: USDT cw is not a number string");
    }
    bool funding = reason != NULL && strcmp(reason, "FUNDING_FEE") == 0;
    if (funding && usdt != NULL) {
        exchange_fact *fact = add_fact(out, FACT_FUNDING);
        assert(fact != NULL);
        fact->amount = -balance_change;  /* bc is what the wallet gained; amount is what the account paid */
        if (fact->amount == 0) fact->amount = 0; /* no "-0" */
    }
    if (usdt != NULL) {
        exchange_fact *fact = add_fact(out, FACT_BALANCE);
        assert(fact != NULL);
        /* The frame carries wb, cw and bc only: the margins are not given (0). */
        fact->wallet_balance = wallet_balance;
    }
    cJSON_ArrayForEach(entry, positions) {
        const char *symbol = symbol_member(entry, "s");
        if (symbol == NULL) return say(state, report, FRAME_INVALID, "ACCOUNT_UPDATE: a position entry without symbol");
        const char *hedge_side = string_member(entry, "ps");
        if (hedge_side != NULL && strcmp(hedge_side, "BOTH") != 0)
            return say(state, report, FRAME_INVALID,
                       "ACCOUNT_UPDATE: position side %s of %s: hedge mode is not supported (the ledger is keyed by symbol)",
                       hedge_side, symbol);
        double quantity = 0, entry_price = 0, unrealized = 0;
        if (!number_member(entry, "pa", &quantity) || !optional_number_member(entry, "ep", 0, &entry_price) ||
            !optional_number_member(entry, "up", 0, &unrealized))
            return say(state, report, FRAME_INVALID, "ACCOUNT_UPDATE: position %s has a malformed number", symbol);
        exchange_fact *fact = add_fact(out, FACT_POSITION);
        if (fact == NULL) return say(state, report, FRAME_INVALID, "ACCOUNT_UPDATE: more than %d facts", EVENT_ROWS_MAX);
        snprintf(fact->symbol, sizeof fact->symbol, "%s", symbol);
        fact->qty = quantity == 0 ? 0 : quantity;
        fact->entry_price = entry_price;
        fact->unrealized_pnl = unrealized;
        double mark = 0;
        if (state->lookup != NULL && state->lookup(state->lookup_context, symbol, &mark)) fact->mark_price = mark;
        double leverage = 0;
        if (normalizer_leverage(state, symbol, &leverage)) {
            fact->has_leverage = true;
            fact->leverage = leverage;
        }
    }
    if (out->fact_count == 0) {
        if (usdt == NULL && balances != NULL && cJSON_GetArraySize(balances) > 0)
            return say(state, report, FRAME_IGNORED,
                       "ACCOUNT_UPDATE %s (reason %s) has no USDT balance entry: it carries no balance (not a zero wallet)",
                       out->event_id, reason != NULL ? reason : "?");
        return say(state, report, FRAME_IGNORED, "ACCOUNT_UPDATE %s carries nothing for the ledger", out->event_id);
    }
    if (usdt == NULL && balances != NULL && cJSON_GetArraySize(balances) > 0)
        say(state, report, FRAME_EVENT, "ACCOUNT_UPDATE %s has no USDT balance entry: positions only, no balance",
            out->event_id);
    return FRAME_EVENT;
}

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
            say(state, report, FRAME_EVENT, "fill %s: commission %s %s converted at the kernel's %s mark %s",
                event_id, commission_text, asset, pair, mark_text);
        } else {
            state->commissions_unconverted++;
            fee = 0;
            say(state, report, FRAME_EVENT,
                "fill %s: commission %s %s NOT converted (no mark for %s): recorded as fee 0; add %s to --symbols",
                event_id, commission_text, asset, pair, pair);
        }
    }
    if (fee < 0) {
        say(state, report, FRAME_EVENT, "fill %s: negative commission (rebate) booked as realized pnl", event_id);
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

/* ORDER_TRADE_UPDATE: a fill for execution type TRADE. */
static frame_kind order_trade_update(normalizer *state, const cJSON *frame, normalized_event *out,
                                     char report[NORMALIZE_REPORT_CAPACITY]) {
    const cJSON *order = cJSON_GetObjectItemCaseSensitive(frame, "o");
    if (!cJSON_IsObject(order)) return say(state, report, FRAME_INVALID, "ORDER_TRADE_UPDATE without an object o");
    const char *execution = string_member(order, "x");
    if (execution == NULL) return say(state, report, FRAME_INVALID, "ORDER_TRADE_UPDATE without x");
    if (strcmp(execution, "TRADE") != 0) return FRAME_IGNORED;
    const char *symbol = symbol_member(order, "s");
    const char *side = string_member(order, "S");
    long long trade_id = 0;
    if (symbol == NULL || side == NULL || !integer_member(order, "t", &trade_id))
        return say(state, report, FRAME_INVALID, "ORDER_TRADE_UPDATE TRADE without s, S or t");
    int side_sign = strcmp(side, "BUY") == 0 ? 1 : strcmp(side, "SELL") == 0 ? -1 : 0;
    if (side_sign == 0) return say(state, report, FRAME_INVALID, "ORDER_TRADE_UPDATE: side %s", side);
    const char *hedge_side = string_member(order, "ps");
    if (hedge_side != NULL && strcmp(hedge_side, "BOTH") != 0)
        return say(state, report, FRAME_INVALID,
                   "ORDER_TRADE_UPDATE: position side %s: hedge mode is not supported", hedge_side);
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
    double leverage = 0;
    if (normalizer_leverage(state, symbol, &leverage)) {
        fact->has_leverage = true;
        fact->leverage = leverage;
    }
    const char *asset = symbol_member(order, "N");
    if (!settle_commission(state, out->event_id, commission, asset, string_member(order, "n"), fact, report))
        return FRAME_INVALID;
    return FRAME_EVENT;
}

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

/* ACCOUNT_CONFIG_UPDATE: a leverage change. */
static frame_kind account_config_update(normalizer *state, const cJSON *frame, char report[NORMALIZE_REPORT_CAPACITY]) {
    const cJSON *config = cJSON_GetObjectItemCaseSensitive(frame, "ac");
    if (!cJSON_IsObject(config)) return FRAME_IGNORED;
    const char *symbol = symbol_member(config, "s");
    const cJSON *leverage = cJSON_GetObjectItemCaseSensitive(config, "l");
    if (symbol == NULL || !cJSON_IsNumber(leverage))
        return say(state, report, FRAME_INVALID, "ACCOUNT_CONFIG_UPDATE: malformed ac");
    if (!normalizer_set_leverage(state, symbol, leverage->valuedouble))
        return say(state, report, FRAME_IGNORED, "ACCOUNT_CONFIG_UPDATE: leverage of %s not kept", symbol);
    return FRAME_IGNORED;
}

frame_kind normalize_frame(normalizer *state, const char *text, size_t length, normalized_event *out,
                           char report[NORMALIZE_REPORT_CAPACITY]) {
    report[0] = '\0';
    if (length > NORMALIZE_FRAME_LIMIT) return say(state, report, FRAME_INVALID, "frame larger than the limit");
    cJSON *root = cJSON_ParseWithLength(text, length);
    if (root == NULL) return say(state, report, FRAME_INVALID, "frame is not JSON");
    const cJSON *frame = root;
    const cJSON *data = cJSON_GetObjectItemCaseSensitive(root, "data");
    if (cJSON_IsObject(data) && cJSON_GetObjectItemCaseSensitive(root, "stream") != NULL) frame = data;
    frame_kind kind = FRAME_IGNORED;
    const char *type = string_member(frame, "e");
    long long event_time_ms = 0;
    out->fact_count = 0;
    out->event_id[0] = '\0';
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
        if (strcmp(type, "ACCOUNT_UPDATE") == 0)
            kind = account_update(state, frame, event_time_ms, out, report);
        else if (strcmp(type, "ORDER_TRADE_UPDATE") == 0)
            kind = order_trade_update(state, frame, out, report);
        else if (strcmp(type, "markPriceUpdate") == 0)
            kind = mark_price_update(state, frame, event_time_ms, out, report);
        else if (strcmp(type, "ACCOUNT_CONFIG_UPDATE") == 0)
            kind = account_config_update(state, frame, report);
        else
            kind = FRAME_IGNORED;
    }
    cJSON_Delete(root);
    if (kind == FRAME_EVENT) assert(out->fact_count > 0 && out->event_id[0] != '\0');
    return kind;
}

/* True when symbol is one of list[0..count). */
static bool listed(const char (*list)[SYMBOL_CAPACITY], size_t count, const char *symbol) {
    for (size_t index = 0; index < count; index++)
        if (strcmp(list[index], symbol) == 0) return true;
    return false;
}

frame_kind normalize_resync(normalizer *state, long long server_time_ms, long sequence, const char *account_json,
                            const char *position_risk_json, const char *premium_json,
                            const char (*held)[SYMBOL_CAPACITY], size_t held_count,
                            const char (*watched)[SYMBOL_CAPACITY], size_t watched_count, normalized_event *out,
                            char report[NORMALIZE_REPORT_CAPACITY]) {
    report[0] = '\0';
    out->fact_count = 0;
    snprintf(out->event_id, sizeof out->event_id, "R:%lld:%ld", server_time_ms, sequence);
    out->ts = (double)server_time_ms / 1000.0;
    cJSON *account = cJSON_Parse(account_json);
    cJSON *risks = cJSON_Parse(position_risk_json);
    cJSON *premium = premium_json != NULL ? cJSON_Parse(premium_json) : NULL;
    frame_kind kind = FRAME_EVENT;
    /* Symbols open after the resync, for the mark filter. */
    static const size_t open_capacity = SYMBOLS_MAX;
    char open_symbols[SYMBOLS_MAX][SYMBOL_CAPACITY];
    size_t open_count = 0;
    if (!cJSON_IsObject(account) || !cJSON_IsArray(risks) || (premium_json != NULL && premium == NULL)) {
        kind = say(state, report, FRAME_INVALID, "resync: malformed account, positionRisk or premiumIndex answer");
        goto done;
    }
    const cJSON *item = NULL;
    /* Leverage and open positions from positionRisk. */
    cJSON_ArrayForEach(item, risks) {
        const char *symbol = symbol_member(item, "symbol");
        double quantity = 0;
        /* positionRisk lists every symbol, open or not, some of them not
         * ASCII (币安人生USDT, listed 2025-10): one the scenario format
         * cannot name is skipped when flat and reported when open. */
        if (symbol == NULL && cJSON_IsString(cJSON_GetObjectItemCaseSensitive(item, "symbol")) &&
            number_member(item, "positionAmt", &quantity)) {
            if (quantity != 0)
                say(state, report, FRAME_EVENT, "resync: position in %.40s skipped: its symbol is not [A-Z0-9_-]",
                    cJSON_GetObjectItemCaseSensitive(item, "symbol")->valuestring);
            continue;
        }
        if (symbol == NULL || !number_member(item, "positionAmt", &quantity)) {
            kind = say(state, report, FRAME_INVALID, "resync: a positionRisk entry without symbol or positionAmt");
            goto done;
        }
        const char *hedge_side = string_member(item, "positionSide");
        if (hedge_side != NULL && strcmp(hedge_side, "BOTH") != 0) {
            kind = say(state, report, FRAME_INVALID, "resync: position side %s: hedge mode is not supported",
                       hedge_side);
            goto done;
        }
        double leverage = 0;
        bool has_leverage = optional_number_member(item, "leverage", 0, &leverage) && leverage >= 1;
        bool relevant = quantity != 0 || listed(held, held_count, symbol) || listed(watched, watched_count, symbol);
        if (has_leverage && relevant) (void)normalizer_set_leverage(state, symbol, leverage);
        if (quantity != 0 && open_count < open_capacity) snprintf(open_symbols[open_count++], SYMBOL_CAPACITY, "%s", symbol);
    }
    /* Marks first: the kernel's mark for every watched or open symbol. */
    if (premium != NULL) {
        cJSON *single = NULL;
        if (cJSON_IsObject(premium)) {
            single = premium;
        }
        const cJSON *entries = single != NULL ? NULL : premium;
        for (const cJSON *entry = single != NULL ? single : (entries != NULL ? entries->child : NULL); entry != NULL;
             entry = single != NULL ? NULL : entry->next) {
            const char *symbol = symbol_member(entry, "symbol");
            double mark = 0;
            if (symbol == NULL) continue;
            if (!listed(watched, watched_count, symbol) && !listed(open_symbols, open_count, symbol)) continue;
            if (!number_member(entry, "markPrice", &mark) || !(mark > 0)) {
                kind = say(state, report, FRAME_INVALID, "resync: premiumIndex %s has no valid markPrice", symbol);
                goto done;
            }
            exchange_fact *fact = add_fact(out, FACT_MARK);
            if (fact == NULL) { /* a full event here would leave no room for the balance below */
                kind = say(state, report, FRAME_INVALID, "resync: more than %d facts", EVENT_ROWS_MAX);
                goto done;
            }
            snprintf(fact->symbol, sizeof fact->symbol, "%s", symbol);
            fact->price = mark;
        }
    }
    /* Balance from the USDT asset entry (no entry: no balance). */
    const cJSON *assets = cJSON_GetObjectItemCaseSensitive(account, "assets");
    const cJSON *usdt = NULL;
    cJSON_ArrayForEach(item, assets) {
        const char *asset = symbol_member(item, "asset");
        if (asset != NULL && strcmp(asset, "USDT") == 0) usdt = item;
    }
    if (usdt != NULL) {
        double wallet = 0, available = 0, used = 0, maintenance = 0;
        if (!number_member(usdt, "walletBalance", &wallet) ||
            !optional_number_member(usdt, "availableBalance", 0, &available) ||
            !optional_number_member(usdt, "initialMargin", 0, &used) ||
            !optional_number_member(usdt, "maintMargin", 0, &maintenance)) {
            kind = say(state, report, FRAME_INVALID, "resync: malformed USDT asset entry");
            goto done;
        }
        exchange_fact *fact = add_fact(out, FACT_BALANCE);
        assert(fact != NULL);
        fact->wallet_balance = wallet;
        fact->available_margin = available;
        fact->used_margin = used;
        fact->maint_margin = maintenance;
    } else {
        say(state, report, FRAME_EVENT, "resync: the account has no USDT asset entry: no balance fact");
    }
    /* Open positions, then removals of what the exchange no longer holds. */
    cJSON_ArrayForEach(item, risks) {
        const char *symbol = symbol_member(item, "symbol");
        double quantity = 0, entry_price = 0, mark = 0, unrealized = 0, leverage = 0;
        (void)number_member(item, "positionAmt", &quantity);
        if (quantity == 0 || symbol == NULL) continue;
        if (!optional_number_member(item, "entryPrice", 0, &entry_price) ||
            !optional_number_member(item, "markPrice", 0, &mark) ||
            !optional_number_member(item, "unRealizedProfit", 0, &unrealized)) {
            kind = say(state, report, FRAME_INVALID, "resync: positionRisk %s has a malformed number", symbol);
            goto done;
        }
        exchange_fact *fact = add_fact(out, FACT_POSITION);
        if (fact == NULL) {
            kind = say(state, report, FRAME_INVALID, "resync: more than %d facts", EVENT_ROWS_MAX);
            goto done;
        }
        snprintf(fact->symbol, sizeof fact->symbol, "%s", symbol);
        fact->qty = quantity;
        fact->entry_price = entry_price;
        fact->mark_price = mark;
        fact->unrealized_pnl = unrealized;
        if (normalizer_leverage(state, symbol, &leverage)) {
            fact->has_leverage = true;
            fact->leverage = leverage;
        }
    }
    for (size_t index = 0; index < held_count; index++) {
        if (listed(open_symbols, open_count, held[index])) continue;
        exchange_fact *fact = add_fact(out, FACT_POSITION);
        if (fact == NULL) {
            kind = say(state, report, FRAME_INVALID, "resync: more than %d facts", EVENT_ROWS_MAX);
            goto done;
        }
        snprintf(fact->symbol, sizeof fact->symbol, "%s", held[index]);
        fact->qty = 0;
    }
    if (out->fact_count == 0) kind = say(state, report, FRAME_IGNORED, "resync: nothing to apply");
done:
    cJSON_Delete(account);
    cJSON_Delete(risks);
    cJSON_Delete(premium);
    return kind;
}

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
            cJSON_Delete(root);
            say(state, report, FRAME_INVALID, "userTrades: a malformed or hedge-mode trade");
            return -1;
        }
        recovered_fill *fill = &out[count++];
        snprintf(fill->event_id, sizeof fill->event_id, "T:%s:%lld", symbol, trade_id);
        fill->ts = (double)time_ms / 1000.0;
        exchange_fact *fact = &fill->fact;
        memset(fact, 0, sizeof *fact);
        fact->type = FACT_FILL;
        snprintf(fact->symbol, sizeof fact->symbol, "%s", symbol);
        fact->side = strcmp(side, "BUY") == 0 ? 1 : -1;
        fact->qty = quantity;
        fact->price = price;
        fact->realized_pnl = realized;
        double leverage = 0;
        if (normalizer_leverage(state, symbol, &leverage)) {
            fact->has_leverage = true;
            fact->leverage = leverage;
        }
        char warning[NORMALIZE_REPORT_CAPACITY] = "";
        bool settled = settle_commission(state, fill->event_id, commission, symbol_member(trade, "commissionAsset"),
                                         string_member(trade, "commission"), fact, warning);
        if (warning[0] != '\0') snprintf(report, NORMALIZE_REPORT_CAPACITY, "%s", warning);
        if (!settled) {
            cJSON_Delete(root);
            return -1;
        }
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
