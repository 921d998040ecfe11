/* config.h -- every tunable of a run, its default, and how text sets it.
 *
 * The same keys are accepted everywhere (scenario `config` rows, --config
 * FILE.json, --set KEY=VALUE); precedence is decided by the caller through
 * config_lock(): a locked key ignores later, lower-precedence settings. */
#ifndef LEDGERSIM_CORE_CONFIG_H
#define LEDGERSIM_CORE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "core/limits.h"
#include "core/rules.h"

/* ReconcileConfig of seed 001: the bounds of rules R1..R5, and which rule
 * set classifies (reconcile.rules: seed, the default, or v2). */
typedef struct {
    double capital_epsilon;        /* |delta| <= this is OK (R1, R2, R4, R5), USDT */
    double pending_fee_bound;      /* R1 WARN band: unsettled fees in flight, USDT */
    double realized_rounding;      /* R2 WARN band, USDT */
    double lot_step;               /* R3 lot step (kept for the seed's schema) */
    double mark_staleness_factor;  /* R4 WARN band as a share of K's open notional */
    double leverage_rounding_band; /* R5 WARN band, USDT */
    reconcile_rule_set rules;      /* seed (default) or v2 */
} reconcile_config;

typedef struct {
    double seed_capital;
    double min_capital;
    double max_capital;            /* used only when has_max_capital */
    bool has_max_capital;
    reconcile_config reconcile;
    double fee_taker_rate;         /* fraction of notional */
    double slippage_bps;
    int atr_period;                /* bars */
    double tp_atr_multiple;
    double sl_atr_multiple;
    double tp_percent;             /* fraction, 0.02 = 2% */
    double sl_percent;
    unsigned long long locked_keys; /* bit per key index: set by a higher-precedence source */
} kernel_config;

typedef enum {
    CONFIG_SET_OK = 0,
    CONFIG_SET_LOCKED = 1,        /* valid, but a higher-precedence source set it */
    CONFIG_SET_UNKNOWN_KEY = -1,
    CONFIG_SET_BAD_VALUE = -2
} config_set_result;

/* Fills every field with the defaults of the scenario format. */
void config_defaults(kernel_config *config);

/* Bytes of a reason from config_set: room for the list of every key. */
enum { CONFIG_REASON_CAPACITY = 1024 };

/* Sets key from its text value (validated strictly). A key that is locked is
 * validated and left unchanged. On BAD_VALUE, reason says why; on
 * UNKNOWN_KEY, it is "unknown config key 'KEY'", the nearest key when one is
 * a likely typo, and every valid key (give CONFIG_REASON_CAPACITY bytes). */
config_set_result config_set(kernel_config *config, const char *key, const char *value,
                             char *reason, size_t reason_capacity) WARN_UNUSED_RESULT;

/* Marks key as set by a higher-precedence source. Returns false if unknown. */
bool config_lock(kernel_config *config, const char *key);

/* Fills reason with the unknown-key message of config_set (see above). */
void config_describe_unknown_key(const char *key, char *reason, size_t reason_capacity);

/* True when key is a known configuration key. */
bool config_key_known(const char *key);

#endif
