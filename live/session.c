/* session.c -- see session.h. */
#include "live/session.h"

#include <assert.h>
#include <cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/commands.h"
#include "core/number.h"
#include "io/atomic_file.h"
#include "io/run_output.h"
#include "io/scenario_writer.h"
#include "live/log.h"
#include "live/normalize.h"
#include "live/pipeline.h"
#include "live/rest.h"
#include "live/sign.h"
#include "live/ws.h"

enum {
    LISTEN_KEY_CAPACITY = 128,
    STREAM_URL_CAPACITY = WS_URL_CAPACITY,
    PENDING_ORDERS_MAX = SYMBOLS_MAX,
    SERVICE_SLICE_MS = 50,
    RECOVERY_FILLS_MAX = 4 * RECOVERED_FILLS_MAX,
    RECOVERY_MARGIN_MS = 60000            /* userTrades from this long before the last event */
};

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
}

/* A monotonic clock in ms, for timers (never written to outputs). */
static long long monotonic_ms(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

/* One exit order to send after the event loop slice. */
typedef struct {
    char symbol[SYMBOL_CAPACITY];
    int side;                 /* +1 BUY, -1 SELL: the closing side */
    double qty;
    long event_seq;
} pending_order;

typedef struct {
    const live_options *options;
    credentials keys;
    live_logger logger;
    rest_client rest;
    live_ws socket;
    run_output outputs;
    bool outputs_open;
    scenario_writer record;
    bool record_open;
    pipeline flow;
    bool flow_ready;
    normalized_event *event;              /* scratch, heap */
    char symbols[SYMBOLS_MAX][SYMBOL_CAPACITY];   /* streamed marks: --symbols + open at start */
    size_t symbol_count;
    char listen_key[LISTEN_KEY_CAPACITY];
    bool listen_key_expired;
    long resync_sequence;
    bool state_dirty;
    bool failed;                          /* a fatal error: stop */
    int exit_status;
    recovered_fill *recovered;            /* scratch, heap: RECOVERY_FILLS_MAX */
    long fills_recovered;
    pending_order orders[PENDING_ORDERS_MAX];
    size_t order_count;
    long frames_invalid;
    long frames_ignored;
    bool resync_requested;            /* a frame left state the stream cannot follow (NORMALIZED_RESYNC) */
    long intents_logged;
} session;

/* Marks the session failed with a message. */
static void session_fail(session *run, int status, const char *message) {
    live_log(&run->logger, "error", "%s", message);
    run->failed = true;
    if (run->exit_status == 0) run->exit_status = status;
}

/* Queues (or logs, in dry run) the exit intents of the event just applied. */
static void handle_intents(session *run) {
    const kernel *core = run->flow.core;
    for (size_t index = 0; index < core->intent_count; index++) {
        const exit_intent *intent = &core->intents[index];
        char qty[NUMBER_TEXT_CAPACITY], mark[NUMBER_TEXT_CAPACITY];
        number_format(intent->qty, qty);
        number_format(intent->mark, mark);
        int closing_side = intent->side == SIDE_LONG ? -1 : 1;
        run->intents_logged++;
        if (!run->options->execute) {
            live_log(&run->logger, "info",
                     "exit intent %s %s %s qty %s at mark %s: dry run, not sent (--execute sends it)",
                     exit_reason_name(intent->reason), intent->symbol, closing_side > 0 ? "BUY" : "SELL", qty, mark);
            continue;
        }
        if (run->order_count == PENDING_ORDERS_MAX) {
            live_log(&run->logger, "error", "exit intent %s dropped: order queue full", intent->symbol);
            continue;
        }
        pending_order *order = &run->orders[run->order_count++];
        snprintf(order->symbol, sizeof order->symbol, "%s", intent->symbol);
        order->side = closing_side;
        order->qty = intent->qty;
        order->event_seq = core->projection.snapshot.event_seq;
        live_log(&run->logger, "info", "exit intent %s %s %s qty %s at mark %s: sending a reduce-only MARKET order",
                 exit_reason_name(intent->reason), intent->symbol, closing_side > 0 ? "BUY" : "SELL", qty, mark);
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
}

/* The WebSocket message handler. */
static void on_message(void *context, const char *text, size_t length) {
    session *run = context;
    if (run->failed) return;
    char report[NORMALIZE_REPORT_CAPACITY];
    frame_kind kind = normalize_frame(&run->flow.normal, text, length, run->event, report);
    if (run->event->flags & NORMALIZED_RESYNC) run->resync_requested = true;
    switch (kind) {
    case FRAME_EVENT:
        if (report[0] != '\0') live_log(&run->logger, "warn", "%s", report);
        apply_event(run, run->event);
        break;
    case FRAME_IGNORED:
        run->frames_ignored++;
        if (report[0] != '\0')
            live_log(&run->logger, run->event->flags & NORMALIZED_ALERT ? "warn" : "info", "%s", report);
        break;
    case FRAME_LISTEN_KEY_EXPIRED:
        live_log(&run->logger, "warn", "listenKeyExpired: getting a new listenKey and reconnecting");
        run->listen_key_expired = true;
        ws_request_close(&run->socket);
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

static void add_symbol(char (*list)[SYMBOL_CAPACITY], size_t *count, const char *symbol);

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
            number_parse(amount->valuestring, strlen(amount->valuestring), &quantity) && quantity != 0) {
            size_t before = run->symbol_count;
            add_symbol(run->symbols, &run->symbol_count, symbol->valuestring);
            if (run->symbol_count > before)
                live_log(&run->logger, "info", "streaming the mark of %s too (open position)", symbol->valuestring);
        }
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

/* The combined-stream URL: the listen key and each watched mark stream. */
static bool stream_url(session *run, char *out, size_t capacity) {
    size_t base_length = strlen(run->options->ws_url);
    while (base_length > 0 && run->options->ws_url[base_length - 1] == '/') base_length--;
    int length = snprintf(out, capacity, "%.*s/stream?streams=%s", (int)base_length, run->options->ws_url,
                          run->listen_key);
    if (length < 0 || (size_t)length >= capacity) return false;
    for (size_t index = 0; index < run->symbol_count; index++) {
        char lower[SYMBOL_CAPACITY];
        const char *symbol = run->symbols[index];
        size_t cursor = 0;
        for (; symbol[cursor] != '\0'; cursor++) lower[cursor] = (char)tolower((unsigned char)symbol[cursor]);
        lower[cursor] = '\0';
        int added = snprintf(out + length, capacity - (size_t)length, "/%s@markPrice@1s", lower);
        if (added < 0 || (size_t)(length + added) >= capacity) return false;
        length += added;
    }
    return true;
}

/* Adds symbol to list (count entries, capacity SYMBOLS_MAX) unless present. */
static void add_symbol(char (*list)[SYMBOL_CAPACITY], size_t *count, const char *symbol) {
    for (size_t index = 0; index < *count; index++)
        if (strcmp(list[index], symbol) == 0) return;
    if (*count < SYMBOLS_MAX) snprintf(list[(*count)++], SYMBOL_CAPACITY, "%s", symbol);
}

/* Orders recovered fills by time, then id (stable and deterministic). */
static int compare_fills(const void *left, const void *right) {
    const recovered_fill *a = left, *b = right;
    if (a->ts != b->ts) return a->ts < b->ts ? -1 : 1;
    return strcmp(a->event_id, b->event_id);
}

/* After a reconnect: the fills of the gap from /fapi/v1/userTrades, applied
 * before the resync's state. Their ids are the stream's (T:SYMBOL:id), so
 * the fills the stream did deliver are skipped as duplicates. */
static bool recover_fills(session *run, const normalized_event *resync_event) {
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
    long long start_ms = (long long)(run->flow.last_ts * 1000.0) - RECOVERY_MARGIN_MS;
    if (start_ms < 0) start_ms = 0;
    size_t total = 0;
    for (size_t index = 0; index < symbol_count; index++) {
        char params[128];
        snprintf(params, sizeof params, "symbol=%s&startTime=%lld&limit=1000", symbols[index], start_ms);
        if (!call(run, "GET", "/fapi/v1/userTrades", params, REST_SIGNED)) return false;
        char report[NORMALIZE_REPORT_CAPACITY];
        size_t room = RECOVERY_FILLS_MAX - total;
        long count = normalize_user_trades(&run->flow.normal, run->rest.response.data, run->recovered + total,
                                           room < RECOVERED_FILLS_MAX ? room : RECOVERED_FILLS_MAX, report);
        if (report[0] != '\0') live_log(&run->logger, count < 0 ? "error" : "warn", "%s", report);
        if (count < 0) return false;
        if (count == RECOVERED_FILLS_MAX)
            live_log(&run->logger, "warn", "userTrades %s: a full page; older fills of the gap may be missing",
                     symbols[index]);
        total += (size_t)count;
    }
    qsort(run->recovered, total, sizeof run->recovered[0], compare_fills);
    long applied_before = run->flow.events_applied;
    for (size_t index = 0; index < total && !run->failed; index++) {
        normalized_event *single = run->event;
        snprintf(single->event_id, sizeof single->event_id, "%s", run->recovered[index].event_id);
        single->ts = run->recovered[index].ts;
        single->fact_count = 1;
        single->facts[0] = run->recovered[index].fact;
        pipeline_result result = pipeline_apply(&run->flow, single);
        if (result == PIPELINE_FAILED) {
            session_fail(run, EXIT_FAILED, run->flow.error);
            return false;
        }
        if (result == PIPELINE_APPLIED) {
            run->state_dirty = true;
            handle_intents(run);
        }
    }
    long recovered = run->flow.events_applied - applied_before;
    run->fills_recovered += recovered;
    live_log(&run->logger, "info", "gap recovery: %zu trades since %lld ms, %ld fills the stream had lost", total,
             start_ms, recovered);
    return true;
}

/* A full resync from REST, applied as one event (after the fills of the
 * gap when this is a reconnect). */
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
        if (ok && reconnect && run->flow.has_ts) ok = recover_fills(run, resync_event);
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

/* Sends the queued exit orders (only with --execute). */
static void send_orders(session *run) {
    for (size_t index = 0; index < run->order_count; index++) {
        const pending_order *order = &run->orders[index];
        char qty[NUMBER_TEXT_CAPACITY];
        number_format(order->qty, qty);
        char params[512];
        snprintf(params, sizeof params,
                 "symbol=%s&side=%s&type=MARKET&quantity=%s&reduceOnly=true&newClientOrderId=lsx-%ld-%s",
                 order->symbol, order->side > 0 ? "BUY" : "SELL", qty, order->event_seq, order->symbol);
        run->rest.orders_sent++;
        if (call(run, "POST", "/fapi/v1/order", params, REST_SIGNED))
            live_log(&run->logger, "info", "order sent: %s", params);
    }
    run->order_count = 0;
}

/* Writes the state files when something changed (or when forced). */
static void write_state(session *run, bool force) {
    if (!run->outputs_open || (!run->state_dirty && !force)) return;
    if (run_output_state(&run->outputs, run->flow.core) != 0) {
        session_fail(run, EXIT_FAILED, run->outputs.error);
        return;
    }
    if (run->record_open && scenario_writer_flush(&run->record) != 0) {
        session_fail(run, EXIT_FAILED, run->record.error);
        return;
    }
    run->state_dirty = false;
}

/* Start-up checks and resources; false when the session cannot start. */
static bool start(session *run) {
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
    if (rest_open(&run->rest, options->rest_url, &run->keys, &run->logger) != 0) {
        session_fail(run, EXIT_BAD_INPUT, "bad --rest-url");
        return false;
    }
    run->rest.recv_window_ms = options->recv_window_ms;
    long long server_time = 0;
    if (rest_sync_time(&run->rest, &server_time) != REST_OK) {
        session_fail(run, EXIT_FAILED, run->rest.error_message);
        return false;
    }
    live_log(&run->logger, "info", "server time offset %lld ms", run->rest.time_offset_ms);
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
    if (scenario_writer_open(&run->record, options->record_path) != 0) {
        session_fail(run, EXIT_BAD_INPUT, run->record.error);
        return false;
    }
    run->record_open = true;
    for (size_t index = 0; index < options->config_count; index++)
        if (scenario_writer_config(&run->record, options->config_keys[index], options->config_values[index]) != 0) {
            session_fail(run, EXIT_FAILED, run->record.error);
            return false;
        }
    if (run_output_open(&run->outputs, options->out_directory, TRACE_FULL, true) != 0) {
        session_fail(run, EXIT_FAILED, run->outputs.error);
        return false;
    }
    run->outputs_open = true;
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
    if (ws_init(&run->socket, &run->logger, on_message, run) != 0) {
        session_fail(run, EXIT_FAILED, "cannot create the WebSocket loop");
        return false;
    }
    if (!choose_symbols(run) || !create_listen_key(run)) {
        run->failed = true;
        run->exit_status = EXIT_FAILED;
        return false;
    }
    return true;
}

/* The event loop: connect, resync, keep alive, reconnect, until stopped. */
static void loop(session *run) {
    const live_options *options = run->options;
    long long started = monotonic_ms();
    long long next_connect = started;
    long long last_keepalive = started;
    long long last_state = started;
    long backoff_ms = options->reconnect_initial_ms;
    long handled_connections = 0;
    bool closing_logged = false;
    while (!stop_requested && !run->failed) {
        long long now = monotonic_ms();
        if (options->duration_s > 0 && (double)(now - started) >= options->duration_s * 1000.0) break;
        if (run->socket.state == WS_IDLE || run->socket.state == WS_CLOSED) {
            if (run->socket.state == WS_CLOSED && !closing_logged) {
                live_log(&run->logger, "warn", "stream closed (%s): reconnecting in %ld ms", run->socket.reason,
                         run->listen_key_expired ? 0L : backoff_ms);
                closing_logged = true;
                if (!run->listen_key_expired) {
                    next_connect = now + backoff_ms;
                    backoff_ms = backoff_ms * 2 > options->reconnect_max_ms ? options->reconnect_max_ms : backoff_ms * 2;
                }
            }
            if (now >= next_connect) {
                if (run->listen_key_expired && !create_listen_key(run)) {
                    next_connect = now + backoff_ms;
                } else {
                    char url[STREAM_URL_CAPACITY];
                    if (!stream_url(run, url, sizeof url)) {
                        session_fail(run, EXIT_BAD_INPUT, "stream URL too long: fewer --symbols");
                        break;
                    }
                    live_log(&run->logger, "info", "connecting %s", url);
                    closing_logged = false;
                    if (ws_connect(&run->socket, url) != 0) {
                        live_log(&run->logger, "warn", "connect: %s", run->socket.reason);
                        closing_logged = false;
                    }
                }
            }
        }
        ws_service(&run->socket, SERVICE_SLICE_MS);
        if (run->socket.state == WS_OPEN && run->socket.connections_opened > handled_connections) {
            handled_connections = run->socket.connections_opened;
            live_log(&run->logger, "info", "stream open (connection %ld): full resync from REST", handled_connections);
            if (resync(run, handled_connections > 1)) {
                backoff_ms = options->reconnect_initial_ms;
            } else if (!run->failed) {
                live_log(&run->logger, "warn", "resync failed: dropping the stream to retry");
                ws_request_close(&run->socket);
            }
        }
        if (run->resync_requested && run->socket.state == WS_OPEN && !run->failed) {
            run->resync_requested = false;
            live_log(&run->logger, "warn", "a frame the stream cannot follow: full resync from REST");
            if (!resync(run, true) && !run->failed) ws_request_close(&run->socket);
        }
        if (run->order_count > 0) send_orders(run);
        now = monotonic_ms();
        if (now - last_keepalive >= options->keepalive_interval_s * 1000L && run->listen_key[0] != '\0') {
            last_keepalive = now;
            char params[LISTEN_KEY_CAPACITY + 16];
            snprintf(params, sizeof params, "listenKey=%s", run->listen_key);
            rest_status status = rest_call(&run->rest, "PUT", "/fapi/v1/listenKey", params, REST_API_KEY);
            if (status == REST_OK) {
                live_log(&run->logger, "info", "listenKey kept alive");
            } else {
                live_log(&run->logger, "warn", "listenKey keepalive failed (%s): replacing it", run->rest.error_message);
                run->listen_key_expired = true;
                ws_request_close(&run->socket);
            }
        }
        if (now - last_state >= options->state_interval_ms) {
            last_state = now;
            write_state(run, false);
        }
    }
}

/* Closes the stream and the listen key, writes the final state files. */
static void finish(session *run) {
    if (run->socket.context != NULL) {
        ws_request_close(&run->socket);
        for (int round = 0; round < 20 && (run->socket.state == WS_OPEN || run->socket.state == WS_CONNECTING); round++)
            ws_service(&run->socket, SERVICE_SLICE_MS);
        ws_destroy(&run->socket);
    }
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
    if (run->flow_ready)
        live_log(&run->logger, "info",
                 "stopped: %ld events applied, %ld duplicates skipped, %ld frames refused, %ld fills recovered, "
                 "%ld exit intents, %ld order requests, %ld REST requests, %ld reconnects, %ld ts raised",
                 run->flow.events_applied, run->flow.duplicates, run->frames_invalid, run->fills_recovered,
                 run->intents_logged,
                 run->rest.orders_sent, run->rest.requests_sent,
                 run->socket.connections_opened > 0 ? run->socket.connections_opened - 1 : 0, run->flow.ts_raised);
    rest_close(&run->rest);
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
