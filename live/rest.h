/* rest.h -- the Binance USD-M REST calls the live adapter makes, over libcurl.
 *
 * SIGNED calls put every parameter in the query string, append recvWindow
 * and timestamp (local clock + the server-time offset) and sign the query
 * (live_sign). Errors come back as {"code","msg"} and are surfaced with the
 * code. -1021 (timestamp outside recvWindow) resyncs the offset from
 * /fapi/v1/time and retries once.
 *
 * Rate limits never block the caller (the WebSocket loop runs beside it):
 * HTTP 429 pauses every request for Retry-After seconds and HTTP 418 (IP
 * banned, 2 minutes to 3 days) until Retry-After has passed; a request made
 * meanwhile is refused at once (REST_RATE_LIMITED) and the caller retries
 * later. The X-MBX-USED-WEIGHT-1M header of every answer sets the pacing:
 * past REST_PACE_PERCENT of the minute's weight limit, the deferrable calls
 * (the resync, asked through rest_blocked_ms) wait for the next minute, so
 * the last 10 % stays for exits. Source:
 * https://developers.binance.com/docs/derivatives/usds-margined-futures/general-info
 * (LIMITS, HTTP return codes). */
#ifndef LEDGERSIM_LIVE_REST_H
#define LEDGERSIM_LIVE_REST_H

#include <stdbool.h>
#include <stddef.h>

#include "io/buffer.h"
#include "live/log.h"
#include "live/sign.h"

enum {
    URL_CAPACITY = 1024,
    REST_RESPONSE_LIMIT = 16 << 20,   /* bytes of one answer */
    REST_QUERY_CAPACITY = 2048,
    REST_MESSAGE_CAPACITY = 512,
    REST_TIMEOUT_MS = 10000,
    REST_WEIGHT_LIMIT_1M = 2400,      /* exchangeInfo rateLimits REQUEST_WEIGHT, until read */
    REST_PACE_PERCENT = 90,           /* of the weight limit: then wait for the next minute */
    REST_CONNECT_TIMEOUT_MS = 5000
};

typedef enum {
    REST_OK = 0,
    REST_API_ERROR,        /* the exchange answered {"code","msg"} */
    REST_HTTP_ERROR,       /* another non-2xx status */
    REST_RATE_LIMITED,     /* 429, 418, or not sent: paused, banned or paced */
    REST_TRANSPORT_ERROR   /* no answer (connection, timeout) */
} rest_status;

typedef enum { REST_PUBLIC, REST_API_KEY, REST_SIGNED } rest_security;

typedef struct {
    void *curl;                         /* CURL*, owned */
    char base_url[URL_CAPACITY];
    const credentials *keys;            /* borrowed */
    live_logger *logger;                /* borrowed */
    long long time_offset_ms;           /* server time - local time */
    long recv_window_ms;
    long timeout_ms;                    /* of one request (REST_TIMEOUT_MS) */
    long weight_limit_1m;               /* REQUEST_WEIGHT per minute */
    buffer response;                    /* the last answer's body */
    long http_status;
    long error_code;                    /* the {"code"} of the last API error */
    char error_message[REST_MESSAGE_CAPACITY];
    long retry_after_s;                 /* from the last answer, -1 none */
    long used_weight_1m;                /* -1 when the header was absent */
    long order_count_1m;
    long long banned_until_ms;          /* local clock, after a 418; 0 none */
    long long paused_until_ms;          /* local clock, after a 429; 0 none */
    long long paced_until_ms;           /* local clock: the weight's next minute; 0 none */
    long requests_sent;
    long orders_sent;
    long clock_resyncs;
} rest_client;

/* Prepares a client for base_url (e.g. https://fapi.binance.com). keys and
 * logger are borrowed and must outlive the client. Returns 0 or -1. */
int rest_open(rest_client *client, const char *base_url, const credentials *keys, live_logger *logger)
    WARN_UNUSED_RESULT;

void rest_close(rest_client *client);

/* One call: method GET/POST/PUT/DELETE, path (/fapi/...), params (a query
 * string without timestamp/signature, "" for none). On REST_OK the body is in
 * client->response.data; on REST_API_ERROR error_code/error_message are set;
 * every failure also fills error_message. */
rest_status rest_call(rest_client *client, const char *method, const char *path, const char *params,
                      rest_security security) WARN_UNUSED_RESULT;

/* Milliseconds before a request may be sent (0: now): a 418 ban, a 429
 * pause, and unless urgent the weight pacing (rest_call itself enforces
 * only the ban and the pause). */
long long rest_blocked_ms(const rest_client *client, bool urgent);

/* Whether a failed call may still have been carried out by the exchange:
 * no answer, HTTP 5xx, -1006 or -1007 ("execution status unknown"). */
bool rest_outcome_unknown(const rest_client *client, rest_status status);

/* Percent-encodes text (UTF-8 symbols included) for a query into out;
 * false when it does not fit. */
bool rest_encode(const char *text, char *out, size_t capacity) WARN_UNUSED_RESULT;

/* GET /fapi/v1/time and sets time_offset_ms; *server_time_ms gets the time. */
rest_status rest_sync_time(rest_client *client, long long *server_time_ms) WARN_UNUSED_RESULT;

/* The local clock in epoch ms (CLOCK_REALTIME). */
long long rest_local_time_ms(void);

/* Builds the query of a SIGNED call into out: params&recvWindow=R&timestamp=T&signature=S. */
bool rest_signed_query(const char *secret, const char *params, long recv_window_ms, long long timestamp_ms,
                       char *out, size_t capacity) WARN_UNUSED_RESULT;

/* Process-wide libcurl setup, once from main before any thread. */
bool rest_global_init(void) WARN_UNUSED_RESULT;

#endif
