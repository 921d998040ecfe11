/* recovery.h -- what a gap in the user data stream lost, read back from REST.
 *
 * After the private route was lost, the adapter asks:
 *  - /fapi/v1/income for the gap: FUNDING_FEE becomes a funding fact
 *    (amount = -income), every other cash type (TRANSFER, INSURANCE_CLEAR,
 *    WELCOME_BONUS, COIN_SWAP_*, ...) a transfer fact (amount = income);
 *    REALIZED_PNL and COMMISSION entries name the symbols traded in the gap.
 *    Event ids are I:TYPE:tranId ("tranId is unique in the same incomeType
 *    for a user"), so a second recovery over the same time skips them.
 *    Source: https://developers.binance.com/docs/derivatives/usds-margined-futures/account/rest-api/Get-Income-History
 *  - /fapi/v1/userTrades for each such symbol (and those held or watched),
 *    paged by fromId: "If startTime and endTime are both not sent, then the
 *    last 7 days' data will be returned. The time between startTime and
 *    endTime cannot be longer than 7 days. The parameter fromId cannot be
 *    sent with startTime or endTime." Fills keep the stream's ids
 *    (T:SYMBOL:id), so those the stream did deliver are skipped.
 *    Source: https://developers.binance.com/docs/derivatives/usds-margined-futures/trade/rest-api/Account-Trade-List
 * The cash of the gap is taken strictly after the last user-data frame the
 * stream delivered (its E): the stream's own cash events carry no tranId,
 * so the time is what keeps one from being counted twice.
 *
 * The pagers and the parser are pure; gap_recover does the REST calls. */
#ifndef LEDGERSIM_LIVE_RECOVERY_H
#define LEDGERSIM_LIVE_RECOVERY_H

#include <stdbool.h>
#include <stddef.h>

#include "core/kernel.h"
#include "live/log.h"
#include "live/normalize.h"
#include "live/rest.h"

enum {
    RECOVERY_PAGE_LIMIT = 1000,                          /* both endpoints' maximum limit */
    RECOVERY_WINDOW_MS = 7 * 24 * 3600 * 1000,           /* the 7-day rule of startTime..endTime */
    RECOVERY_PARAMS_CAPACITY = 256,
    INCOME_TYPE_CAPACITY = 40,
    RECOVERY_PAGES_MAX = 1000                            /* per symbol or for income: a bound, never reached */
};

/* userTrades pages of one symbol over [start_ms, end_ms]: 7-day windows by
 * time; a full page continues by fromId (which cannot be sent with a time)
 * until a page is short or passes end_ms. */
typedef struct {
    long long start_ms, end_ms;
    long long window_start_ms;
    long long next_from_id;            /* > 0: the next page is by fromId */
    bool done;
} trade_pager;

void trade_pager_init(trade_pager *pager, long long start_ms, long long end_ms);

/* The query of the next page for symbol into params; false when done. */
bool trade_pager_query(const trade_pager *pager, const char *symbol, char *params, size_t capacity);

/* Moves on after a page of count trades (the last one's id and time). */
void trade_pager_advance(trade_pager *pager, size_t count, long long last_id, long long last_time_ms);

/* /fapi/v1/income pages over [start_ms, end_ms]: 7-day windows; "if the
 * number of data between startTime and endTime is larger than limit,
 * response will be return as startTime+limit", so a full page continues
 * from its last time (entries at that ms come again: their ids skip them). */
typedef struct {
    long long start_ms, end_ms;
    long long window_start_ms;
    long long page_start_ms;
    bool done;
} income_pager;

void income_pager_init(income_pager *pager, long long start_ms, long long end_ms);
bool income_pager_query(const income_pager *pager, char *params, size_t capacity);
void income_pager_advance(income_pager *pager, size_t count, long long last_time_ms);

typedef enum {
    INCOME_FUNDING,      /* FUNDING_FEE: a funding fact */
    INCOME_TRANSFER,     /* any other cash type: a transfer fact */
    INCOME_TRADE,        /* REALIZED_PNL, COMMISSION: the fills carry it; names a symbol traded */
    INCOME_IGNORED       /* another asset than USDT, or zero */
} income_kind;

typedef struct {
    char event_id[EVENT_ID_CAPACITY];  /* I:TYPE:tranId */
    long long time_ms;
    char symbol[SYMBOL_CAPACITY];      /* "" when none */
    char type[INCOME_TYPE_CAPACITY];
    income_kind kind;
    double income;                     /* positive: into the wallet */
} income_entry;

/* Parses an income answer (array) into out (capacity entries). An entry it
 * cannot read is skipped and counted in *skipped (noted in report). Returns
 * the count, or -1 (report set) when the answer is not an array. */
long recovery_parse_income(const char *json, income_entry *out, size_t capacity, long *skipped,
                           char report[NORMALIZE_REPORT_CAPACITY]);

/* The recovered event of a cash entry (INCOME_FUNDING or INCOME_TRANSFER):
 * its id, ts and one fact. False for the other kinds. */
bool recovery_income_event(const income_entry *entry, recovered_fill *out);

/* One gap to recover. The caller owns every pointer. */
typedef struct {
    rest_client *rest;
    live_logger *logger;
    normalizer *normal;
    long long start_ms;                /* the last user-data frame's E: cash strictly after it */
    long long end_ms;                  /* the resync's server time */
    long long trades_margin_ms;        /* fills from start_ms minus this (ids skip the ones seen) */
    const char (*symbols)[SYMBOL_CAPACITY]; /* held, watched and resynced symbols: their fills are asked too */
    size_t symbol_count;
    recovered_fill *out;               /* events found, sorted by time then id */
    size_t capacity;
} gap_recovery;

typedef struct {
    size_t events;                     /* in out */
    long cash_entries;                 /* funding and transfers */
    long trades;
    long symbols_asked;
    long skipped;                      /* unreadable entries */
    bool truncated;                    /* more than capacity events: the oldest kept */
} gap_result;

/* Reads the gap's income and fills from REST into gap->out. False (logged)
 * when a call fails; what was read is then not applied. */
bool gap_recover(const gap_recovery *gap, gap_result *result) WARN_UNUSED_RESULT;

#endif
