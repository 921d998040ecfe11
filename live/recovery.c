/* recovery.c -- see recovery.h. */
#include "live/recovery.h"

#include <assert.h>
#include <cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/number.h"
#include "core/text.h"

/* ---- pagers ------------------------------------------------------------- */

/* The end of the 7-day window that starts at start_ms, within end_ms. */
static long long window_end(long long start_ms, long long end_ms) {
    long long last = start_ms + RECOVERY_WINDOW_MS - 1;
    return last < end_ms ? last : end_ms;
}

void trade_pager_init(trade_pager *pager, long long start_ms, long long end_ms) {
    assert(start_ms >= 0);
    *pager = (trade_pager){.start_ms = start_ms, .end_ms = end_ms, .window_start_ms = start_ms,
                           .next_from_id = 0, .done = start_ms > end_ms};
}

bool trade_pager_query(const trade_pager *pager, const char *symbol, char *params, size_t capacity) {
    if (pager->done) return false;
    int written = pager->next_from_id > 0
                      ? snprintf(params, capacity, "symbol=%s&fromId=%lld&limit=%d", symbol, pager->next_from_id,
                                 RECOVERY_PAGE_LIMIT)
                      : snprintf(params, capacity, "symbol=%s&startTime=%lld&endTime=%lld&limit=%d", symbol,
                                 pager->window_start_ms, window_end(pager->window_start_ms, pager->end_ms),
                                 RECOVERY_PAGE_LIMIT);
    return written > 0 && (size_t)written < capacity;
}

void trade_pager_advance(trade_pager *pager, size_t count, long long last_id, long long last_time_ms) {
    assert(!pager->done && count <= RECOVERY_PAGE_LIMIT);
    if (count == RECOVERY_PAGE_LIMIT && last_time_ms <= pager->end_ms) {
        pager->next_from_id = last_id + 1; /* a full page: the next ids, whatever their time */
        return;
    }
    if (pager->next_from_id > 0 || count == RECOVERY_PAGE_LIMIT) {
        pager->done = true; /* paging by id reached the present (or passed the gap) */
        return;
    }
    long long next = window_end(pager->window_start_ms, pager->end_ms) + 1;
    pager->window_start_ms = next;
    pager->done = next > pager->end_ms;
}

void income_pager_init(income_pager *pager, long long start_ms, long long end_ms) {
    assert(start_ms >= 0);
    *pager = (income_pager){.start_ms = start_ms, .end_ms = end_ms, .window_start_ms = start_ms,
                            .page_start_ms = start_ms, .done = start_ms > end_ms};
}

bool income_pager_query(const income_pager *pager, char *params, size_t capacity) {
    if (pager->done) return false;
    int written = snprintf(params, capacity, "startTime=%lld&endTime=%lld&limit=%d", pager->page_start_ms,
                           window_end(pager->window_start_ms, pager->end_ms), RECOVERY_PAGE_LIMIT);
    return written > 0 && (size_t)written < capacity;
}

void income_pager_advance(income_pager *pager, size_t count, long long last_time_ms) {
    assert(!pager->done && count <= RECOVERY_PAGE_LIMIT);
    long long last = window_end(pager->window_start_ms, pager->end_ms);
    if (count == RECOVERY_PAGE_LIMIT && last_time_ms < last) {
        /* the same ms comes again (its ids skip it), unless a whole page
         * sat in it: then past it, or the pager would never move */
        pager->page_start_ms = last_time_ms > pager->page_start_ms ? last_time_ms : last_time_ms + 1;
        return;
    }
    pager->window_start_ms = last + 1;
    pager->page_start_ms = last + 1;
    pager->done = last + 1 > pager->end_ms;
}

/* ---- income entries ----------------------------------------------------- */

/* tranId as the docs show it: a JSON number (USDⓈ-M) or a string of digits. */
static bool transaction_id(const cJSON *entry, char *out, size_t capacity) {
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(entry, "tranId");
    if (cJSON_IsNumber(item) && isfinite(item->valuedouble) && item->valuedouble >= 0 &&
        item->valuedouble < 9007199254740992.0 && floor(item->valuedouble) == item->valuedouble)
        return snprintf(out, capacity, "%lld", (long long)item->valuedouble) < (int)capacity;
    if (!cJSON_IsString(item) || item->valuestring[0] == '\0' || strlen(item->valuestring) >= capacity) return false;
    for (const char *cursor = item->valuestring; *cursor != '\0'; cursor++)
        if (*cursor < '0' || *cursor > '9') return false;
    snprintf(out, capacity, "%s", item->valuestring);
    return true;
}

/* The kind of an entry of asset and type. */
static income_kind kind_of(const char *asset, const char *type, double income) {
    if (strcmp(type, "REALIZED_PNL") == 0 || strcmp(type, "COMMISSION") == 0) return INCOME_TRADE;
    if (strcmp(asset, "USDT") != 0 || income == 0) return INCOME_IGNORED;
    return strcmp(type, "FUNDING_FEE") == 0 ? INCOME_FUNDING : INCOME_TRANSFER;
}

/* Reads one entry into out; false when it cannot be read. */
static bool read_income(const cJSON *entry, income_entry *out) {
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(entry, "incomeType");
    const cJSON *asset = cJSON_GetObjectItemCaseSensitive(entry, "asset");
    const cJSON *income = cJSON_GetObjectItemCaseSensitive(entry, "income");
    const cJSON *time = cJSON_GetObjectItemCaseSensitive(entry, "time");
    const cJSON *symbol = cJSON_GetObjectItemCaseSensitive(entry, "symbol");
    char tran[24];
    if (!cJSON_IsString(type) || !cJSON_IsString(asset) || !cJSON_IsString(income) || !cJSON_IsNumber(time) ||
        strlen(type->valuestring) >= INCOME_TYPE_CAPACITY || !transaction_id(entry, tran, sizeof tran) ||
        !number_parse(income->valuestring, strlen(income->valuestring), &out->income) ||
        !(time->valuedouble >= 0 && time->valuedouble < 9007199254740992.0))
        return false;
    out->symbol[0] = '\0';
    if (cJSON_IsString(symbol) && symbol->valuestring[0] != '\0') {
        if (!normalize_symbol_valid(symbol->valuestring, strlen(symbol->valuestring))) return false;
        text_copy(out->symbol, sizeof out->symbol, symbol->valuestring);
    }
    text_copy(out->type, sizeof out->type, type->valuestring);
    out->time_ms = (long long)time->valuedouble;
    out->kind = kind_of(asset->valuestring, out->type, out->income);
    snprintf(out->event_id, sizeof out->event_id, "I:%s:%s", out->type, tran);
    return true;
}

long recovery_parse_income(const char *json, income_entry *out, size_t capacity, long *skipped,
                           char report[NORMALIZE_REPORT_CAPACITY]) {
    report[0] = '\0';
    cJSON *root = cJSON_Parse(json);
    if (!cJSON_IsArray(root)) {
        cJSON_Delete(root);
        snprintf(report, NORMALIZE_REPORT_CAPACITY, "income: not an array");
        return -1;
    }
    long count = 0;
    const cJSON *entry = NULL;
    cJSON_ArrayForEach(entry, root) {
        if ((size_t)count == capacity) break;
        if (read_income(entry, &out[count])) {
            count++;
            continue;
        }
        (*skipped)++;
        snprintf(report, NORMALIZE_REPORT_CAPACITY, "income: %ld entries without a readable incomeType, asset, "
                 "income, time or tranId: skipped", *skipped);
    }
    cJSON_Delete(root);
    assert(count >= 0 && (size_t)count <= capacity);
    return count;
}

bool recovery_income_event(const income_entry *entry, recovered_fill *out) {
    if (entry->kind != INCOME_FUNDING && entry->kind != INCOME_TRANSFER) return false;
    memset(out, 0, sizeof *out);
    text_copy(out->event_id, sizeof out->event_id, entry->event_id);
    out->ts = (double)entry->time_ms / 1000.0;
    exchange_fact *fact = &out->fact;
    fact->type = entry->kind == INCOME_FUNDING ? FACT_FUNDING : FACT_TRANSFER;
    text_copy(fact->symbol, sizeof fact->symbol, entry->symbol);
    /* income is what the wallet gained; a funding fact's amount is what the account paid */
    fact->amount = entry->kind == INCOME_FUNDING ? -entry->income : entry->income;
    if (fact->amount == 0) fact->amount = 0; /* no "-0" */
    if (fact->type == FACT_TRANSFER) fact->symbol[0] = '\0'; /* a transfer row has no symbol */
    return true;
}

/* ---- the REST calls ----------------------------------------------------- */

/* Symbols to ask userTrades for: sorted-free small set (SYMBOLS_MAX). */
typedef struct {
    char names[SYMBOLS_MAX][SYMBOL_CAPACITY];
    size_t count;
} symbol_set;

static void symbol_set_add(symbol_set *set, const char *symbol) {
    if (symbol[0] == '\0' || set->count == SYMBOLS_MAX) return;
    for (size_t index = 0; index < set->count; index++)
        if (strcmp(set->names[index], symbol) == 0) return;
    text_copy(set->names[set->count++], SYMBOL_CAPACITY, symbol);
}

/* Appends event to the gap's output; false (and truncated) when full. */
static bool keep_event(const gap_recovery *gap, gap_result *result, const recovered_fill *event) {
    if (result->events == gap->capacity) {
        result->truncated = true;
        return false;
    }
    gap->out[result->events++] = *event;
    return true;
}

/* GET path with params (signed); false (logged) on failure. */
static bool get(const gap_recovery *gap, const char *path, const char *params) {
    if (rest_call(gap->rest, "GET", path, params, REST_SIGNED) == REST_OK) return true;
    live_log(gap->logger, "error", "gap recovery: GET %s failed: %s", path, gap->rest->error_message);
    return false;
}

/* The income of the gap: cash events kept, traded symbols added to set. */
static bool recover_income(const gap_recovery *gap, gap_result *result, symbol_set *set, income_entry *page) {
    income_pager pager;
    income_pager_init(&pager, gap->start_ms + 1, gap->end_ms);
    char params[RECOVERY_PARAMS_CAPACITY];
    for (int pages = 0; pages < RECOVERY_PAGES_MAX && income_pager_query(&pager, params, sizeof params); pages++) {
        if (!get(gap, "/fapi/v1/income", params)) return false;
        char report[NORMALIZE_REPORT_CAPACITY];
        long count = recovery_parse_income(gap->rest->response.data, page, RECOVERY_PAGE_LIMIT, &result->skipped,
                                           report);
        if (report[0] != '\0') live_log(gap->logger, count < 0 ? "error" : "warn", "gap recovery: %s", report);
        if (count < 0) return false;
        long long last_time_ms = pager.page_start_ms;
        for (long index = 0; index < count; index++) {
            const income_entry *entry = &page[index];
            if (entry->time_ms > last_time_ms) last_time_ms = entry->time_ms;
            if (entry->time_ms <= gap->start_ms || entry->time_ms > gap->end_ms) continue;
            if (entry->kind == INCOME_TRADE) symbol_set_add(set, entry->symbol);
            recovered_fill event;
            if (recovery_income_event(entry, &event) && keep_event(gap, result, &event)) result->cash_entries++;
        }
        income_pager_advance(&pager, (size_t)count, last_time_ms);
    }
    return true;
}

/* The fills of one symbol over the gap, paged. */
static bool recover_trades(const gap_recovery *gap, gap_result *result, const char *symbol, recovered_fill *page) {
    long long start_ms = gap->start_ms - gap->trades_margin_ms;
    trade_pager pager;
    trade_pager_init(&pager, start_ms > 0 ? start_ms : 0, gap->end_ms);
    char params[RECOVERY_PARAMS_CAPACITY];
    for (int pages = 0; pages < RECOVERY_PAGES_MAX && trade_pager_query(&pager, symbol, params, sizeof params);
         pages++) {
        if (!get(gap, "/fapi/v1/userTrades", params)) return false;
        char report[NORMALIZE_REPORT_CAPACITY];
        long skipped_before = gap->normal->entries_skipped;
        long count = normalize_user_trades(gap->normal, gap->rest->response.data, page, RECOVERY_PAGE_LIMIT, report);
        if (report[0] != '\0') live_log(gap->logger, count < 0 ? "error" : "warn", "gap recovery: %s", report);
        if (count < 0) return false;
        long long last_id = 0, last_time_ms = 0;
        for (long index = 0; index < count; index++) {
            if (page[index].trade_id > last_id) last_id = page[index].trade_id;
            long long time_ms = llround(page[index].ts * 1000.0);
            if (time_ms > last_time_ms) last_time_ms = time_ms;
            /* later fills reach the stream after the resync, which already holds their positions */
            if (time_ms <= gap->end_ms && keep_event(gap, result, &page[index])) result->trades++;
        }
        long page_size = count + (gap->normal->entries_skipped - skipped_before);
        trade_pager_advance(&pager, (size_t)(page_size < RECOVERY_PAGE_LIMIT ? page_size : RECOVERY_PAGE_LIMIT),
                            last_id, last_time_ms);
    }
    return true;
}

/* Time, then id: the order the events are applied in (deterministic). */
static int compare_events(const void *left, const void *right) {
    const recovered_fill *a = left, *b = right;
    if (a->ts != b->ts) return a->ts < b->ts ? -1 : 1;
    return strcmp(a->event_id, b->event_id);
}

bool gap_recover(const gap_recovery *gap, gap_result *result) {
    assert(gap->out != NULL && gap->capacity > 0);
    assert(gap->symbol_count <= SYMBOLS_MAX);
    memset(result, 0, sizeof *result);
    symbol_set *set = calloc(1, sizeof *set);
    income_entry *income_page = malloc(RECOVERY_PAGE_LIMIT * sizeof *income_page);
    recovered_fill *trade_page = malloc(RECOVERY_PAGE_LIMIT * sizeof *trade_page);
    bool ok = set != NULL && income_page != NULL && trade_page != NULL;
    if (ok) {
        for (size_t index = 0; index < gap->symbol_count; index++) symbol_set_add(set, gap->symbols[index]);
        ok = recover_income(gap, result, set, income_page);
        for (size_t index = 0; ok && index < set->count; index++) {
            ok = recover_trades(gap, result, set->names[index], trade_page);
            result->symbols_asked++;
        }
    }
    if (ok) qsort(gap->out, result->events, sizeof gap->out[0], compare_events);
    if (result->truncated)
        live_log(gap->logger, "warn", "gap recovery: more than %zu events; the rest is left to the resync",
                 gap->capacity);
    free(set);
    free(income_page);
    free(trade_page);
    return ok;
}
