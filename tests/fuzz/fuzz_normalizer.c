/* fuzz_normalizer.c -- fuzz target: the Binance frame normalizer (live/normalize).
 *
 * The input is a sequence of lines. Normally each line is one WebSocket
 * frame, given in order to one normalizer (so that an ACCOUNT_CONFIG_UPDATE
 * leverage reaches the frames after it), and to the small REST readers
 * (position mode, server time, listen key). When the first line is RESYNC,
 * the next three lines are the REST answers of a resync (account,
 * positionRisk, premiumIndex) for a kernel that holds BTCUSDT and SOLUSDT
 * and watches BTCUSDT and ETHUSDT. Checked: no crash or sanitizer finding,
 * and every event handed out is one the kernel can take (an id, 1 to
 * EVENT_ROWS_MAX facts, valid symbols, finite numbers). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "live/normalize.h"
#include "tests/fuzz/harness.h"

enum { FUZZ_FRAMES_MAX = 64 /* frames looked at per input */ };

/* The kernel's marks as the normalizer sees them: a fixed, small table. */
static bool fixed_marks(const void *context, const char *symbol, double *mark) {
    (void)context;
    static const struct {
        const char *symbol;
        double price;
    } marks[] = {{"BTCUSDT", 50000}, {"ETHUSDT", 3000}, {"BNBUSDT", 600}};
    for (size_t index = 0; index < sizeof marks / sizeof marks[0]; index++)
        if (strcmp(marks[index].symbol, symbol) == 0) {
            *mark = marks[index].price;
            return true;
        }
    return false;
}

/* Checks an event the normalizer handed out as FRAME_EVENT. */
static void check_event(const normalized_event *event, const char *report) {
    FUZZ_CHECK(strlen(report) < NORMALIZE_REPORT_CAPACITY);
    FUZZ_CHECK(event->event_id[0] != '\0' && strlen(event->event_id) < EVENT_ID_CAPACITY);
    FUZZ_CHECK(event->fact_count >= 1 && event->fact_count <= EVENT_ROWS_MAX);
    FUZZ_CHECK(isfinite(event->ts) && event->ts >= 0);
    for (size_t index = 0; index < event->fact_count; index++) {
        const exchange_fact *fact = &event->facts[index];
        FUZZ_CHECK(strlen(fact->symbol) < SYMBOL_CAPACITY);
        if (fact->type == FACT_FILL || fact->type == FACT_MARK || fact->type == FACT_POSITION)
            FUZZ_CHECK(fact->symbol[0] != '\0');
        if (fact->type == FACT_FILL) FUZZ_CHECK(fact->qty > 0 && fact->price > 0 && fact->fee >= 0);
        if (fact->type == FACT_MARK) FUZZ_CHECK(fact->price > 0);
        FUZZ_CHECK(isfinite(fact->qty) && isfinite(fact->price) && isfinite(fact->fee) &&
                   isfinite(fact->realized_pnl) && isfinite(fact->amount) && isfinite(fact->wallet_balance) &&
                   isfinite(fact->entry_price) && isfinite(fact->mark_price) && isfinite(fact->unrealized_pnl));
        FUZZ_CHECK(!fact->has_leverage || (isfinite(fact->leverage) && fact->leverage >= 1));
    }
}

/* Splits data into at most capacity lines (NUL-terminated copies in text). */
static size_t split_lines(const uint8_t *data, size_t size, char *text, char **lines, size_t *lengths,
                          size_t capacity) {
    memcpy(text, data, size);
    text[size] = '\0';
    size_t count = 0;
    char *start = text;
    while (count < capacity && start <= text + size) {
        char *end = memchr(start, '\n', (size_t)(text + size - start));
        if (end == NULL) end = text + size;
        *end = '\0';
        lines[count] = start;
        lengths[count] = (size_t)(end - start);
        count++;
        start = end + 1;
    }
    return count;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > FUZZ_INPUT_MAX) return 0;
    static char text[FUZZ_INPUT_MAX + 1];
    char *lines[FUZZ_FRAMES_MAX];
    size_t lengths[FUZZ_FRAMES_MAX];
    size_t count = split_lines(data, size, text, lines, lengths, FUZZ_FRAMES_MAX);
    static normalizer state;
    normalizer_init(&state, fixed_marks, NULL);
    static normalized_event event;
    char report[NORMALIZE_REPORT_CAPACITY];
    if (count >= 1 && strcmp(lines[0], "RESYNC") == 0) {
        static const char held[][SYMBOL_CAPACITY] = {"BTCUSDT", "SOLUSDT"};
        static const char watched[][SYMBOL_CAPACITY] = {"BTCUSDT", "ETHUSDT"};
        const char *account = count > 1 ? lines[1] : "";
        const char *risks = count > 2 ? lines[2] : "";
        const char *premium = count > 3 ? lines[3] : NULL;
        resync_inputs inputs = {.server_time_ms = 1700000000000LL, .sequence = 1, .account_json = account,
                                .position_risk_json = risks, .premium_json = premium, .held = held, .held_count = 2,
                                .watched = watched, .watched_count = 2};
        frame_kind kind = normalize_resync(&state, &inputs, &event, report);
        FUZZ_CHECK(kind == FRAME_EVENT || kind == FRAME_IGNORED || kind == FRAME_INVALID);
        if (kind == FRAME_EVENT) check_event(&event, report);
        return 0;
    }
    for (size_t index = 0; index < count; index++) {
        frame_kind kind = normalize_frame(&state, lines[index], lengths[index], &event, report);
        FUZZ_CHECK(kind >= FRAME_EVENT && kind <= FRAME_INVALID);
        if (kind == FRAME_EVENT) check_event(&event, report);
        if (kind == FRAME_INVALID) FUZZ_CHECK(report[0] != '\0');
        int mode = normalize_position_mode(lines[index]);
        FUZZ_CHECK(mode >= -1 && mode <= 1);
        long long server_time = -1;
        if (normalize_server_time(lines[index], &server_time)) FUZZ_CHECK(server_time >= 0);
        char listen_key[128];
        if (normalize_listen_key(lines[index], listen_key, sizeof listen_key))
            FUZZ_CHECK(listen_key[0] != '\0' && strlen(listen_key) < sizeof listen_key);
    }
    return 0;
}
