/* test_config.c -- core/config.c: the defaults of the scenario format, every
 * key, strict values with their reasons, unknown keys and lock precedence. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"

enum { REASON_CAPACITY = 200 };

/* Sets key to value and returns the result; reason receives the message. */
static config_set_result set_key(kernel_config *config, const char *key, const char *value, char *reason) {
    reason[0] = '\0';
    return config_set(config, key, value, reason, REASON_CAPACITY);
}

START_TEST(test_defaults) {
    kernel_config config;
    memset(&config, 0xA5, sizeof config);
    config_defaults(&config);
    ck_assert(config.seed_capital == 25000);
    ck_assert(config.min_capital == 0);
    ck_assert(!config.has_max_capital);
    ck_assert(config.reconcile.capital_epsilon == 1e-4);
    ck_assert(config.reconcile.pending_fee_bound == 20);
    ck_assert(config.reconcile.realized_rounding == 0.05);
    ck_assert(config.reconcile.lot_step == 0.001);
    ck_assert(config.reconcile.mark_staleness_factor == 0.003);
    ck_assert(config.reconcile.leverage_rounding_band == 2.0);
    ck_assert(config.fee_taker_rate == 0.0004);
    ck_assert(config.slippage_bps == 0);
    ck_assert_int_eq(config.atr_period, 14);
    ck_assert(config.tp_atr_multiple == 2.0);
    ck_assert(config.sl_atr_multiple == 1.0);
    ck_assert(config.tp_percent == 0.02);
    ck_assert(config.sl_percent == 0.01);
    ck_assert(config.locked_keys == 0);
}
END_TEST

typedef struct {
    const char *key;
    const char *value;
    double expected;
} key_case;

/* The double field named by key, read back from config (atr.period as a double). */
static double field_value(const kernel_config *config, const char *key) {
    if (strcmp(key, "seed_capital") == 0) return config->seed_capital;
    if (strcmp(key, "min_capital") == 0) return config->min_capital;
    if (strcmp(key, "max_capital") == 0) return config->max_capital;
    if (strcmp(key, "reconcile.capital_epsilon") == 0) return config->reconcile.capital_epsilon;
    if (strcmp(key, "reconcile.pending_fee_bound") == 0) return config->reconcile.pending_fee_bound;
    if (strcmp(key, "reconcile.realized_rounding") == 0) return config->reconcile.realized_rounding;
    if (strcmp(key, "reconcile.lot_step") == 0) return config->reconcile.lot_step;
    if (strcmp(key, "reconcile.mark_staleness_factor") == 0) return config->reconcile.mark_staleness_factor;
    if (strcmp(key, "reconcile.leverage_rounding_band") == 0) return config->reconcile.leverage_rounding_band;
    if (strcmp(key, "fee.taker_rate") == 0) return config->fee_taker_rate;
    if (strcmp(key, "slippage_bps") == 0) return config->slippage_bps;
    if (strcmp(key, "atr.period") == 0) return config->atr_period;
    if (strcmp(key, "tp.atr_mult") == 0) return config->tp_atr_multiple;
    if (strcmp(key, "sl.atr_mult") == 0) return config->sl_atr_multiple;
    if (strcmp(key, "tp.pct") == 0) return config->tp_percent;
    if (strcmp(key, "sl.pct") == 0) return config->sl_percent;
    ck_abort_msg("no field for %s", key);
    return NAN;
}

START_TEST(test_every_key_sets_its_field) {
    const key_case cases[] = {
        {"seed_capital", "10000", 10000},
        {"min_capital", "500.5", 500.5},
        {"max_capital", "30000", 30000},
        {"reconcile.capital_epsilon", "1e-6", 1e-6},
        {"reconcile.pending_fee_bound", "25", 25},
        {"reconcile.realized_rounding", "0.1", 0.1},
        {"reconcile.lot_step", "0.01", 0.01},
        {"reconcile.mark_staleness_factor", "0.005", 0.005},
        {"reconcile.leverage_rounding_band", "3.5", 3.5},
        {"fee.taker_rate", "0.0005", 0.0005},
        {"slippage_bps", "2.5", 2.5},
        {"atr.period", "20", 20},
        {"tp.atr_mult", "3", 3},
        {"sl.atr_mult", "1.5", 1.5},
        {"tp.pct", "0.04", 0.04},
        {"sl.pct", "0.02", 0.02},
    };
    for (size_t index = 0; index < sizeof cases / sizeof cases[0]; index++) {
        kernel_config config;
        config_defaults(&config);
        char reason[REASON_CAPACITY];
        ck_assert_msg(set_key(&config, cases[index].key, cases[index].value, reason) == CONFIG_SET_OK, "%s: %s",
                      cases[index].key, reason);
        ck_assert_msg(field_value(&config, cases[index].key) == cases[index].expected, "%s", cases[index].key);
        ck_assert(config_key_known(cases[index].key));
        /* only that field changed */
        kernel_config defaults;
        config_defaults(&defaults);
        for (size_t other = 0; other < sizeof cases / sizeof cases[0]; other++)
            if (other != index && strcmp(cases[other].key, "max_capital") != 0)
                ck_assert_msg(field_value(&config, cases[other].key) == field_value(&defaults, cases[other].key),
                              "setting %s changed %s", cases[index].key, cases[other].key);
    }
}
END_TEST

START_TEST(test_max_capital_optional) {
    kernel_config config;
    config_defaults(&config);
    char reason[REASON_CAPACITY];
    ck_assert_int_eq(set_key(&config, "max_capital", "30000", reason), CONFIG_SET_OK);
    ck_assert(config.has_max_capital && config.max_capital == 30000);
    ck_assert_int_eq(set_key(&config, "max_capital", "none", reason), CONFIG_SET_OK);
    ck_assert(!config.has_max_capital);
    ck_assert_int_eq(set_key(&config, "max_capital", "-5", reason), CONFIG_SET_OK); /* any number */
    ck_assert(config.has_max_capital && config.max_capital == -5);
    ck_assert_int_eq(set_key(&config, "max_capital", "", reason), CONFIG_SET_OK);
    ck_assert(!config.has_max_capital);
    ck_assert_int_eq(set_key(&config, "max_capital", "None", reason), CONFIG_SET_BAD_VALUE);
    ck_assert_int_eq(set_key(&config, "max_capital", "inf", reason), CONFIG_SET_BAD_VALUE);
    ck_assert(!config.has_max_capital);
}
END_TEST

START_TEST(test_signed_capitals_accept_negatives) {
    kernel_config config;
    config_defaults(&config);
    char reason[REASON_CAPACITY];
    ck_assert_int_eq(set_key(&config, "seed_capital", "-5", reason), CONFIG_SET_OK);
    ck_assert(config.seed_capital == -5);
    ck_assert_int_eq(set_key(&config, "min_capital", "-100", reason), CONFIG_SET_OK);
    ck_assert(config.min_capital == -100);
    ck_assert_int_eq(set_key(&config, "seed_capital", "0", reason), CONFIG_SET_OK);
    ck_assert(config.seed_capital == 0);
}
END_TEST

typedef struct {
    const char *key;
    const char *value;
    const char *reason;
} bad_case;

START_TEST(test_bad_values_rejected_with_reason) {
    const bad_case cases[] = {
        {"seed_capital", "abc", "config seed_capital: 'abc' is not a finite number"},
        {"seed_capital", "nan", "config seed_capital: 'nan' is not a finite number"},
        {"seed_capital", "inf", "config seed_capital: 'inf' is not a finite number"},
        {"seed_capital", "12.5abc", "config seed_capital: '12.5abc' is not a finite number"},
        {"seed_capital", "", "config seed_capital: '' is not a finite number"},
        {"seed_capital", " 1", "config seed_capital: ' 1' is not a finite number"},
        {"seed_capital", "1e999", "config seed_capital: '1e999' is not a finite number"},
        {"reconcile.capital_epsilon", "-1e-4", "config reconcile.capital_epsilon: '-1e-4' must be >= 0"},
        {"reconcile.pending_fee_bound", "-1", "config reconcile.pending_fee_bound: '-1' must be >= 0"},
        {"reconcile.realized_rounding", "-0.05", "config reconcile.realized_rounding: '-0.05' must be >= 0"},
        {"reconcile.lot_step", "-1", "config reconcile.lot_step: '-1' must be >= 0"},
        {"reconcile.mark_staleness_factor", "-0.003",
         "config reconcile.mark_staleness_factor: '-0.003' must be >= 0"},
        {"reconcile.leverage_rounding_band", "-2", "config reconcile.leverage_rounding_band: '-2' must be >= 0"},
        {"fee.taker_rate", "-0.0004", "config fee.taker_rate: '-0.0004' must be >= 0"},
        {"slippage_bps", "-1", "config slippage_bps: '-1' must be >= 0"},
        {"tp.atr_mult", "0", "config tp.atr_mult: '0' must be > 0"},
        {"sl.atr_mult", "-1", "config sl.atr_mult: '-1' must be > 0"},
        {"tp.pct", "0", "config tp.pct: '0' must be > 0"},
        {"sl.pct", "-0.01", "config sl.pct: '-0.01' must be > 0"},
        {"atr.period", "0", "config atr.period: '0' must be a whole number from 1 to 1000"},
        {"atr.period", "1.5", "config atr.period: '1.5' must be a whole number from 1 to 1000"},
        {"atr.period", "1001", "config atr.period: '1001' must be a whole number from 1 to 1000"},
        {"atr.period", "-14", "config atr.period: '-14' must be a whole number from 1 to 1000"},
        {"atr.period", "x", "config atr.period: 'x' is not a finite number"},
    };
    for (size_t index = 0; index < sizeof cases / sizeof cases[0]; index++) {
        kernel_config config, before;
        config_defaults(&config);
        before = config;
        char reason[REASON_CAPACITY];
        ck_assert_msg(set_key(&config, cases[index].key, cases[index].value, reason) == CONFIG_SET_BAD_VALUE,
                      "%s=%s accepted", cases[index].key, cases[index].value);
        ck_assert_str_eq(reason, cases[index].reason);
        ck_assert_msg(memcmp(&config, &before, sizeof config) == 0, "%s=%s changed the config", cases[index].key,
                      cases[index].value);
    }
}
END_TEST

START_TEST(test_edge_values_accepted) {
    kernel_config config;
    config_defaults(&config);
    char reason[REASON_CAPACITY];
    ck_assert_int_eq(set_key(&config, "reconcile.capital_epsilon", "0", reason), CONFIG_SET_OK);
    ck_assert(config.reconcile.capital_epsilon == 0);
    ck_assert_int_eq(set_key(&config, "fee.taker_rate", "0", reason), CONFIG_SET_OK);
    ck_assert_int_eq(set_key(&config, "atr.period", "1", reason), CONFIG_SET_OK);
    ck_assert_int_eq(config.atr_period, 1);
    ck_assert_int_eq(set_key(&config, "atr.period", "1000", reason), CONFIG_SET_OK);
    ck_assert_int_eq(config.atr_period, 1000);
    ck_assert_int_eq(set_key(&config, "atr.period", "2e1", reason), CONFIG_SET_OK);
    ck_assert_int_eq(config.atr_period, 20);
    ck_assert_int_eq(set_key(&config, "tp.pct", "1e-9", reason), CONFIG_SET_OK);
    ck_assert(config.tp_percent == 1e-9);
}
END_TEST

START_TEST(test_unknown_keys) {
    kernel_config config;
    config_defaults(&config);
    kernel_config before = config;
    char reason[REASON_CAPACITY];
    const char *const unknown[] = {"seed", "Seed_capital", "reconcile", "reconcile.", "capital_epsilon",
                                   "reconcile.capital_epsilon ", "", "atr_period", "tp.atr_multiple"};
    for (size_t index = 0; index < sizeof unknown / sizeof unknown[0]; index++) {
        ck_assert_msg(set_key(&config, unknown[index], "1", reason) == CONFIG_SET_UNKNOWN_KEY, "'%s'",
                      unknown[index]);
        ck_assert(!config_key_known(unknown[index]));
        ck_assert(!config_lock(&config, unknown[index]));
    }
    ck_assert(memcmp(&config, &before, sizeof config) == 0);
}
END_TEST

START_TEST(test_lock_precedence) {
    kernel_config config;
    config_defaults(&config);
    char reason[REASON_CAPACITY];
    /* a higher-precedence source (--set) sets and locks first */
    ck_assert_int_eq(set_key(&config, "seed_capital", "10000", reason), CONFIG_SET_OK);
    ck_assert(config_lock(&config, "seed_capital"));
    /* a later, lower-precedence setting (a scenario config row) is ignored */
    ck_assert_int_eq(set_key(&config, "seed_capital", "20000", reason), CONFIG_SET_LOCKED);
    ck_assert(config.seed_capital == 10000);
    /* but still validated */
    ck_assert_int_eq(set_key(&config, "seed_capital", "abc", reason), CONFIG_SET_BAD_VALUE);
    ck_assert_str_eq(reason, "config seed_capital: 'abc' is not a finite number");
    ck_assert(config.seed_capital == 10000);
    /* other keys are not locked */
    ck_assert_int_eq(set_key(&config, "min_capital", "5", reason), CONFIG_SET_OK);
    ck_assert(config.min_capital == 5);
    /* a locked period is range-checked, then left alone */
    ck_assert(config_lock(&config, "atr.period"));
    ck_assert_int_eq(set_key(&config, "atr.period", "0", reason), CONFIG_SET_BAD_VALUE);
    ck_assert_int_eq(set_key(&config, "atr.period", "7", reason), CONFIG_SET_LOCKED);
    ck_assert_int_eq(config.atr_period, 14);
    /* locking the last key of the table works too */
    ck_assert(config_lock(&config, "sl.pct"));
    ck_assert_int_eq(set_key(&config, "sl.pct", "0.5", reason), CONFIG_SET_LOCKED);
    ck_assert(config.sl_percent == 0.01);
}
END_TEST

START_TEST(test_lock_optional_max_capital) {
    kernel_config config;
    config_defaults(&config);
    char reason[REASON_CAPACITY];
    ck_assert_int_eq(set_key(&config, "max_capital", "30000", reason), CONFIG_SET_OK);
    ck_assert(config_lock(&config, "max_capital"));
    ck_assert_int_eq(set_key(&config, "max_capital", "none", reason), CONFIG_SET_LOCKED);
    ck_assert(config.has_max_capital && config.max_capital == 30000);
    ck_assert_int_eq(set_key(&config, "max_capital", "1", reason), CONFIG_SET_LOCKED);
    ck_assert(config.max_capital == 30000);
    /* locked with no maximum: a later number does not create one */
    config_defaults(&config);
    ck_assert(config_lock(&config, "max_capital"));
    ck_assert_int_eq(set_key(&config, "max_capital", "1", reason), CONFIG_SET_LOCKED);
    ck_assert(!config.has_max_capital);
}
END_TEST

/* Every test of core/config.c. */
static Suite *config_suite(void) {
    Suite *suite = suite_create("config");
    TCase *keys = tcase_create("keys");
    tcase_add_test(keys, test_defaults);
    tcase_add_test(keys, test_every_key_sets_its_field);
    tcase_add_test(keys, test_max_capital_optional);
    tcase_add_test(keys, test_signed_capitals_accept_negatives);
    tcase_add_test(keys, test_bad_values_rejected_with_reason);
    tcase_add_test(keys, test_edge_values_accepted);
    tcase_add_test(keys, test_unknown_keys);
    suite_add_tcase(suite, keys);
    TCase *locks = tcase_create("locks");
    tcase_add_test(locks, test_lock_precedence);
    tcase_add_test(locks, test_lock_optional_max_capital);
    suite_add_tcase(suite, locks);
    return suite;
}

int main(void) {
    SRunner *runner = srunner_create(config_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
