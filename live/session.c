/* session.c -- see session.h. */
#include "live/session.h"

#include <assert.h>
#include <cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/exit_status.h"
#include "core/number.h"
#include "io/atomic_file.h"
#include "io/run_output.h"
#include "io/scenario_writer.h"
#include "live/account_setup.h"
#include "live/exchange_rules.h"
#include "live/exits.h"
#include "live/log.h"
#include "live/normalize.h"
#include "live/pipeline.h"
#include "live/recovery.h"
#include "live/rest.h"
#include "live/route_urls.h"
#include "live/sign.h"
#include "live/ws.h"

enum {
    LISTEN_KEY_CAPACITY = 128,
    SERVICE_SLICE_MS = 50,
    RECOVERY_FILLS_MAX = 4 * RECOVERED_FILLS_MAX,
    RECOVERY_MARGIN_MS = 60000,           /* userTrades from this long before the last event */
    RESYNC_RETRY_MS = 1000,
    KEEPALIVE_RETRY_MS = 5000
};

/* The two WebSocket routes of the split endpoints. */
typedef enum { ROUTE_PRIVATE = 0, ROUTE_MARKET, ROUTE_COUNT } route_kind;
static const char *const route_names[ROUTE_COUNT] = {"private", "market"};

static volatile sig_atomic_t stop_requested = 0;

static void on_stop_signal(int number) {
    (void)number;
    stop_requested = 1;
}

void live_options_defaults(live_options *options) {
    memset(options, 0, sizeof *options);
    snprintf(options->rest_url, sizeof options->rest_url, "https://fapi.binance.com");
    snprintf(options->ws_url, sizeof options->ws_url, "wss://fstream.binance.com");
    config_defaults(&options->config);
    options->keepalive_interval_s = 1800;
    options->reconnect_initial_ms = 1000;
    options->reconnect_max_ms = 60000;
    options->state_interval_ms = 1000;
    options->recv_window_ms = 5000;
    /* The mark stream pushes every second (<symbol>@markPrice@1s); the
     * server pings every 3 minutes (websocket-market-streams page). */
    options->market_stall_ms = 10000;
    options->private_stall_ms = 200000;
    options->exit_alert_ms = 30000;
    options->rest_timeout_ms = REST_TIMEOUT_MS;
}

/* One route: its connection and reconnect state. */
typedef struct {
    live_ws socket;
    long long stall_limit_ms;
    long long next_connect_ms;            /* monotonic */
    long long connect_started_ms;
    long long opened_ms;
    long long ping_sent_ms;               /* 0: none outstanding */
    long backoff_ms;
    long handled_connections;
    bool closing_logged;
    long stalls;
} route;

typedef struct {
    const live_options *options;
    credentials keys;
    live_logger logger;
    rest_client rest;
    ws_loop loop;
    bool loop_ready;
    route routes[ROUTE_COUNT];
    exchange_rules rules;
    exit_desk exits;
    run_output outputs;
    bool outputs_open;
    scenario_writer record;
    bool record_open;
    pipeline flow;
    bool flow_ready;
    normalized_event *event;              /* scratch, heap */
    char symbols[SYMBOLS_MAX][SYMBOL_CAPACITY];   /* streamed marks: --symbols, open ones, held later */
    size_t symbol_count;
    char listen_key[LISTEN_KEY_CAPACITY];
    bool listen_key_expired;
    bool resync_due;
    bool gap_recovery_due;                /* the private route was lost: fetch the fills of the gap */
    bool resync_deferral_logged;
    long long resync_retry_ms;
    long long next_keepalive_ms;
    long resync_sequence;
    long subscribe_id;
    bool state_dirty;
    bool failed;                          /* a fatal error: stop */
    int exit_status;
    recovered_fill *recovered;            /* scratch, heap: RECOVERY_FILLS_MAX */
    long fills_recovered;
    long frames_invalid;
    long frames_ignored;
    long long started_server_ms;          /* the server time at start: a gap never starts before it */
    long intents_logged;
} session;

/* Marks the session failed with a message. */
static void session_fail(session *run, int status, const char *message) {
    live_log(&run->logger, "error", "%s", message);
    run->failed = true;
    if (run->exit_status == 0) run->exit_status = status;
}

/* Adds symbol to list (count entries, capacity SYMBOLS_MAX) unless present;
 * true when it was added. */
static bool add_symbol(char (*list)[SYMBOL_CAPACITY], size_t *count, const char *symbol) {
    for (size_t index = 0; index < *count; index++)
        if (strcmp(list[index], symbol) == 0) return false;
    if (*count == SYMBOLS_MAX) return false;
    snprintf(list[(*count)++], SYMBOL_CAPACITY, "%s", symbol);
    return true;
}

/* ---- URLs ---------------------------------------------------------------- */

bool live_print_urls(const live_options *options, FILE *stream) {
    char url[ROUTE_URL_CAPACITY];
    if (!route_private_url(options->ws_url, "<listenKey>", url, sizeof url)) return false;
    fprintf(stream, "private %s\n", url);
    if (options->symbol_count == 0) {
        fprintf(stream, "market  (opened once a position is held: no --symbols)\n");
        return true;
    }
    if (!route_market_url(options->ws_url, (const char(*)[SYMBOL_CAPACITY])options->symbols, options->symbol_count, url,
                    sizeof url))
        return false;
    fprintf(stream, "market  %s\n", url);
    return true;
}

/* ---- events --------------------------------------------------------------- */

/* Logs (dry run) or hands to the exit desk (--execute) the exit intents of
 * the event just applied. */
static void handle_intents(session *run) {
    const kernel *core = run->flow.core;
    for (size_t index = 0; index < core->intent_count; index++) {
        const exit_intent *intent = &core->intents[index];
        char qty[NUMBER_TEXT_CAPACITY], mark[NUMBER_TEXT_CAPACITY];
        number_format(intent->qty, qty);
        number_format(intent->mark, mark);
        int closing_side = intent->side == SIDE_LONG ? -1 : 1;
        const char *reason = exit_reason_name(intent->reason);
        run->intents_logged++;
        if (!run->options->execute) {
            live_log(&run->logger, "info",
                     "exit intent %s %s %s qty %s at mark %s: dry run, not sent (--execute sends it)", reason,
                     intent->symbol, closing_side > 0 ? "BUY" : "SELL", qty, mark);
            continue;
        }
        bool queued = exit_desk_fire(&run->exits, intent->symbol, closing_side, reason,
                                     core->projection.snapshot.ts, core->projection.snapshot.event_seq);
        live_log(&run->logger, "info", "exit intent %s %s %s qty %s at mark %s: %s", reason, intent->symbol,
                 closing_side > 0 ? "BUY" : "SELL", qty, mark,
                 queued ? "sizing a reduce-only MARKET order from the exchange's position"
                        : "an exit of this symbol is already under way");
    }
}

/* What the exit desk learns from an applied event: marks (a rejected exit
 * retries), the exchange positions (a flat one ends its exit). */
static void tell_exit_desk(session *run, const normalized_event *event) {
    if (!run->options->execute) return;
    const kernel *core = run->flow.core;
    for (size_t index = 0; index < event->fact_count; index++) {
        const exchange_fact *fact = &event->facts[index];
        if (fact->type == FACT_MARK) exit_desk_on_mark(&run->exits, fact->symbol);
        if (fact->type != FACT_POSITION || !exit_desk_active(&run->exits, fact->symbol)) continue;
        double qty = 0;
        for (size_t held = 0; held < core->exchange_count; held++)
            if (strcmp(core->exchange_positions[held].symbol, fact->symbol) == 0) qty = core->exchange_positions[held].qty;
        exit_desk_on_position(&run->exits, fact->symbol, qty);
    }
}

/* Applies one normalized event and handles what it produced. */
static void apply_event(session *run, const normalized_event *event) {
    pipeline_result result = pipeline_apply(&run->flow, event);
    if (result == PIPELINE_FAILED) {
        session_fail(run, EXIT_FAILED, run->flow.error);
        return;
    }
    if (result == PIPELINE_DUPLICATE) {
        live_log(&run->logger, "info", "event %s delivered again: skipped", event->event_id);
        return;
    }
    run->state_dirty = true;
    handle_intents(run);
    tell_exit_desk(run, event);
}

/* An ORDER_TRADE_UPDATE's clientOrderId and status, for the exit desk. */
static void order_update(session *run, const char *text, size_t length) {
    if (!run->options->execute || length < 20 || strstr(text, "ORDER_TRADE_UPDATE") == NULL) return;
    cJSON *root = cJSON_ParseWithLength(text, length);
    const cJSON *order = cJSON_GetObjectItemCaseSensitive(root, "o");
    const cJSON *client = cJSON_GetObjectItemCaseSensitive(order, "c");
    const cJSON *status = cJSON_GetObjectItemCaseSensitive(order, "X");
    if (cJSON_IsString(client) && cJSON_IsString(status))
        exit_desk_on_order_update(&run->exits, client->valuestring, status->valuestring);
    cJSON_Delete(root);
}

/* The message handler of both routes. */
static void on_message(void *context, const char *text, size_t length) {
    session *run = context;
    if (run->failed) return;
    if (length > 10 && strncmp(text, "{\"result\"", 9) == 0) {
        live_log(&run->logger, "info", "market route: %.*s", (int)(length < 200 ? length : 200), text);
        return; /* the answer to a SUBSCRIBE */
    }
    char report[NORMALIZE_REPORT_CAPACITY];
    frame_kind kind = normalize_frame(&run->flow.normal, text, length, run->event, report);
    if (run->event->flags & NORMALIZED_RESYNC) { /* a frame the stream cannot follow: REST decides */
        run->resync_due = true;
        run->gap_recovery_due = true;
    }
    switch (kind) {
    case FRAME_EVENT:
        if (report[0] != '\0') live_log(&run->logger, "warn", "%s", report);
        apply_event(run, run->event);
        order_update(run, text, length);
        break;
    case FRAME_IGNORED:
        run->frames_ignored++;
        if (report[0] != '\0')
            live_log(&run->logger, run->event->flags & NORMALIZED_ALERT ? "warn" : "info", "%s", report);
        order_update(run, text, length);
        break;
    case FRAME_LISTEN_KEY_EXPIRED:
        live_log(&run->logger, "warn", "listenKeyExpired: getting a new listenKey and reconnecting the private route");
        run->listen_key_expired = true;
        ws_request_close(&run->routes[ROUTE_PRIVATE].socket);
        break;
    case FRAME_INVALID:
        run->frames_invalid++;
        live_log(&run->logger, "warn", "frame refused: %s", report);
        break;
    }
}

/* Calls REST and logs a failure; true on success. */
static bool call(session *run, const char *method, const char *path, const char *params, rest_security security) {
    rest_status status = rest_call(&run->rest, method, path, params, security);
    if (status == REST_OK) return true;
    live_log(&run->logger, "error", "%s %s failed: %s", method, path, run->rest.error_message);
    return false;
}

/* ---- start ---------------------------------------------------------------- */

/* Whether symbol has the shape the scenario format can record. */
static bool recordable_symbol(const char *symbol) {
    for (const char *cursor = symbol; *cursor != '\0'; cursor++)
        if (!isupper((unsigned char)*cursor) && !isdigit((unsigned char)*cursor) && *cursor != '_' && *cursor != '-')
            return false;
    return symbol[0] != '\0';
}

/* The symbols whose marks are streamed: --symbols, plus every symbol with an
 * open position at start (so a position never goes without marks). */
static bool choose_symbols(session *run) {
    for (size_t index = 0; index < run->options->symbol_count; index++)
        add_symbol(run->symbols, &run->symbol_count, run->options->symbols[index]);
    if (!call(run, "GET", "/fapi/v2/positionRisk", "", REST_SIGNED)) return false;
    cJSON *risks = cJSON_Parse(run->rest.response.data);
    const cJSON *entry = NULL;
    cJSON_ArrayForEach(entry, risks) {
        const cJSON *symbol = cJSON_GetObjectItemCaseSensitive(entry, "symbol");
        const cJSON *amount = cJSON_GetObjectItemCaseSensitive(entry, "positionAmt");
        double quantity = 0;
        if (cJSON_IsString(symbol) && cJSON_IsString(amount) && strlen(symbol->valuestring) < SYMBOL_CAPACITY &&
            recordable_symbol(symbol->valuestring) &&
            number_parse(amount->valuestring, strlen(amount->valuestring), &quantity) && quantity != 0 &&
            add_symbol(run->symbols, &run->symbol_count, symbol->valuestring))
            live_log(&run->logger, "info", "streaming the mark of %s too (open position)", symbol->valuestring);
    }
    cJSON_Delete(risks);
    return true;
}

/* POST /fapi/v1/listenKey: a new (or the current) listen key. */
static bool create_listen_key(session *run) {
    if (!call(run, "POST", "/fapi/v1/listenKey", "", REST_API_KEY)) return false;
    if (!normalize_listen_key(run->rest.response.data, run->listen_key, sizeof run->listen_key)) {
        live_log(&run->logger, "error", "POST /fapi/v1/listenKey: no listenKey in the answer");
        return false;
    }
    live_logger_add_secret(&run->logger, run->listen_key);
    run->listen_key_expired = false;
    return true;
}

/* Credentials, a fresh --out, live.log. */
static bool start_local(session *run) {
    const live_options *options = run->options;
    char error[512];
    if (!credentials_load(&run->keys, options->key_file, error, sizeof error)) {
        fprintf(stderr, "ledgersim live: %s\n", error);
        run->exit_status = EXIT_BAD_INPUT;
        return false;
    }
    char existing[PATH_CAPACITY];
    snprintf(existing, sizeof existing, "%s/logs/reconcile.jsonl", options->out_directory);
    if (access(existing, F_OK) == 0) {
        fprintf(stderr,
                "ledgersim live: %s already holds a run's logs: give a new --out DIR (the recording must replay "
                "to the same files)\n",
                options->out_directory);
        run->exit_status = EXIT_BAD_INPUT;
        return false;
    }
    if (make_directories(options->out_directory) != 0) {
        fprintf(stderr, "ledgersim live: %s: %s\n", options->out_directory, strerror(errno));
        run->exit_status = EXIT_BAD_INPUT;
        return false;
    }
    char log_path[PATH_CAPACITY];
    snprintf(log_path, sizeof log_path, "%s/live.log", options->out_directory);
    if (live_logger_open(&run->logger, log_path, options->quiet) != 0) {
        fprintf(stderr, "ledgersim live: %s: cannot open\n", log_path);
        run->exit_status = EXIT_BAD_INPUT;
        return false;
    }
    live_logger_add_secret(&run->logger, run->keys.api_secret);
    live_logger_add_secret(&run->logger, run->keys.api_key);
    live_log(&run->logger, "info", "ledgersim live: REST %s, WebSocket %s, %s", options->rest_url, options->ws_url,
             options->execute ? "EXECUTE: exit orders are sent" : "dry run: exit orders are logged, not sent");
    return true;
}

/* exchangeInfo: the lot sizes exit orders are cut to, the weight limit. */
static bool read_exchange_rules(session *run) {
    if (!call(run, "GET", "/fapi/v1/exchangeInfo", "", REST_PUBLIC)) return false;
    char report[EXCHANGE_RULES_REPORT_CAPACITY];
    if (!exchange_rules_parse(&run->rules, run->rest.response.data, report)) {
        live_log(&run->logger, "error", "%s", report);
        return false;
    }
    if (run->rules.weight_limit_1m > 0) run->rest.weight_limit_1m = run->rules.weight_limit_1m;
    live_log(&run->logger, "info", "exchangeInfo: lot sizes of %zu symbols, request weight limit %ld a minute",
             run->rules.count, run->rest.weight_limit_1m);
    return true;
}

/* Multi-assets mode and a BNFCR account are refused (account_setup.h);
 * the other assets with a balance are listed once. */
static bool check_margin_setup(session *run) {
    char message[ACCOUNT_SETUP_MESSAGE_CAPACITY];
    if (!call(run, "GET", "/fapi/v1/multiAssetsMargin", "", REST_SIGNED)) {
        run->exit_status = run->rest.error_code != 0 ? EXIT_BAD_INPUT : EXIT_FAILED;
        return false;
    }
    account_setup_verdict verdict = account_setup_multi_assets(run->rest.response.data, message);
    if (verdict == ACCOUNT_SETUP_OK) {
        if (!call(run, "GET", "/fapi/v2/account", "", REST_SIGNED)) {
            run->exit_status = EXIT_FAILED;
            return false;
        }
        verdict = account_setup_assets(run->rest.response.data, message);
    }
    if (verdict != ACCOUNT_SETUP_OK) {
        session_fail(run, verdict == ACCOUNT_SETUP_REFUSED ? EXIT_BAD_INPUT : EXIT_FAILED, message);
        return false;
    }
    if (message[0] != '\0') live_log(&run->logger, "info", "%s", message);
    return true;
}

/* REST client, clock offset, one-way mode, margin setup, exchangeInfo. */
static bool start_account(session *run) {
    const live_options *options = run->options;
    if (rest_open(&run->rest, options->rest_url, &run->keys, &run->logger) != 0) {
        session_fail(run, EXIT_BAD_INPUT, "bad --rest-url");
        return false;
    }
    run->rest.recv_window_ms = options->recv_window_ms;
    run->rest.timeout_ms = options->rest_timeout_ms;
    long long server_time = 0;
    if (rest_sync_time(&run->rest, &server_time) != REST_OK) {
        session_fail(run, EXIT_FAILED, run->rest.error_message);
        return false;
    }
    live_log(&run->logger, "info", "server time offset %lld ms", run->rest.time_offset_ms);
    run->started_server_ms = server_time;
    if (!call(run, "GET", "/fapi/v1/positionSide/dual", "", REST_SIGNED)) {
        run->exit_status = run->rest.error_code != 0 ? EXIT_BAD_INPUT : EXIT_FAILED;
        return false;
    }
    int mode = normalize_position_mode(run->rest.response.data);
    if (mode != 0) {
        session_fail(run, EXIT_BAD_INPUT,
                     mode == 1 ? "refused: the account is in hedge mode (dualSidePosition true). ledgersim keys its "
                                 "ledger by symbol and supports one-way mode only: switch the account to one-way "
                                 "mode (POST /fapi/v1/positionSide/dual dualSidePosition=false) and start again"
                               : "GET /fapi/v1/positionSide/dual: no dualSidePosition in the answer");
        return false;
    }
    if (!check_margin_setup(run)) return false;
    if (!read_exchange_rules(run)) {
        session_fail(run, EXIT_FAILED, "cannot read exchangeInfo");
        return false;
    }
    exit_desk_init(&run->exits, &run->rest, &run->logger, &run->rules, options->exit_alert_ms);
    return true;
}

/* The record (with the --set rows), the state folder, the pipeline. */
static bool start_outputs(session *run) {
    const live_options *options = run->options;
    if (scenario_writer_open(&run->record, options->record_path) != 0) {
        session_fail(run, EXIT_BAD_INPUT, run->record.error);
        return false;
    }
    run->record_open = true;
    for (size_t index = 0; index < options->config_count; index++)
        if (scenario_writer_config(&run->record, options->config_keys[index], options->config_values[index]) != 0) {
            session_fail(run, EXIT_OUTPUT_ERROR, run->record.error);
            return false;
        }
    if (run_output_open(&run->outputs, options->out_directory, TRACE_FULL, true) != 0) {
        session_fail(run, EXIT_OUTPUT_ERROR, run->outputs.error);
        return false;
    }
    run->outputs_open = true;
    run->outputs.state_extension = exit_desk_render;
    run->outputs.state_extension_context = &run->exits;
    if (pipeline_init(&run->flow, &options->config, &run->record, &run->outputs) != 0) {
        session_fail(run, EXIT_FAILED, "out of memory");
        return false;
    }
    run->flow_ready = true;
    run->event = malloc(sizeof *run->event);
    run->recovered = malloc(RECOVERY_FILLS_MAX * sizeof *run->recovered);
    if (run->event == NULL || run->recovered == NULL) {
        session_fail(run, EXIT_FAILED, "out of memory");
        return false;
    }
    return true;
}

/* The event loop, the two routes, the watched symbols, a listen key. */
static bool start_streams(session *run) {
    const live_options *options = run->options;
    if (ws_loop_init(&run->loop, &run->logger) != 0) {
        session_fail(run, EXIT_FAILED, "cannot create the WebSocket loop");
        return false;
    }
    run->loop_ready = true;
    long long limits[ROUTE_COUNT] = {options->private_stall_ms, options->market_stall_ms};
    for (int kind = 0; kind < ROUTE_COUNT; kind++) {
        route *path = &run->routes[kind];
        ws_init(&path->socket, &run->loop, route_names[kind], on_message, run);
        path->stall_limit_ms = limits[kind];
        path->backoff_ms = options->reconnect_initial_ms;
        path->next_connect_ms = ws_monotonic_ms();
    }
    if (!choose_symbols(run) || !create_listen_key(run)) {
        run->failed = true;
        run->exit_status = EXIT_FAILED;
        return false;
    }
    run->next_keepalive_ms = ws_monotonic_ms() + options->keepalive_interval_s * 1000L;
    return true;
}

/* Start-up checks and resources; false when the session cannot start. */
static bool start(session *run) {
    if (!start_local(run)) return false;    /* keys, fresh --out, live.log */
    if (!start_account(run)) return false;  /* clock, position mode, exchangeInfo */
    if (!start_outputs(run)) return false;  /* record, state folder */
    return start_streams(run);              /* private and market routes */
}

/* After the private route was lost: the income and fills of the gap
 * (live/recovery.h), applied before the resync's state, oldest first.
 * Fills keep the stream's ids (T:SYMBOL:id) and cash its tranId
 * (I:TYPE:tranId), so what the stream did deliver is skipped. */
static bool recover_gap(session *run, const normalized_event *resync_event) {
    char symbols[SYMBOLS_MAX][SYMBOL_CAPACITY];
    size_t symbol_count = 0;
    const kernel *core = run->flow.core;
    for (size_t index = 0; index < core->book.count; index++)
        if (core->book.positions[index].qty != 0) add_symbol(symbols, &symbol_count, core->book.positions[index].symbol);
    for (size_t index = 0; index < core->exchange_count; index++)
        add_symbol(symbols, &symbol_count, core->exchange_positions[index].symbol);
    for (size_t index = 0; index < run->symbol_count; index++) add_symbol(symbols, &symbol_count, run->symbols[index]);
    for (size_t index = 0; index < resync_event->fact_count; index++)
        if (resync_event->facts[index].type == FACT_POSITION && resync_event->facts[index].qty != 0)
            add_symbol(symbols, &symbol_count, resync_event->facts[index].symbol);
    long long last_ms = run->flow.normal.last_user_event_ms;
    gap_recovery gap = {.rest = &run->rest, .logger = &run->logger, .normal = &run->flow.normal,
                        .start_ms = last_ms > run->started_server_ms ? last_ms : run->started_server_ms,
                        .end_ms = (long long)llround(resync_event->ts * 1000.0),
                        .trades_margin_ms = RECOVERY_MARGIN_MS,
                        .symbols = (const char(*)[SYMBOL_CAPACITY])symbols, .symbol_count = symbol_count,
                        .out = run->recovered, .capacity = RECOVERY_FILLS_MAX};
    gap_result found;
    if (!gap_recover(&gap, &found)) return false;
    long applied_before = run->flow.events_applied;
    for (size_t index = 0; index < found.events && !run->failed; index++) {
        normalized_event *single = run->event;
        snprintf(single->event_id, sizeof single->event_id, "%s", run->recovered[index].event_id);
        single->ts = run->recovered[index].ts;
        single->flags = 0;
        single->fact_count = 1;
        single->facts[0] = run->recovered[index].fact;
        apply_event(run, single);
    }
    long recovered = run->flow.events_applied - applied_before;
    run->fills_recovered += recovered;
    live_log(&run->logger, "info",
             "gap recovery from %lld to %lld ms: %ld income entries (funding, transfers), %ld trades in %ld symbols, "
             "%ld events the stream had lost", gap.start_ms, gap.end_ms, found.cash_entries, found.trades,
             found.symbols_asked, recovered);
    return !run->failed;
}

/* A full resync from REST, applied as one event (after the fills of the
 * gap when the private route was lost). */
static bool resync(session *run, bool reconnect) {
    long long server_time = 0;
    if (rest_sync_time(&run->rest, &server_time) != REST_OK) {
        live_log(&run->logger, "error", "resync: %s", run->rest.error_message);
        return false;
    }
    if (!call(run, "GET", "/fapi/v2/account", "", REST_SIGNED)) return false;
    char *account = strdup(run->rest.response.data);
    if (account == NULL) return false;
    bool ok = call(run, "GET", "/fapi/v2/positionRisk", "", REST_SIGNED);
    char *risks = ok ? strdup(run->rest.response.data) : NULL;
    ok = ok && risks != NULL && call(run, "GET", "/fapi/v1/premiumIndex", "", REST_PUBLIC);
    normalized_event *resync_event = ok ? malloc(sizeof *resync_event) : NULL;
    if (ok && resync_event != NULL) {
        char held[SYMBOLS_MAX][SYMBOL_CAPACITY];
        size_t held_count = pipeline_held_symbols(&run->flow, held);
        char report[NORMALIZE_REPORT_CAPACITY];
        resync_inputs inputs = {.server_time_ms = server_time, .sequence = ++run->resync_sequence,
                                .account_json = account, .position_risk_json = risks,
                                .premium_json = run->rest.response.data,
                                .held = (const char(*)[SYMBOL_CAPACITY])held, .held_count = held_count,
                                .watched = (const char(*)[SYMBOL_CAPACITY])run->symbols,
                                .watched_count = run->symbol_count};
        frame_kind kind = normalize_resync(&run->flow.normal, &inputs, resync_event, report);
        if (report[0] != '\0') live_log(&run->logger, kind == FRAME_INVALID ? "error" : "warn", "%s", report);
        ok = kind != FRAME_INVALID;
        if (ok && reconnect && run->flow.has_ts) ok = recover_gap(run, resync_event);
        if (ok && kind == FRAME_EVENT && !run->failed) {
            live_log(&run->logger, "info", "resync %s: %zu facts", resync_event->event_id, resync_event->fact_count);
            apply_event(run, resync_event);
        }
    } else {
        ok = false;
    }
    free(resync_event);
    free(account);
    free(risks);
    return ok && !run->failed;
}

/* Runs the resync that a route's (re)open made due, once no route is
 * still handshaking (one resync for both at start) and REST may be used:
 * during a 418 ban or a 429 pause it waits, and the streams stay up. */
static void resync_when_due(session *run, long long now) {
    if (!run->resync_due || now < run->resync_retry_ms) return;
    for (int kind = 0; kind < ROUTE_COUNT; kind++)
        if (run->routes[kind].socket.state == WS_CONNECTING) return;
    long long blocked = rest_blocked_ms(&run->rest, false);
    if (blocked > 0) {
        if (!run->resync_deferral_logged)
            live_log(&run->logger, "warn", "resync deferred %lld ms: %s; the streams stay connected", blocked,
                     run->rest.banned_until_ms > rest_local_time_ms()   ? "IP banned (HTTP 418)"
                     : run->rest.paused_until_ms > rest_local_time_ms() ? "rate limited (HTTP 429)"
                                                                        : "the minute's request weight is nearly used");
        run->resync_deferral_logged = true;
        return;
    }
    if (resync(run, run->gap_recovery_due)) {
        run->resync_due = false;
        run->gap_recovery_due = false;
        run->resync_deferral_logged = false;
    } else if (!run->failed) {
        live_log(&run->logger, "warn", "resync failed: retried in %d ms (the streams stay connected)", RESYNC_RETRY_MS);
        run->resync_retry_ms = now + RESYNC_RETRY_MS;
    }
}

/* Sends the queued exit orders (only with --execute). */
static void run_exits(session *run) {
    if (!run->options->execute) return;
    exit_desk_run(&run->exits);
    if (run->exits.changed) {
        run->exits.changed = false;
        run->state_dirty = true;
    }
}

/* Writes the state files when something changed (or when forced). */
static void write_state(session *run, bool force) {
    if (!run->outputs_open || (!run->state_dirty && !force)) return;
    if (run_output_state(&run->outputs, run->flow.core) != 0) {
        session_fail(run, EXIT_OUTPUT_ERROR, run->outputs.error);
        return;
    }
    if (run->record_open && scenario_writer_flush(&run->record) != 0) {
        session_fail(run, EXIT_OUTPUT_ERROR, run->record.error);
        return;
    }
    run->state_dirty = false;
}

/* ---- routes ----------------------------------------------------------------- */

/* Starts a connection of route kind when it is due. */
static void route_connect(session *run, route_kind kind, long long now) {
    route *path = &run->routes[kind];
    if (now < path->next_connect_ms) return;
    char url[ROUTE_URL_CAPACITY];
    if (kind == ROUTE_PRIVATE) {
        /* After a lost connection the key may have expired meanwhile: POST
         * returns the active key (extended 60 minutes) or a new one
         * (user-data-streams page), so it is asked again before reconnecting. */
        if ((run->listen_key_expired || path->handled_connections > 0 || path->socket.state == WS_CLOSED) &&
            !create_listen_key(run)) {
            path->next_connect_ms = now + path->backoff_ms;
            return;
        }
        if (!route_private_url(run->options->ws_url, run->listen_key, url, sizeof url)) {
            session_fail(run, EXIT_BAD_INPUT, "private route URL too long");
            return;
        }
    } else {
        if (run->symbol_count == 0) return; /* nothing to stream until a symbol is watched or held */
        if (!route_market_url(run->options->ws_url, (const char(*)[SYMBOL_CAPACITY])run->symbols, run->symbol_count, url,
                        sizeof url)) {
            session_fail(run, EXIT_BAD_INPUT, "market route URL too long: fewer --symbols");
            return;
        }
    }
    live_log(&run->logger, "info", "connecting %s route: %s", route_names[kind], url);
    path->closing_logged = false;
    path->connect_started_ms = now;
    path->ping_sent_ms = 0;
    if (ws_connect(&path->socket, url) != 0) live_log(&run->logger, "warn", "connect: %s", path->socket.reason);
}

/* A closed route: log why once, schedule the reconnect with backoff. */
static void route_closed(session *run, route_kind kind, long long now) {
    route *path = &run->routes[kind];
    if (path->closing_logged) return;
    bool immediate = kind == ROUTE_PRIVATE && run->listen_key_expired;
    live_log(&run->logger, "warn", "%s route closed (%s): reconnecting in %ld ms", route_names[kind],
             path->socket.reason, immediate ? 0L : path->backoff_ms);
    path->closing_logged = true;
    if (immediate) {
        path->next_connect_ms = now;
        return;
    }
    path->next_connect_ms = now + path->backoff_ms;
    long doubled = path->backoff_ms * 2;
    path->backoff_ms = doubled > run->options->reconnect_max_ms ? run->options->reconnect_max_ms : doubled;
}

/* The watchdog of an open (or handshaking) route: a ping half-way through
 * the stall limit, a drop at the limit. */
static void route_watch(session *run, route_kind kind, long long now) {
    route *path = &run->routes[kind];
    live_ws *socket = &path->socket;
    if (socket->state == WS_CONNECTING) {
        if (now - path->connect_started_ms >= path->stall_limit_ms) {
            live_log(&run->logger, "warn", "handshake not done after %.3g s on %s: dropping it",
                     (double)(now - path->connect_started_ms) / 1000.0, route_names[kind]);
            ws_abort(socket, "handshake timeout");
        }
        return;
    }
    if (socket->state != WS_OPEN) return;
    if (socket->last_activity_ms > path->opened_ms) path->backoff_ms = run->options->reconnect_initial_ms;
    if (path->ping_sent_ms != 0 && socket->last_activity_ms >= path->ping_sent_ms) path->ping_sent_ms = 0;
    long long quiet = now - socket->last_activity_ms;
    if (quiet >= path->stall_limit_ms) {
        path->stalls++;
        char reason[WS_REASON_CAPACITY];
        /* Whole seconds from 10 s on ("no frame for 12 s on market"), tenths below. */
        if (quiet >= 10000) snprintf(reason, sizeof reason, "no frame for %lld s on %s", quiet / 1000, route_names[kind]);
        else snprintf(reason, sizeof reason, "no frame for %.1f s on %s", (double)(quiet / 100) / 10.0, route_names[kind]);
        live_log(&run->logger, "warn", "%s: dropping it, then reconnect and resync", reason);
        ws_abort(socket, reason);
    } else if (quiet >= path->stall_limit_ms / 2 && path->ping_sent_ms == 0) {
        path->ping_sent_ms = now;
        ws_ping(socket);
    }
}

/* After a service slice: a route that just opened makes a resync due. */
static void route_opened(session *run, route_kind kind, long long now) {
    route *path = &run->routes[kind];
    if (path->socket.state != WS_OPEN || path->socket.connections_opened <= path->handled_connections) return;
    path->handled_connections = path->socket.connections_opened;
    path->opened_ms = path->socket.last_activity_ms;
    live_log(&run->logger, "info", "%s route open (connection %ld): full resync from REST", route_names[kind],
             path->handled_connections);
    run->resync_due = true;
    run->resync_retry_ms = now;
    if (kind == ROUTE_PRIVATE && path->handled_connections > 1) run->gap_recovery_due = true;
}

/* Connect, watch, note openings and closings of both routes. */
static void maintain_routes(session *run, long long now, bool after_service) {
    for (int kind = 0; kind < ROUTE_COUNT; kind++) {
        live_ws *socket = &run->routes[kind].socket;
        if (after_service) {
            route_opened(run, (route_kind)kind, now);
            continue;
        }
        if (socket->state == WS_CLOSED) route_closed(run, (route_kind)kind, now);
        if (socket->state == WS_IDLE || socket->state == WS_CLOSED) route_connect(run, (route_kind)kind, now);
        else route_watch(run, (route_kind)kind, now);
    }
}

/* Marks for every held symbol: a position in a symbol whose mark is not
 * streamed is subscribed on the open market route (SUBSCRIBE, the
 * Live-Subscribing-Unsubscribing-to-streams page), or joins the URL of the
 * next market connection. */
static void subscribe_held(session *run) {
    const kernel *core = run->flow.core;
    for (size_t index = 0; index < core->exchange_count; index++) {
        const char *symbol = core->exchange_positions[index].symbol;
        if (!add_symbol(run->symbols, &run->symbol_count, symbol)) continue;
        live_ws *market = &run->routes[ROUTE_MARKET].socket;
        char request[ROUTE_URL_CAPACITY];
        if (!route_subscribe_request(symbol, ++run->subscribe_id, request, sizeof request)) continue;
        bool sent = market->state == WS_OPEN && ws_send_text(market, request);
        live_log(&run->logger, "info", "position in %s, whose mark was not streamed: %s", symbol,
                 sent ? "SUBSCRIBE sent on the market route" : "it joins the next market connection");
    }
}

/* PUT /fapi/v1/listenKey when due. Only -1125 (the key does not exist)
 * replaces the key; a rate limit or a transport error retries soon. */
static void keep_listen_key_alive(session *run, long long now) {
    if (now < run->next_keepalive_ms || run->listen_key[0] == '\0' || run->listen_key_expired) return;
    char params[LISTEN_KEY_CAPACITY + 16];
    snprintf(params, sizeof params, "listenKey=%s", run->listen_key);
    rest_status status = rest_call(&run->rest, "PUT", "/fapi/v1/listenKey", params, REST_API_KEY);
    if (status == REST_OK) {
        live_log(&run->logger, "info", "listenKey kept alive");
        run->next_keepalive_ms = now + run->options->keepalive_interval_s * 1000L;
    } else if (status == REST_API_ERROR && run->rest.error_code == -1125) {
        live_log(&run->logger, "warn", "listenKey keepalive: %s: replacing it", run->rest.error_message);
        run->listen_key_expired = true;
        ws_request_close(&run->routes[ROUTE_PRIVATE].socket);
        run->next_keepalive_ms = now + run->options->keepalive_interval_s * 1000L;
    } else {
        long long retry_ms = status == REST_RATE_LIMITED ? rest_blocked_ms(&run->rest, true) + 1 : KEEPALIVE_RETRY_MS;
        live_log(&run->logger, "warn", "listenKey keepalive not done (%s): retried in %lld ms", run->rest.error_message,
                 retry_ms);
        run->next_keepalive_ms = now + retry_ms;
    }
}

/* The event loop: both routes, resync, exits, keepalive, state files. */
static void loop(session *run) {
    const live_options *options = run->options;
    long long started = ws_monotonic_ms();
    long long last_state = started;
    while (!stop_requested && !run->failed) {
        long long now = ws_monotonic_ms();
        if (options->duration_s > 0 && (double)(now - started) >= options->duration_s * 1000.0) break;
        maintain_routes(run, now, false);
        ws_loop_service(&run->loop, SERVICE_SLICE_MS);
        now = ws_monotonic_ms();
        maintain_routes(run, now, true);
        resync_when_due(run, now);
        subscribe_held(run);
        run_exits(run);
        keep_listen_key_alive(run, now);
        if (now - last_state >= options->state_interval_ms) {
            last_state = now;
            write_state(run, false);
        }
    }
}

/* Closes both routes and the loop. */
static void close_routes(session *run) {
    if (!run->loop_ready) return;
    for (int kind = 0; kind < ROUTE_COUNT; kind++) ws_request_close(&run->routes[kind].socket);
    for (int round = 0; round < 20; round++) {
        bool open = false;
        for (int kind = 0; kind < ROUTE_COUNT; kind++)
            open = open || run->routes[kind].socket.state == WS_OPEN || run->routes[kind].socket.state == WS_CONNECTING;
        if (!open) break;
        ws_loop_service(&run->loop, SERVICE_SLICE_MS);
    }
    ws_loop_destroy(&run->loop);
    for (int kind = 0; kind < ROUTE_COUNT; kind++) ws_free(&run->routes[kind].socket);
    run->loop_ready = false;
}

/* Closes the streams and the listen key, writes the final state files. */
static void finish(session *run) {
    close_routes(run);
    if (run->listen_key[0] != '\0' && run->rest.curl != NULL) {
        char params[LISTEN_KEY_CAPACITY + 16];
        snprintf(params, sizeof params, "listenKey=%s", run->listen_key);
        if (rest_call(&run->rest, "DELETE", "/fapi/v1/listenKey", params, REST_API_KEY) == REST_OK)
            live_log(&run->logger, "info", "listenKey closed");
        else
            live_log(&run->logger, "warn", "listenKey close failed: %s", run->rest.error_message);
    }
    if (run->outputs_open && run->flow_ready) {
        if (run_output_state(&run->outputs, run->flow.core) != 0 || run_output_commit(&run->outputs) != 0) {
            live_log(&run->logger, "error", "state files: %s", run->outputs.error);
            if (run->exit_status == 0) run->exit_status = EXIT_FAILED;
        }
        run_output_close(&run->outputs);
    }
    if (run->record_open && scenario_writer_close(&run->record) != 0) {
        live_log(&run->logger, "error", "record: %s", run->record.error);
        if (run->exit_status == 0) run->exit_status = EXIT_FAILED;
    }
    char unapplied[NORMALIZE_REPORT_CAPACITY];
    if (run->flow_ready && normalizer_unapplied_summary(&run->flow.normal, unapplied, sizeof unapplied) > 0)
        live_log(&run->logger, "info", "events received and not applied: %s", unapplied);
    const route *routes = run->routes;
    if (run->flow_ready)
        live_log(&run->logger, "info",
                 "stopped: %ld events applied, %ld duplicates skipped, %ld frames refused, %ld fills recovered, "
                 "%ld exit intents, %ld order requests (%ld rejected, %ld alerts), %ld REST requests, reconnects "
                 "private %ld market %ld, stalls private %ld market %ld, %ld ts raised",
                 run->flow.events_applied, run->flow.duplicates, run->frames_invalid, run->fills_recovered,
                 run->intents_logged, run->exits.orders_sent, run->exits.rejections, run->exits.alerts,
                 run->rest.requests_sent,
                 routes[ROUTE_PRIVATE].handled_connections > 0 ? routes[ROUTE_PRIVATE].handled_connections - 1 : 0,
                 routes[ROUTE_MARKET].handled_connections > 0 ? routes[ROUTE_MARKET].handled_connections - 1 : 0,
                 routes[ROUTE_PRIVATE].stalls, routes[ROUTE_MARKET].stalls, run->flow.ts_raised);
    rest_close(&run->rest);
    exchange_rules_free(&run->rules);
    if (run->flow_ready) pipeline_free(&run->flow);
    free(run->event);
    free(run->recovered);
    credentials_wipe(&run->keys);
    live_logger_close(&run->logger);
}

int live_session_run(const live_options *options) {
    session *run = calloc(1, sizeof *run);
    if (run == NULL) return EXIT_FAILED;
    run->options = options;
    run->logger.descriptor = -1;
    stop_requested = 0;
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_stop_signal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, NULL);
    sigaction(SIGTERM, &action, NULL);
    signal(SIGPIPE, SIG_IGN);
    if (start(run)) loop(run);
    if (stop_requested) live_log(&run->logger, "info", "signal received: stopping");
    finish(run);
    int status = run->exit_status;
    free(run);
    return status;
}
