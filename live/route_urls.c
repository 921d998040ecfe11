/* route_urls.c -- see route_urls.h. */
#include "live/route_urls.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* Appends text to out at *length, percent-encoding bytes outside ASCII
 * (a stream of 币安人生USDT); false when it does not fit. */
static bool append_url(char *out, size_t capacity, size_t *length, const char *text, bool lower) {
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *cursor = (const unsigned char *)text; *cursor != '\0'; cursor++) {
        if (*length + 4 >= capacity) return false;
        if (*cursor >= 0x80) {
            out[(*length)++] = '%';
            out[(*length)++] = hex[*cursor >> 4];
            out[(*length)++] = hex[*cursor & 15];
        } else {
            out[(*length)++] = lower ? (char)tolower(*cursor) : (char)*cursor;
        }
    }
    out[*length] = '\0';
    return true;
}

/* The base URL without trailing slashes, into out. */
static bool base_url(const char *ws_url, char *out, size_t capacity, size_t *length) {
    size_t base_length = strlen(ws_url);
    while (base_length > 0 && ws_url[base_length - 1] == '/') base_length--;
    if (base_length + 1 >= capacity) return false;
    memcpy(out, ws_url, base_length);
    out[base_length] = '\0';
    *length = base_length;
    return true;
}

/* BASE/private/ws?listenKey=KEY: the form the change notice gives. */
bool route_private_url(const char *ws_url, const char *listen_key, char *out, size_t capacity) {
    size_t length = 0;
    return base_url(ws_url, out, capacity, &length) && append_url(out, capacity, &length, "/private/ws?listenKey=", false) &&
           append_url(out, capacity, &length, listen_key, false);
}

/* BASE/market/stream?streams=<symbol>@markPrice@1s/...: symbols lower case. */
bool route_market_url(const char *ws_url, const char (*symbols)[SYMBOL_CAPACITY], size_t count, char *out,
                       size_t capacity) {
    size_t length = 0;
    if (!base_url(ws_url, out, capacity, &length) || !append_url(out, capacity, &length, "/market/stream?streams=", false))
        return false;
    for (size_t index = 0; index < count; index++)
        if ((index > 0 && !append_url(out, capacity, &length, "/", false)) ||
            !append_url(out, capacity, &length, symbols[index], true) ||
            !append_url(out, capacity, &length, "@markPrice@1s", false))
            return false;
    return true;
}

bool route_subscribe_request(const char *symbol, long id, char *out, size_t capacity) {
    char stream[SYMBOL_CAPACITY * 3 + 1];
    size_t length = 0;
    stream[0] = '\0';
    if (!append_url(stream, sizeof stream, &length, symbol, true)) return false;
    int written = snprintf(out, capacity, "{\"method\":\"SUBSCRIBE\",\"params\":[\"%s@markPrice@1s\"],\"id\":%ld}", stream, id);
    return written > 0 && (size_t)written < capacity;
}
