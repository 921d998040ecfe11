/* holdings_file.c -- see holdings_file.h. */
#include "io/holdings_file.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/number.h"
#include "io/json_file.h"

/* A number member given as a JSON number or a numeric string. */
static bool read_number(const cJSON *item, double *value) {
    if (cJSON_IsNumber(item)) {
        *value = item->valuedouble;
        return isfinite(*value);
    }
    return cJSON_IsString(item) && number_parse(item->valuestring, strlen(item->valuestring), value);
}

static bool valid_asset(const char *name) {
    size_t length = strlen(name);
    if (length == 0 || length >= SYMBOL_CAPACITY - 4) return false; /* room for "USDT" */
    for (size_t index = 0; index < length; index++) {
        char byte = name[index];
        if (!((byte >= 'A' && byte <= 'Z') || (byte >= 'a' && byte <= 'z') || (byte >= '0' && byte <= '9') ||
              byte == '_' || byte == '-' || byte == '.'))
            return false;
    }
    return true;
}

static bool load_asset(const char *path, const cJSON *item, holdings_book *holdings, char *error,
                       size_t error_capacity) {
    const char *asset = item->string;
    if (!valid_asset(asset)) {
        snprintf(error, error_capacity, "%s: asset '%s': not a valid asset name", path, asset);
        return false;
    }
    if (!cJSON_IsObject(item)) {
        snprintf(error, error_capacity, "%s: asset %s: expected an object {\"qty\", \"avg_cost\"}", path, asset);
        return false;
    }
    for (const cJSON *earlier = item->prev; earlier != NULL && earlier->next != NULL; earlier = earlier->prev)
        if (strcmp(earlier->string, asset) == 0) {
            snprintf(error, error_capacity, "%s: asset %s is given twice", path, asset);
            return false;
        }
    holding entry = {0};
    snprintf(entry.asset, sizeof entry.asset, "%s", asset);
    if (!read_number(cJSON_GetObjectItemCaseSensitive(item, "qty"), &entry.qty)) {
        snprintf(error, error_capacity, "%s: asset %s: qty is missing or not a number", path, asset);
        return false;
    }
    if (entry.qty < 0) {
        snprintf(error, error_capacity, "%s: asset %s: qty is negative", path, asset);
        return false;
    }
    const cJSON *cost = cJSON_GetObjectItemCaseSensitive(item, "avg_cost");
    if (cost != NULL && !cJSON_IsNull(cost)) {
        if (!read_number(cost, &entry.avg_cost)) {
            snprintf(error, error_capacity, "%s: asset %s: avg_cost is not a number", path, asset);
            return false;
        }
        entry.has_avg_cost = true;
    }
    if (!holdings_set(holdings, &entry)) {
        snprintf(error, error_capacity, "%s: more than %d assets", path, HOLDINGS_MAX);
        return false;
    }
    return true;
}

bool holdings_file_load(const char *path, holdings_book *holdings, char *error, size_t error_capacity) {
    cJSON *root = NULL;
    if (!json_file_load_object(path, &root, "an object keyed by asset", error, error_capacity)) return false;
    bool loaded = true;
    for (const cJSON *item = root->child; item != NULL && loaded; item = item->next)
        loaded = load_asset(path, item, holdings, error, error_capacity);
    cJSON_Delete(root);
    return loaded;
}
