/* session.h -- `ledgersim live`: the core on the Binance USD-M streams.
 *
 * Start: credentials, clock offset, position mode (hedge mode refused: the
 * ledger is keyed by symbol), exchangeInfo (lot sizes, weight limit), state
 * outputs (live mode) and the record, a listenKey. Then two WebSocket routes
 * on the documented split endpoints, each reconnected on its own:
 *   private  BASE/private/ws?listenKey=KEY            (user data)
 *   market   BASE/market/stream?streams=s@markPrice@1s/...  (marks)
 * (https://developers.binance.com/docs/derivatives/usds-margined-futures/websocket-market-streams/Important-WebSocket-Change-Notice;
 * the legacy /ws and /stream routes were retired on 2026-04-23). After a
 * route (re)opens, a full resync from REST (account, position risk, premium
 * index) is applied as one event, after the fills of the gap
 * (/fapi/v1/userTrades) when the private route was the one lost; during a
 * 418 ban or a 429 pause the resync waits and the streams stay up.
 *
 * Watchdog: a route that delivers nothing (no message, no pong) for its
 * stall limit is dead even if TCP says otherwise: it is dropped with a log
 * line (`no frame for 12 s on market`) and reconnected with doubling
 * backoff (reset only once a connection has delivered something, so a
 * route that handshakes and stays silent backs off). Half-way through the
 * limit a ping is sent, so a quiet but healthy private route answers.
 *
 * A position in a symbol whose mark is not streamed gets it: SUBSCRIBE on
 * the market route. Exit intents are logged (dry run) or handed to the exit
 * desk (--execute, live/exits.h). The listenKey is kept alive every
 * keepalive interval and replaced when it expires. SIGINT/SIGTERM stop the
 * loop: the listenKey is closed and the state files written whole. */
#ifndef LEDGERSIM_LIVE_SESSION_H
#define LEDGERSIM_LIVE_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "core/config.h"
#include "core/limits.h"

enum { LIVE_CONFIG_ROWS_MAX = 64, LIVE_TEXT_CAPACITY = 1024 };

typedef struct {
    char rest_url[LIVE_TEXT_CAPACITY];
    char ws_url[LIVE_TEXT_CAPACITY];
    char symbols[SYMBOLS_MAX][SYMBOL_CAPACITY];  /* watched for marks */
    size_t symbol_count;
    const char *out_directory;
    const char *record_path;
    const char *key_file;                        /* NULL: the environment */
    bool execute;                                /* send exit orders */
    kernel_config config;
    const char *config_keys[LIVE_CONFIG_ROWS_MAX];   /* --set rows, for the record */
    const char *config_values[LIVE_CONFIG_ROWS_MAX];
    size_t config_count;
    long keepalive_interval_s;                   /* 1800 */
    long reconnect_initial_ms;                   /* 1000 */
    long reconnect_max_ms;                       /* 60000 */
    long state_interval_ms;                      /* 1000 */
    long recv_window_ms;                         /* 5000 */
    long market_stall_ms;                        /* 10000: ten missed @1s marks */
    long private_stall_ms;                       /* 200000: the 3-minute server ping + 20 s */
    long exit_alert_ms;                          /* 30000: an exit unfilled this long is an alert */
    long rest_timeout_ms;                        /* 10000 */
    bool print_urls;                             /* print the route URLs and stop */
    double duration_s;                           /* 0: until a signal */
    bool quiet;
} live_options;

/* Fills the defaults (production URLs, intervals). */
void live_options_defaults(live_options *options);

/* Prints the URLs of the two routes (the listen key as <listenKey>) to
 * stream; false when a URL does not fit. */
bool live_print_urls(const live_options *options, FILE *stream);

/* Runs the live session until a signal or duration_s; returns the exit status
 * (0 clean stop, 1 a runtime failure, 2 bad input or a refused account). */
int live_session_run(const live_options *options);

#endif
