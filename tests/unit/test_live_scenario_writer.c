/* test_live_scenario_writer.c -- io/scenario_writer.c and live/pipeline.c:
 * the exact rows a record holds (header, config, one row per fact, numbers
 * in canonical round-trip form, quoting), refusals (an existing file, a
 * config row after a timed row, a decreasing ts), and the pipeline's
 * scenario semantics (ts raised when the exchange's time goes back, an
 * adjacent redelivery separated by an expect row and skipped by the kernel). */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/config.h"
#include "core/number.h"
#include "io/scenario_writer.h"
#include "live/pipeline.h"

static char path[64];

static void fresh_path(void) {
    snprintf(path, sizeof path, "/tmp/ledgersim-record-XXXXXX");
    int descriptor = mkstemp(path);
    ck_assert_int_ge(descriptor, 0);
    close(descriptor);
    unlink(path);
}

/* Reads the whole file at path (static buffer). */
static const char *slurp(void) {
    static char text[16384];
    FILE *file = fopen(path, "r");
    ck_assert_ptr_nonnull(file);
    size_t length = fread(text, 1, sizeof text - 1, file);
    fclose(file);
    text[length] = '\0';
    return text;
}

START_TEST(test_rows_exactly) {
    fresh_path();
    scenario_writer writer;
    ck_assert_int_eq(scenario_writer_open(&writer, path), 0);
    ck_assert_int_eq(scenario_writer_config(&writer, "seed_capital", "10000"), 0);
    exchange_fact facts[3];
    memset(facts, 0, sizeof facts);
    facts[0].type = FACT_FILL;
    snprintf(facts[0].symbol, SYMBOL_CAPACITY, "BTCUSDT");
    facts[0].side = -1;
    facts[0].qty = 0.1 + 0.2; /* 0.30000000000000004 must survive */
    facts[0].price = 50000;
    facts[0].fee = 0.2;
    facts[0].realized_pnl = -1.5;
    facts[0].has_leverage = true;
    facts[0].leverage = 20;
    facts[1].type = FACT_FUNDING;
    facts[1].amount = 0.5;
    facts[2].type = FACT_BALANCE;
    facts[2].wallet_balance = 9999.3;
    ck_assert_int_eq(scenario_writer_event(&writer, "AU:1:2", 1767225600.25, facts, 3), 0);
    exchange_fact position;
    memset(&position, 0, sizeof position);
    position.type = FACT_POSITION;
    snprintf(position.symbol, SYMBOL_CAPACITY, "ETH,\"USDT\"");
    position.qty = -1.5;
    position.entry_price = 3000;
    position.mark_price = 3010;
    position.unrealized_pnl = -15;
    ck_assert_int_eq(scenario_writer_event(&writer, "P:1", 1767225601, &position, 1), 0);
    exchange_fact mark;
    memset(&mark, 0, sizeof mark);
    mark.type = FACT_MARK;
    snprintf(mark.symbol, SYMBOL_CAPACITY, "BTCUSDT");
    mark.price = 1e-7;
    ck_assert_int_eq(scenario_writer_event(&writer, "M:BTCUSDT:1", 1767225601, &mark, 1), 0);
    exchange_fact cash[2]; /* format 1.1 */
    memset(cash, 0, sizeof cash);
    cash[0].type = FACT_TRANSFER;
    cash[0].amount = -250.5;
    cash[1].type = FACT_LEVERAGE;
    snprintf(cash[1].symbol, SYMBOL_CAPACITY, "币安人生USDT");
    cash[1].has_leverage = true;
    cash[1].leverage = 12.5;
    ck_assert_int_eq(scenario_writer_event(&writer, "AC:1", 1767225601, cash, 2), 0);
    ck_assert_int_eq(scenario_writer_expect(&writer, 1767225601, "duplicates_skipped", "0"), 0);
    ck_assert_int_eq(scenario_writer_close(&writer), 0);
    ck_assert_str_eq(slurp(),
        "ts,event_id,type,symbol,side,qty,price,fee,realized_pnl,amount,wallet_balance,available_margin,"
        "used_margin,maint_margin,entry_price,mark_price,unrealized_pnl,leverage,key,value\n"
        ",,config,,,,,,,,,,,,,,,,seed_capital,10000\n"
        "1767225600.25,AU:1:2,fill,BTCUSDT,SELL,0.30000000000000004,50000,0.2,-1.5,,,,,,,,,20,,\n"
        "1767225600.25,AU:1:2,funding,,,,,,,0.5,,,,,,,,,,\n"
        "1767225600.25,AU:1:2,balance,,,,,,,,9999.3,0,0,0,,,,,,\n"
        "1767225601,P:1,position,\"ETH,\"\"USDT\"\"\",,-1.5,,,,,,,,,3000,3010,-15,,,\n"
        "1767225601,M:BTCUSDT:1,mark,BTCUSDT,,,1e-07,,,,,,,,,,,,,\n"
        "1767225601,AC:1,transfer,,,,,,,-250.5,,,,,,,,,,\n"
        "1767225601,AC:1,leverage,币安人生USDT,,,,,,,,,,,,,,12.5,,\n"
        "1767225601,,expect,,,,,,,,,,,,,,,,duplicates_skipped,0\n");
    /* every number read back is the same double */
    double back = 0;
    ck_assert(number_parse("0.30000000000000004", 19, &back) && back == 0.1 + 0.2);
    /* an existing record is never overwritten */
    scenario_writer again;
    ck_assert_int_eq(scenario_writer_open(&again, path), -1);
    ck_assert(strstr(again.error, "never overwritten") != NULL);
    scenario_writer_close(&again);
    unlink(path);
}
END_TEST

START_TEST(test_refusals) {
    fresh_path();
    scenario_writer writer;
    ck_assert_int_eq(scenario_writer_open(&writer, path), 0);
    exchange_fact mark;
    memset(&mark, 0, sizeof mark);
    mark.type = FACT_MARK;
    snprintf(mark.symbol, SYMBOL_CAPACITY, "BTCUSDT");
    mark.price = 1;
    ck_assert_int_eq(scenario_writer_event(&writer, "M:1", 10, &mark, 1), 0);
    ck_assert_int_eq(scenario_writer_config(&writer, "seed_capital", "1"), -1);
    ck_assert_int_eq(scenario_writer_event(&writer, "M:2", 9.5, &mark, 1), -1);
    ck_assert_int_eq(scenario_writer_close(&writer), 0);
    unlink(path);
}
END_TEST

/* Counts lines of the record containing needle. */
static int count_lines(const char *text, const char *needle) {
    int count = 0;
    for (const char *line = text; line != NULL && *line != '\0';) {
        const char *end = strchr(line, '\n');
        size_t length = end != NULL ? (size_t)(end - line) : strlen(line);
        char copy[512];
        snprintf(copy, sizeof copy, "%.*s", (int)length, line);
        if (strstr(copy, needle) != NULL) count++;
        line = end != NULL ? end + 1 : NULL;
    }
    return count;
}

START_TEST(test_pipeline_semantics) {
    fresh_path();
    scenario_writer writer;
    ck_assert_int_eq(scenario_writer_open(&writer, path), 0);
    kernel_config config;
    config_defaults(&config);
    pipeline flow;
    ck_assert_int_eq(pipeline_init(&flow, &config, &writer, NULL), 0);
    normalized_event *event = calloc(1, sizeof *event);
    ck_assert_ptr_nonnull(event);
    char report[NORMALIZE_REPORT_CAPACITY];
    const char *mark = "{\"e\":\"markPriceUpdate\",\"E\":1767225605000,\"s\":\"BTCUSDT\",\"p\":\"50000\"}";
    const char *fill = "{\"e\":\"ORDER_TRADE_UPDATE\",\"E\":1767225601000,\"T\":1767225601000,\"o\":{\"s\":\"BTCUSDT\","
                       "\"S\":\"BUY\",\"x\":\"TRADE\",\"l\":\"0.01\",\"L\":\"50000\",\"n\":\"0.2\",\"N\":\"USDT\","
                       "\"t\":7,\"rp\":\"0\",\"ps\":\"BOTH\"}}";
    ck_assert_int_eq(normalize_frame(&flow.normal, mark, strlen(mark), event, report), FRAME_EVENT);
    ck_assert_int_eq(pipeline_apply(&flow, event), PIPELINE_APPLIED);
    /* the fill's E is 4 s older than the mark: its ts is raised */
    ck_assert_int_eq(normalize_frame(&flow.normal, fill, strlen(fill), event, report), FRAME_EVENT);
    ck_assert_int_eq(pipeline_apply(&flow, event), PIPELINE_APPLIED);
    ck_assert_int_eq(flow.ts_raised, 1);
    ck_assert(flow.core->event_ts == 1767225605.0);
    /* adjacent redelivery: separated, recorded, skipped */
    ck_assert_int_eq(pipeline_apply(&flow, event), PIPELINE_DUPLICATE);
    ck_assert_int_eq(flow.core->duplicates_skipped, 1);
    ck_assert_int_eq(flow.events_applied, 2);
    ck_assert_int_eq(scenario_writer_close(&writer), 0);
    const char *text = slurp();
    ck_assert_int_eq(count_lines(text, "T:BTCUSDT:7"), 2);
    ck_assert_int_eq(count_lines(text, ",expect,"), 1);
    ck_assert(strstr(text, "1767225605,T:BTCUSDT:7,fill,BTCUSDT,BUY,0.01,50000,0.2,0,,,,,,,,,,,\n"
                           "1767225605,,expect,,,,,,,,,,,,,,,,duplicates_skipped,0\n"
                           "1767225605,T:BTCUSDT:7,fill,") != NULL);
    free(event);
    pipeline_free(&flow);
    unlink(path);
}
END_TEST

static Suite *writer_suite(void) {
    Suite *suite = suite_create("live_scenario_writer");
    TCase *core = tcase_create("core");
    tcase_add_test(core, test_rows_exactly);
    tcase_add_test(core, test_refusals);
    tcase_add_test(core, test_pipeline_semantics);
    suite_add_tcase(suite, core);
    return suite;
}

int main(void) {
    SRunner *runner = srunner_create(writer_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
