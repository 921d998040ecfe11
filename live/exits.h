/* exits.h -- exit orders the exchange accepts (--execute), followed until
 * they fill, and an alert when one does not.
 *
 * Each exit intent of the kernel becomes a job for its symbol (one at a
 * time per symbol). A job:
 *   1. reads the exchange's own position (GET /fapi/v2/positionRisk
 *      ?symbol=): the size is positionAmt, never the kernel's folded double;
 *   2. rounds it DOWN to the symbol's MARKET_LOT_SIZE stepSize, splits it at
 *      maxQty (exchange_rules) and sends each part as a reduce-only MARKET
 *      order with its own newClientOrderId, the quantity printed exactly;
 *   3. an answer that leaves the outcome unknown (no answer, HTTP 5xx, -1006,
 *      -1007) is followed by GET /fapi/v1/order?origClientOrderId= before
 *      anything is sent again (-2013: it was not placed);
 *   4. a rejection (-2022, -1111, -4005, ...) is logged with its code and the
 *      job waits for the symbol's next mark, then starts again at 1;
 *   5. it ends when the stream reports the parts FILLED or the exchange
 *      position flat; a part reported EXPIRED, CANCELED or REJECTED sends
 *      it back to 4.
 * A job not ended alert_after_ms after its intent is an ALERT: an error line
 * in live.log and on stderr, and an entry of state.json live.unfilled_exits
 * until it ends. Sources: New Order, Query Order and Error Codes pages of
 * https://developers.binance.com/docs/derivatives/usds-margined-futures/ and
 * general-info (HTTP 5XX: execution status UNKNOWN). */
#ifndef LEDGERSIM_LIVE_EXITS_H
#define LEDGERSIM_LIVE_EXITS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/limits.h"
#include "io/json_writer.h"
#include "live/exchange_rules.h"
#include "live/log.h"
#include "live/quantity.h"
#include "live/rest.h"

enum { EXIT_JOBS_MAX = 64, EXIT_CLIENT_ID_CAPACITY = 40, EXIT_ERROR_CAPACITY = 200, EXIT_RETRY_MS = 1000 };

typedef enum {
    EXIT_JOB_SIZE = 0,      /* read the position, cut the parts (now or when REST allows) */
    EXIT_JOB_SEND,          /* send the parts from next_part on */
    EXIT_JOB_QUERY,         /* an order's outcome is unknown: query it first */
    EXIT_JOB_WAIT_FILL,     /* every part accepted: wait for the fills */
    EXIT_JOB_WAIT_MARK,     /* rejected: start again on the symbol's next mark */
    EXIT_JOB_DONE
} exit_job_state;

typedef struct {
    char symbol[SYMBOL_CAPACITY];
    int closing_side;                       /* +1 BUY, -1 SELL */
    char reason[8];                         /* TP, SL */
    double fired_ts;                        /* the intent's event time, epoch s */
    long event_seq;
    long long fired_ms;                     /* monotonic */
    long long retry_at_ms;                  /* monotonic: not before */
    exit_job_state state;
    long attempts;                          /* sizing rounds */
    size_t part_count;
    size_t next_part;                       /* the next part to send */
    size_t query_part;                      /* the part whose outcome is unknown */
    char client_ids[QUANTITY_PARTS_MAX][EXIT_CLIENT_ID_CAPACITY];
    long long part_units[QUANTITY_PARTS_MAX];
    bool part_filled[QUANTITY_PARTS_MAX];
    char last_error[EXIT_ERROR_CAPACITY];
    bool alerted;
} exit_job;

typedef struct {
    exit_job jobs[EXIT_JOBS_MAX];
    size_t count;
    rest_client *rest;                      /* borrowed */
    live_logger *logger;                    /* borrowed */
    const exchange_rules *rules;            /* borrowed */
    long long alert_after_ms;
    long orders_sent;
    long rejections;
    long alerts;
    bool changed;                           /* the unfilled list changed: rewrite state.json */
} exit_desk;

/* Prepares an empty desk; rest, logger and rules are borrowed. */
void exit_desk_init(exit_desk *desk, rest_client *rest, live_logger *logger, const exchange_rules *rules,
                    long long alert_after_ms);

/* A new exit for symbol (closing_side +1 BUY / -1 SELL); ignored (false)
 * while a job for symbol is under way or the table is full. */
bool exit_desk_fire(exit_desk *desk, const char *symbol, int closing_side, const char *reason, double fired_ts,
                    long event_seq);

/* A mark of symbol arrived: a rejected job starts again. */
void exit_desk_on_mark(exit_desk *desk, const char *symbol);

/* An order update from the user data stream (clientOrderId, status X). */
void exit_desk_on_order_update(exit_desk *desk, const char *client_id, const char *status);

/* The exchange position of symbol is now qty (0: flat, the job ends). */
void exit_desk_on_position(exit_desk *desk, const char *symbol, double qty);

/* Advances every job that is due (REST calls; never sleeps) and raises the
 * alerts that are due. */
void exit_desk_run(exit_desk *desk);

/* Whether symbol has a job under way. */
bool exit_desk_active(const exit_desk *desk, const char *symbol);

/* The jobs past their alert, as state.json's `live` member (nothing when
 * none, so a run without an unfilled exit replays to the same file). */
void exit_desk_render(void *desk, json_writer *writer);

#endif
