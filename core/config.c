/* config.c -- see config.h. */
#include "core/config.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/number.h"
#include "core/suggest.h"

typedef enum { VALUE_ANY, VALUE_NON_NEGATIVE, VALUE_POSITIVE, VALUE_PERIOD, VALUE_OPTIONAL, VALUE_RULE_SET } value_rule;

typedef struct {
    const char *key;
    size_t offset;
    value_rule rule;
} config_key;

#define FIELD(name) offsetof(kernel_config, name)
static const config_key config_keys[] = {
    {"seed_capital", FIELD(seed_capital), VALUE_ANY},
    {"min_capital", FIELD(min_capital), VALUE_ANY},
    {"max_capital", FIELD(max_capital), VALUE_OPTIONAL},
    {"reconcile.capital_epsilon", FIELD(reconcile.capital_epsilon), VALUE_NON_NEGATIVE},
    {"reconcile.pending_fee_bound", FIELD(reconcile.pending_fee_bound), VALUE_NON_NEGATIVE},
    {"reconcile.realized_rounding", FIELD(reconcile.realized_rounding), VALUE_NON_NEGATIVE},
    {"reconcile.lot_step", FIELD(reconcile.lot_step), VALUE_NON_NEGATIVE},
    {"reconcile.mark_staleness_factor", FIELD(reconcile.mark_staleness_factor), VALUE_NON_NEGATIVE},
    {"reconcile.leverage_rounding_band", FIELD(reconcile.leverage_rounding_band), VALUE_NON_NEGATIVE},
    {"fee.taker_rate", FIELD(fee_taker_rate), VALUE_NON_NEGATIVE},
    {"slippage_bps", FIELD(slippage_bps), VALUE_NON_NEGATIVE},
    {"atr.period", FIELD(atr_period), VALUE_PERIOD},
    {"tp.atr_mult", FIELD(tp_atr_multiple), VALUE_POSITIVE},
    {"sl.atr_mult", FIELD(sl_atr_multiple), VALUE_POSITIVE},
    {"tp.pct", FIELD(tp_percent), VALUE_POSITIVE},
    {"sl.pct", FIELD(sl_percent), VALUE_POSITIVE},
    {"reconcile.rules", FIELD(reconcile.rules), VALUE_RULE_SET},
};
#undef FIELD
enum { CONFIG_KEY_COUNT = sizeof config_keys / sizeof config_keys[0] };

void config_defaults(kernel_config *config) {
    memset(config, 0, sizeof *config);
    config->seed_capital = 25000.0;
    config->min_capital = 0.0;
    config->has_max_capital = false;
    config->reconcile.capital_epsilon = 1e-4;
    config->reconcile.pending_fee_bound = 20.0;
    config->reconcile.realized_rounding = 0.05;
    config->reconcile.lot_step = 0.001;
    config->reconcile.mark_staleness_factor = 0.003;
    config->reconcile.leverage_rounding_band = 2.0;
    config->fee_taker_rate = 0.0004;
    config->slippage_bps = 0.0;
    config->atr_period = 14;
    config->tp_atr_multiple = 2.0;
    config->sl_atr_multiple = 1.0;
    config->tp_percent = 0.02;
    config->sl_percent = 0.01;
    config->reconcile.rules = RULE_SET_SEED;
}

static int config_key_index(const char *key) {
    for (int index = 0; index < CONFIG_KEY_COUNT; index++)
        if (strcmp(config_keys[index].key, key) == 0) return index;
    return -1;
}

bool config_key_known(const char *key) { return config_key_index(key) >= 0; }

void config_describe_unknown_key(const char *key, char *reason, size_t reason_capacity) {
    const char *names[CONFIG_KEY_COUNT];
    for (int index = 0; index < CONFIG_KEY_COUNT; index++) names[index] = config_keys[index].key;
    const char *nearest = suggest_nearest(key, names, CONFIG_KEY_COUNT);
    int length = snprintf(reason, reason_capacity, "unknown config key '%s'%s%s%s; valid keys:", key,
                          nearest != NULL ? " (did you mean '" : "", nearest != NULL ? nearest : "",
                          nearest != NULL ? "'?)" : "");
    for (int index = 0; index < CONFIG_KEY_COUNT && length >= 0 && (size_t)length < reason_capacity; index++)
        length += snprintf(reason + length, reason_capacity - (size_t)length, "%s %s", index == 0 ? "" : ",",
                           names[index]);
}

bool config_lock(kernel_config *config, const char *key) {
    int index = config_key_index(key);
    if (index < 0) return false;
    config->locked_keys |= 1ULL << index;
    return true;
}

/* reconcile.rules: a name, not a number. */
static config_set_result config_set_rule_set(kernel_config *config, const config_key *entry, bool locked,
                                             const char *value, char *reason, size_t reason_capacity) {
    reconcile_rule_set set;
    if (!reconcile_rule_set_parse(value, &set)) {
        snprintf(reason, reason_capacity, "config %s: '%s' must be seed or v2", entry->key, value);
        return CONFIG_SET_BAD_VALUE;
    }
    if (locked) return CONFIG_SET_LOCKED;
    *(reconcile_rule_set *)(void *)((char *)config + entry->offset) = set;
    return CONFIG_SET_OK;
}

config_set_result config_set(kernel_config *config, const char *key, const char *value,
                             char *reason, size_t reason_capacity) {
    assert(CONFIG_KEY_COUNT < 64);
    int index = config_key_index(key);
    if (index < 0) {
        config_describe_unknown_key(key, reason, reason_capacity);
        return CONFIG_SET_UNKNOWN_KEY;
    }
    const config_key *entry = &config_keys[index];
    bool locked = (config->locked_keys >> index) & 1ULL;
    if (entry->rule == VALUE_OPTIONAL && (strcmp(value, "none") == 0 || value[0] == '\0')) {
        if (!locked) config->has_max_capital = false;
        return locked ? CONFIG_SET_LOCKED : CONFIG_SET_OK;
    }
    if (entry->rule == VALUE_RULE_SET) return config_set_rule_set(config, entry, locked, value, reason, reason_capacity);
    double number;
    if (!number_parse(value, strlen(value), &number)) {
        snprintf(reason, reason_capacity, "config %s: '%s' is not a finite number", key, value);
        return CONFIG_SET_BAD_VALUE;
    }
    bool valid = true;
    const char *expected = "";
    switch (entry->rule) {
    case VALUE_NON_NEGATIVE: valid = number >= 0; expected = ">= 0"; break;
    case VALUE_POSITIVE: valid = number > 0; expected = "> 0"; break;
    case VALUE_PERIOD:
        valid = number >= 1 && number <= ATR_PERIOD_MAX && number == floor(number);
        expected = "a whole number from 1 to 1000";
        break;
    default: break;
    }
    if (!valid) {
        snprintf(reason, reason_capacity, "config %s: '%s' must be %s", key, value, expected);
        return CONFIG_SET_BAD_VALUE;
    }
    if (locked) return CONFIG_SET_LOCKED;
    char *field = (char *)config + entry->offset;
    if (entry->rule == VALUE_PERIOD)
        *(int *)(void *)field = (int)number;
    else
        *(double *)(void *)field = number;
    if (entry->rule == VALUE_OPTIONAL) config->has_max_capital = true;
    return CONFIG_SET_OK;
}
