/* normalize.h -- Binance USD-M frames and REST payloads to exchange facts.
 *
 * Pure: text in, one normalized event out; no I/O, no clock, no globals. The
 * only state is what the exchange told earlier (leverage per symbol, symbols
 * margined in another asset), counts of what was not applied, and a
 * borrowed look-up of the kernel's marks (to convert a commission paid in
 * another asset). Numbers arrive as strings and are parsed strictly
 * (number_parse). One entry the adapter cannot read (a balance, a position)
 * is skipped and reported, never the whole frame or resync.
 *
 *   ACCOUNT_UPDATE      reason FUNDING_FEE: funding (amount = -bc of USDT);
 *                       any reason but ORDER and FUNDING_FEE (DEPOSIT,
 *                       WITHDRAW, ASSET_TRANSFER, INSURANCE_CLEAR, ...):
 *                       transfer (amount = bc of USDT, "balance change
 *                       except PnL and commission"); balance (only from
 *                       the USDT entry: a frame without one carries no
 *                       balance, never a zero wallet); one position per
 *                       BOTH entry (pa 0 removes). LONG/SHORT entries with
 *                       pa 0 are ignored; a non-zero one is left out,
 *                       raises NORMALIZED_ALERT and NORMALIZED_RESYNC.
 *                       id AU:T:E:HASH (FNV-1a of the update's content).
 *   ORDER_TRADE_UPDATE  x = TRADE or CALCULATED (liquidation, ADL,
 *                       settlement: NORMALIZED_LIQUIDATION): one fill
 *                       (L, l, n, rp, S); id T:SYMBOL:t, as userTrades
 *   ACCOUNT_CONFIG_UPDATE  ac: a leverage fact, id AC:SYMBOL:T:LEVERAGE;
 *                       ai (multi-assets mode): an alert
 *   markPriceUpdate     one mark; id M:SYMBOL:E
 *   listenKeyExpired    reported as such, no facts
 *   anything else       not applied: MARGIN_CALL and
 *                       CONDITIONAL_ORDER_TRIGGER_REJECT are alerts; every
 *                       type is counted (normalizer_unapplied_summary)
 * ts is the frame's event time E in seconds. Combined-stream envelopes
 * {"stream":..., "data":{...}} are unwrapped. Symbols are 1 to
 * SYMBOL_CAPACITY - 1 bytes of [A-Z0-9_-] or well-formed UTF-8 beyond ASCII
 * (Binance lists `币安人生USDT`). Positions and fills of a symbol margined
 * in another asset than USDT (ma / marginAsset, or a USDC-margined symbol)
 * are left out of the USDT ledger and reported once. */
#ifndef LEDGERSIM_LIVE_NORMALIZE_H
#define LEDGERSIM_LIVE_NORMALIZE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/kernel.h"
#include "core/limits.h"

enum {
    NORMALIZE_REPORT_CAPACITY = 512,
    NORMALIZE_FRAME_LIMIT = 4 << 20,       /* bytes of one frame */
    NORMALIZE_EVENT_TYPES_MAX = 32,        /* distinct event types counted as not applied */
    NORMALIZE_EVENT_TYPE_CAPACITY = 48,    /* bytes of one event type name, NUL included */
    NORMALIZE_EXCLUDED_MAX = 64            /* symbols margined in another asset, remembered */
};

typedef enum {
    FRAME_EVENT = 0,            /* out holds an event with at least one fact */
    FRAME_IGNORED,              /* nothing for the ledger (an order's NEW, a frame without USDT...) */
    FRAME_LISTEN_KEY_EXPIRED,
    FRAME_INVALID               /* malformed or refused; report says why */
} frame_kind;

/* What the caller must know about a frame beyond its facts. */
enum {
    NORMALIZED_LIQUIDATION = 1u << 0, /* a liquidation, ADL or settlement fill */
    NORMALIZED_ALERT = 1u << 1,       /* the report is something the user must see (a warning) */
    NORMALIZED_RESYNC = 1u << 2       /* state the stream cannot follow: resync from REST now */
};

/* One exchange event, ready for kernel_begin_event / kernel_apply_fact. */
typedef struct {
    char event_id[EVENT_ID_CAPACITY];
    double ts;                  /* epoch seconds */
    unsigned flags;             /* NORMALIZED_*; written for every frame kind */
    size_t fact_count;
    exchange_fact facts[EVENT_ROWS_MAX];
} normalized_event;

typedef struct {
    char symbol[SYMBOL_CAPACITY];
    double leverage;
} known_leverage;

/* One event type the normalizer does not apply, and how often it came. */
typedef struct {
    char type[NORMALIZE_EVENT_TYPE_CAPACITY];
    long count;
} unapplied_type;

typedef struct {
    mark_lookup lookup;         /* the kernel's marks; may be NULL (no conversion possible) */
    const void *lookup_context;
    known_leverage leverages[SYMBOLS_MAX]; /* sorted by symbol */
    size_t leverage_count;
    long reports;               /* frames that produced a report */
    long commissions_unconverted;
    long entries_skipped;       /* balance or position entries that could not be read */
    long liquidations;          /* liquidation, ADL and settlement fills */
    unapplied_type unapplied[NORMALIZE_EVENT_TYPES_MAX]; /* sorted by type */
    size_t unapplied_count;
    long unapplied_other;       /* frames of types past NORMALIZE_EVENT_TYPES_MAX */
    char excluded[NORMALIZE_EXCLUDED_MAX][SYMBOL_CAPACITY]; /* not USDT-margined, reported once each */
    size_t excluded_count;
    long long last_user_event_ms; /* the latest E of a user-data frame (not a mark): where a gap starts */
} normalizer;

/* Starts a normalizer; lookup (borrowed, may be NULL) gives the kernel's mark. */
void normalizer_init(normalizer *state, mark_lookup lookup, const void *lookup_context);

/* Remembers a symbol's leverage (from REST or ACCOUNT_CONFIG_UPDATE); false
 * when the table is full or the value is not >= 1. */
bool normalizer_set_leverage(normalizer *state, const char *symbol, double leverage);

/* The remembered leverage of symbol, if any. */
bool normalizer_leverage(const normalizer *state, const char *symbol, double *leverage);

/* Whether text (length bytes) is a symbol as Binance spells them: 1 to
 * SYMBOL_CAPACITY - 1 bytes of [A-Z0-9_-] or well-formed UTF-8 characters
 * beyond ASCII. */
bool normalize_symbol_valid(const char *text, size_t length);

/* Writes "TYPE COUNT, ..." (sorted by type) of the event types received and
 * not applied into out (capacity bytes, truncated); "" when none. Returns
 * the number of frames counted. */
long normalizer_unapplied_summary(const normalizer *state, char *out, size_t capacity);

/* Normalizes one WebSocket frame (JSON text, length bytes). report receives
 * a message whenever one is due: the reason of FRAME_INVALID or
 * FRAME_IGNORED, or a warning beside FRAME_EVENT (a commission that could
 * not be converted, a rebate); "" when none. out is written only for
 * FRAME_EVENT. */
frame_kind normalize_frame(normalizer *state, const char *text, size_t length, normalized_event *out,
                           char report[NORMALIZE_REPORT_CAPACITY]);

/* The REST answers a resync reads (all borrowed JSON texts): account
 * (/fapi/v2/account), position risk (/fapi/v2/positionRisk or v3) and
 * premium index (/fapi/v1/premiumIndex, array or object; may be NULL). held
 * lists the symbols the kernel holds an exchange position for: each one the
 * exchange no longer reports gets a removing position fact. Marks are kept
 * for the watched symbols and those held after the resync. */
typedef struct {
    long long server_time_ms;
    long sequence;                          /* the event id is R:SERVER_TIME:SEQUENCE */
    const char *account_json;
    const char *position_risk_json;
    const char *premium_json;
    const char (*held)[SYMBOL_CAPACITY];
    size_t held_count;
    const char (*watched)[SYMBOL_CAPACITY];
    size_t watched_count;
} resync_inputs;

/* Builds the resync event (ts the server time) from inputs (borrowed).
 * FRAME_INVALID only when an answer is not JSON of the right shape; an
 * entry that cannot be read is skipped and reported. */
frame_kind normalize_resync(normalizer *state, const resync_inputs *inputs, normalized_event *out,
                            char report[NORMALIZE_REPORT_CAPACITY]);

/* One fill recovered from REST /fapi/v1/userTrades after a reconnect. */
typedef struct {
    char event_id[EVENT_ID_CAPACITY];   /* T:SYMBOL:id, the id the stream would have given */
    double ts;                          /* the trade time, epoch seconds */
    long long trade_id;                 /* the exchange's id (userTrades pages by fromId) */
    exchange_fact fact;
} recovered_fill;

enum { RECOVERED_FILLS_MAX = 1000 };    /* the endpoint's page size */

/* Normalizes a /fapi/v1/userTrades answer (array, oldest first) into fills
 * with the ids the user data stream uses, so fills the stream did deliver
 * are skipped by the kernel as duplicates. A trade that cannot be read is
 * skipped and noted. Returns the count (<= capacity), or -1 with report set
 * when the answer is not an array. */
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
