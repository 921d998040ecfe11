/* exchange_rules.c -- see exchange_rules.h. */
#include "live/exchange_rules.h"

#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int compare_symbols(const void *left, const void *right) {
    return strcmp(((const symbol_rules *)left)->symbol, ((const symbol_rules *)right)->symbol);
}

/* Reads stepSize/minQty/maxQty of a lot filter into out; false if malformed. */
static bool read_lot_filter(const cJSON *filter, quantity_rules *out) {
    const cJSON *step = cJSON_GetObjectItemCaseSensitive(filter, "stepSize");
    const cJSON *minimum = cJSON_GetObjectItemCaseSensitive(filter, "minQty");
    const cJSON *maximum = cJSON_GetObjectItemCaseSensitive(filter, "maxQty");
    return cJSON_IsString(step) && cJSON_IsString(minimum) && cJSON_IsString(maximum) &&
           quantity_parse(step->valuestring, &out->step_units) &&
           quantity_parse(minimum->valuestring, &out->min_units) &&
           quantity_parse(maximum->valuestring, &out->max_units) && out->step_units > 0 &&
           out->max_units >= out->step_units;
}

/* The MARKET order rules of one symbol entry; false when it has none usable. */
static bool read_symbol(const cJSON *entry, symbol_rules *out) {
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(entry, "symbol");
    if (!cJSON_IsString(name) || strlen(name->valuestring) >= SYMBOL_CAPACITY || name->valuestring[0] == '\0')
        return false;
    snprintf(out->symbol, sizeof out->symbol, "%s", name->valuestring);
    bool lot = false, market = false;
    quantity_rules lot_rules = {0, 0, 0};
    const cJSON *filter = NULL;
    cJSON_ArrayForEach(filter, cJSON_GetObjectItemCaseSensitive(entry, "filters")) {
        const cJSON *type = cJSON_GetObjectItemCaseSensitive(filter, "filterType");
        if (!cJSON_IsString(type)) continue;
        if (strcmp(type->valuestring, "LOT_SIZE") == 0) lot = read_lot_filter(filter, &lot_rules);
        else if (strcmp(type->valuestring, "MARKET_LOT_SIZE") == 0) market = read_lot_filter(filter, &out->market);
    }
    if (!market && lot) out->market = lot_rules;
    return market || lot;
}

/* rateLimits: the REQUEST_WEIGHT limit per one minute, or 0. */
static long read_weight_limit(const cJSON *root) {
    const cJSON *limit = NULL;
    cJSON_ArrayForEach(limit, cJSON_GetObjectItemCaseSensitive(root, "rateLimits")) {
        const cJSON *type = cJSON_GetObjectItemCaseSensitive(limit, "rateLimitType");
        const cJSON *interval = cJSON_GetObjectItemCaseSensitive(limit, "interval");
        const cJSON *count = cJSON_GetObjectItemCaseSensitive(limit, "intervalNum");
        const cJSON *value = cJSON_GetObjectItemCaseSensitive(limit, "limit");
        if (cJSON_IsString(type) && strcmp(type->valuestring, "REQUEST_WEIGHT") == 0 && cJSON_IsString(interval) &&
            strcmp(interval->valuestring, "MINUTE") == 0 && cJSON_IsNumber(count) && count->valuedouble == 1 &&
            cJSON_IsNumber(value) && value->valuedouble > 0)
            return (long)value->valuedouble;
    }
    return 0;
}

bool exchange_rules_parse(exchange_rules *rules, const char *json, char report[EXCHANGE_RULES_REPORT_CAPACITY]) {
    memset(rules, 0, sizeof *rules);
    report[0] = '\0';
    cJSON *root = cJSON_Parse(json);
    const cJSON *symbols = cJSON_GetObjectItemCaseSensitive(root, "symbols");
    if (!cJSON_IsArray(symbols)) {
        snprintf(report, EXCHANGE_RULES_REPORT_CAPACITY, "exchangeInfo: no symbols array");
        cJSON_Delete(root);
        return false;
    }
    rules->symbols = calloc(EXCHANGE_SYMBOLS_MAX, sizeof *rules->symbols);
    if (rules->symbols == NULL) {
        snprintf(report, EXCHANGE_RULES_REPORT_CAPACITY, "exchangeInfo: out of memory");
        cJSON_Delete(root);
        return false;
    }
    const cJSON *entry = NULL;
    cJSON_ArrayForEach(entry, symbols) {
        if (rules->count == EXCHANGE_SYMBOLS_MAX) break;
        if (read_symbol(entry, &rules->symbols[rules->count])) rules->count++;
    }
    qsort(rules->symbols, rules->count, sizeof *rules->symbols, compare_symbols);
    rules->weight_limit_1m = read_weight_limit(root);
    cJSON_Delete(root);
    return true;
}

const symbol_rules *exchange_rules_find(const exchange_rules *rules, const char *symbol) {
    if (rules->symbols == NULL) return NULL;
    symbol_rules key;
    snprintf(key.symbol, sizeof key.symbol, "%s", symbol);
    return bsearch(&key, rules->symbols, rules->count, sizeof *rules->symbols, compare_symbols);
}

void exchange_rules_free(exchange_rules *rules) {
    free(rules->symbols);
    memset(rules, 0, sizeof *rules);
}
