/* normalize.h -- Binance USD-M frames and REST payloads to exchange facts.
 *
 * Pure: text in, one normalized event out; no I/O, no clock, no globals. The
 * only state is what the exchange told earlier (leverage per symbol) and a
 * borrowed look-up of the kernel's marks (to convert a commission paid in
 * another asset). Numbers arrive as strings and are parsed strictly
 * (number_parse): a frame with a malformed number is rejected whole.
 *
 *   ACCOUNT_UPDATE      funding (reason FUNDING_FEE: amount = -bc of USDT),
 *                       balance (only from the USDT entry: a frame without
 *                       one carries no balance, never a zero wallet), one
 *                       position per P entry (pa 0 removes); id AU:T:E:HASH
 *                       (FNV-1a of the update's content: T and E can repeat)
 *   ORDER_TRADE_UPDATE  x = TRADE: one fill (L, l, n, rp, S); id T:SYMBOL:t
 *   markPriceUpdate     one mark; id M:SYMBOL:E
 *   listenKeyExpired    reported as such, no facts
 *   ACCOUNT_CONFIG_UPDATE  remembers the symbol's leverage, no facts
 * ts is the frame's event time E in seconds. Combined-stream envelopes
 * {"stream":..., "data":{...}} are unwrapped. */
#ifndef LEDGERSIM_LIVE_NORMALIZE_H
#define LEDGERSIM_LIVE_NORMALIZE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/kernel.h"
#include "core/limits.h"

enum { NORMALIZE_REPORT_CAPACITY = 512, NORMALIZE_FRAME_LIMIT = 4 << 20 /* bytes of one frame */ };

typedef enum {
    FRAME_EVENT = 0,            /* out holds an event with at least one fact */
    FRAME_IGNORED,              /* nothing for the ledger (an order's NEW, a frame without USDT...) */
    FRAME_LISTEN_KEY_EXPIRED,
    FRAME_INVALID               /* malformed or refused; report says why */
} frame_kind;

/* One exchange event, ready for kernel_begin_event / kernel_apply_fact. */
typedef struct {
    char event_id[EVENT_ID_CAPACITY];
    double ts;                  /* epoch seconds */
    size_t fact_count;
    exchange_fact facts[EVENT_ROWS_MAX];
} normalized_event;

typedef struct {
    char symbol[SYMBOL_CAPACITY];
    double leverage;
} known_leverage;

typedef struct {
    mark_lookup lookup;         /* the kernel's marks; may be NULL (no conversion possible) */
    const void *lookup_context;
    known_leverage leverages[SYMBOLS_MAX]; /* sorted by symbol */
    size_t leverage_count;
    long reports;               /* frames that produced a report */
    long commissions_unconverted;
} normalizer;

/* Starts a normalizer; lookup (borrowed, may be NULL) gives the kernel's mark. */
void normalizer_init(normalizer *state, mark_lookup lookup, const void *lookup_context);

/* Remembers a symbol's leverage (from REST or ACCOUNT_CONFIG_UPDATE); false
 * when the table is full or the value is not >= 1. */
bool normalizer_set_leverage(normalizer *state, const char *symbol, double leverage);

/* The remembered leverage of symbol, if any. */
bool normalizer_leverage(const normalizer *state, const char *symbol, double *leverage);

/* Normalizes one WebSocket frame (JSON text, length bytes). report receives
 * a message whenever one is due: the reason of FRAME_INVALID or
 * FRAME_IGNORED, or a warning beside FRAME_EVENT (a commission that could
 * not be converted, a rebate); "" when none. out is written only for
 * FRAME_EVENT. */
frame_kind normalize_frame(normalizer *state, const char *text, size_t length, normalized_event *out,
                           char report[NORMALIZE_REPORT_CAPACITY]);

/* Builds the resync event from REST answers (JSON texts): account
 * (/fapi/v2/account), position risk (/fapi/v2/positionRisk) and premium
 * index (/fapi/v1/premiumIndex, array or object; may be NULL). held lists
 * the symbols the kernel holds an exchange position for (held_count of
 * them): each one the exchange no longer reports gets a removing position
 * fact. marks are kept for the watched symbols and the symbols held after
 * the resync. The event id is R:SERVER_TIME:SEQUENCE, ts the server time. */
frame_kind normalize_resync(normalizer *state, long long server_time_ms, long sequence, const char *account_json,
                            const char *position_risk_json, const char *premium_json,
                            const char (*held)[SYMBOL_CAPACITY], size_t held_count,
                            const char (*watched)[SYMBOL_CAPACITY], size_t watched_count,
                            normalized_event *out, char report[NORMALIZE_REPORT_CAPACITY]);

/* One fill recovered from REST /fapi/v1/userTrades after a reconnect. */
typedef struct {
    char event_id[EVENT_ID_CAPACITY];   /* T:SYMBOL:id, the id the stream would have given */
    double ts;                          /* the trade time, epoch seconds */
    exchange_fact fact;
} recovered_fill;

enum { RECOVERED_FILLS_MAX = 1000 };    /* the endpoint's page size */

/* Normalizes a /fapi/v1/userTrades answer (array, oldest first) into fills
 * with the ids the user data stream uses, so fills the stream did deliver
 * are skipped by the kernel as duplicates. Returns the count (<= capacity),
 * or -1 with report set when the answer is malformed. */
long normalize_user_trades(normalizer *state, const char *json, recovered_fill *out, size_t capacity,
                           char report[NORMALIZE_REPORT_CAPACITY]);

/* Reads dualSidePosition from /fapi/v1/positionSide/dual: 1 hedge mode,
 * 0 one-way, -1 malformed. */
int normalize_position_mode(const char *json);

/* Reads serverTime (ms) from /fapi/v1/time; false when malformed. */
bool normalize_server_time(const char *json, long long *server_time_ms) WARN_UNUSED_RESULT;

/* Reads listenKey from the listenKey POST answer into out; false if absent. */
bool normalize_listen_key(const char *json, char *out, size_t capacity) WARN_UNUSED_RESULT;

#endif
