/* test_sweep.c -- the pieces of ledgersim sweep that stand alone:
 * io/sha256 (FIPS 180-4 vectors, any split of the input, the file path
 * that may go through libcrypto against the portable C), and the grid and
 * plan arithmetic of sim/sweep_plan (last key fastest, groups, run indices). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/sha256.h"
#include "sim/sweep_plan.h"

/* The portable C digest of length bytes of data, in updates of step bytes. */
static void digest_in_steps(const char *data, size_t length, size_t step, char hex[SHA256_HEX_CAPACITY]) {
    sha256_context context;
    sha256_init(&context);
    for (size_t offset = 0; offset < length; offset += step)
        sha256_update(&context, data + offset, length - offset < step ? length - offset : step);
    sha256_final_hex(&context, hex);
}

START_TEST(test_fips_vectors) {
    char hex[SHA256_HEX_CAPACITY];
    digest_in_steps("", 0, 1, hex);
    ck_assert_str_eq(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    digest_in_steps("abc", 3, 1, hex);
    ck_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const char *two_blocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    for (size_t step = 1; step <= 64; step++) {
        digest_in_steps(two_blocks, strlen(two_blocks), step, hex);
        ck_assert_str_eq(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    }
    char *million = malloc(1000000);
    ck_assert_ptr_nonnull(million);
    memset(million, 'a', 1000000);
    digest_in_steps(million, 1000000, 4093, hex);
    ck_assert_str_eq(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    free(million);
}
END_TEST

/* sha256_file (libcrypto when it loads) equals the portable C path. */
START_TEST(test_file_matches_portable) {
    char path[] = "/tmp/test_sweep_XXXXXX";
    int descriptor = mkstemp(path);
    ck_assert_int_ge(descriptor, 0);
    size_t length = 3 * 1000 * 1000 + 17;
    char *data = malloc(length);
    ck_assert_ptr_nonnull(data);
    for (size_t index = 0; index < length; index++) data[index] = (char)(index * 2654435761u >> 13);
    ck_assert_int_eq(write(descriptor, data, length), (ssize_t)length);
    close(descriptor);
    char from_file[SHA256_HEX_CAPACITY], portable[SHA256_HEX_CAPACITY];
    long long bytes = 0;
    ck_assert(sha256_file(path, from_file, &bytes));
    ck_assert_int_eq(bytes, (long long)length);
    digest_in_steps(data, length, 65536, portable);
    ck_assert_str_eq(from_file, portable);
    unlink(path);
    free(data);
    ck_assert(!sha256_file(path, from_file, &bytes));
}
END_TEST

/* Grid order: the last key fastest; threshold axes make the local point,
 * the others the group; runs group-major, then scenario, then clean+seeds. */
START_TEST(test_plan_arithmetic) {
    static sweep_definition definition;
    memset(&definition, 0, sizeof definition);
    char error[512];
    ck_assert(sweep_add_axis(&definition, "tp.pct=0.01,0.02,0.03", error, sizeof error));
    ck_assert(sweep_add_axis(&definition, "reconcile.pending_fee_bound=1,20", error, sizeof error));
    ck_assert(sweep_add_axis(&definition, "sl.pct=0.01,0.05", error, sizeof error));
    ck_assert(!sweep_add_axis(&definition, "sl.pct=0.1", error, sizeof error));
    ck_assert_ptr_nonnull(strstr(error, "already swept"));
    definition.scenarios[0] = "scenarios/r1_capital_vs_wallet.csv";
    definition.scenarios[1] = "scenarios/r4_open_notional.csv";
    definition.scenario_count = 2;
    definition.faults_text = "drop=0.1";
    char reason[256];
    ck_assert(fault_plan_parse(definition.faults_text, &definition.faults, reason, sizeof reason));
    definition.first_seed = 5;
    definition.last_seed = 7;
    ck_assert_msg(sweep_finish_definition(&definition, error, sizeof error), "%s", error);
    ck_assert_uint_eq(definition.point_count, 12);
    ck_assert_uint_eq(definition.group_count, 6);
    ck_assert_uint_eq(definition.threshold_points, 2);
    ck_assert_uint_eq(definition.per_scenario, 4);
    ck_assert_uint_eq(definition.run_count, 48);
    /* Point 7 = (tp 1, fee 1, sl 1): 7 = 1*4 + 1*2 + 1. */
    ck_assert_uint_eq(sweep_point_value(&definition, 7, 0), 1);
    ck_assert_uint_eq(sweep_point_value(&definition, 7, 1), 1);
    ck_assert_uint_eq(sweep_point_value(&definition, 7, 2), 1);
    size_t group, local;
    sweep_point_split(&definition, 7, &group, &local);
    ck_assert_uint_eq(group, 3); /* tp 1, sl 1 */
    ck_assert_uint_eq(local, 1); /* fee 20 */
    ck_assert_str_eq(definition.threshold_values[1], "20");
    sweep_run run = sweep_plan_run(&definition, 29);
    ck_assert_uint_eq(run.group, 3);
    ck_assert_uint_eq(run.scenario, 1);
    ck_assert(!run.clean);
    ck_assert_uint_eq(run.seed, 5);
    ck_assert(sweep_plan_run(&definition, 28).clean);
    const char *settings[8];
    char storage[512];
    ck_assert_int_eq(sweep_group_settings(&definition, 3, settings, 8, storage, sizeof storage), 2);
    ck_assert_str_eq(settings[0], "tp.pct=0.02");
    ck_assert_str_eq(settings[1], "sl.pct=0.05");
    ck_assert_int_eq((int)strlen(definition.plan_hash), 64);
    sweep_free_definition(&definition);
}
END_TEST

static Suite *sweep_suite(void) {
    Suite *suite = suite_create("sweep");
    TCase *core = tcase_create("core");
    tcase_set_timeout(core, 60);
    tcase_add_test(core, test_fips_vectors);
    tcase_add_test(core, test_file_matches_portable);
    tcase_add_test(core, test_plan_arithmetic);
    suite_add_tcase(suite, core);
    return suite;
}

int main(void) {
    SRunner *runner = srunner_create(sweep_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
