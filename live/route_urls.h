/* route_urls.h -- the URLs of the split USD-M WebSocket routes, and the
 * market route's SUBSCRIBE request.
 *
 *   private  BASE/private/ws?listenKey=KEY
 *   market   BASE/market/stream?streams=<symbol>@markPrice@1s/...
 * Source: https://developers.binance.com/docs/derivatives/usds-margined-futures/websocket-market-streams/Important-WebSocket-Change-Notice
 * (the legacy BASE/ws and BASE/stream were retired on 2026-04-23; the
 * listenKey as a query parameter is the form the notice gives) and the
 * Live-Subscribing-Unsubscribing-to-streams page. Stream names are lower
 * case; bytes outside ASCII are percent-encoded. Pure. */
#ifndef LEDGERSIM_LIVE_ROUTE_URLS_H
#define LEDGERSIM_LIVE_ROUTE_URLS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/limits.h"
#include "live/ws.h"

enum { ROUTE_URL_CAPACITY = WS_URL_CAPACITY };

/* BASE/private/ws?listenKey=KEY into out; false when it does not fit. */
bool route_private_url(const char *ws_url, const char *listen_key, char *out, size_t capacity) WARN_UNUSED_RESULT;

/* BASE/market/stream?streams=... for count symbols into out; false when it
 * does not fit. */
bool route_market_url(const char *ws_url, const char (*symbols)[SYMBOL_CAPACITY], size_t count, char *out,
                      size_t capacity) WARN_UNUSED_RESULT;

/* {"method":"SUBSCRIBE","params":["<symbol>@markPrice@1s"],"id":ID} into out. */
bool route_subscribe_request(const char *symbol, long id, char *out, size_t capacity) WARN_UNUSED_RESULT;

#endif
