/* session.h -- `ledgersim live`: the core on the Binance USD-M streams.
 *
 * Start: credentials, clock offset, position mode (hedge mode refused: the
 * ledger is keyed by symbol), state outputs (live mode) and the record, a
 * listenKey. Then one combined-stream WebSocket (the user data stream and the
 * mark price of each watched symbol); after every (re)connect a full resync
 * from REST (account, position risk, premium index) is applied as one event,
 * because frames between a disconnect and a reconnect are lost; after a
 * reconnect the fills of the gap are first fetched from /fapi/v1/userTrades
 * and applied under the stream's own ids (those delivered are skipped). The listenKey
 * is kept alive every keepalive interval and replaced when it expires; a lost
 * connection is retried with doubling backoff. Exit intents are logged (dry
 * run) or sent as reduce-only MARKET orders (--execute). SIGINT/SIGTERM stop
 * the loop: the listenKey is closed and the state files written whole. */
#ifndef LEDGERSIM_LIVE_SESSION_H
#define LEDGERSIM_LIVE_SESSION_H

#include <stdbool.h>
#include <stddef.h>

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
    double duration_s;                           /* 0: until a signal */
    bool quiet;
} live_options;

/* Fills the defaults (production URLs, intervals). */
void live_options_defaults(live_options *options);

/* Runs the live session until a signal or duration_s; returns the exit status
 * (0 clean stop, 1 a runtime failure, 2 bad input or a refused account). */
int live_session_run(const live_options *options);

#endif
