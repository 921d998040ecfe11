/* rest.c -- see rest.h. */
#include "live/rest.h"

#include <assert.h>
#include <cJSON.h>
#include <curl/curl.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "live/libraries.h"

bool rest_global_init(void) { return live_libraries_load() && LIVE(curl_global_init)(CURL_GLOBAL_DEFAULT) == CURLE_OK; }

long long rest_local_time_ms(void) {
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    return (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

/* libcurl write callback: appends to the response buffer (bounded). */
static size_t on_body(char *data, size_t size, size_t count, void *context) {
    rest_client *client = context;
    size_t length = size * count;
    if (!buffer_append(&client->response, data, length)) return 0; /* aborts the transfer */
    return length;
}

/* Reads "name: number" from a header line into *value when name matches. */
static void header_number(const char *line, size_t length, const char *name, long *value) {
    size_t name_length = strlen(name);
    if (length <= name_length + 1 || strncasecmp(line, name, name_length) != 0 || line[name_length] != ':') return;
    char digits[32];
    size_t used = 0;
    for (size_t index = name_length + 1; index < length && used + 1 < sizeof digits; index++)
        if (isdigit((unsigned char)line[index])) digits[used++] = line[index];
        else if (used > 0) break;
    digits[used] = '\0';
    if (used > 0) *value = strtol(digits, NULL, 10);
}

/* libcurl header callback: rate-limit headers and Retry-After. */
static size_t on_header(char *data, size_t size, size_t count, void *context) {
    rest_client *client = context;
    size_t length = size * count;
    header_number(data, length, "x-mbx-used-weight-1m", &client->used_weight_1m);
    header_number(data, length, "x-mbx-order-count-1m", &client->order_count_1m);
    header_number(data, length, "retry-after", &client->retry_after_s);
    return length;
}

int rest_open(rest_client *client, const char *base_url, const credentials *keys, live_logger *logger) {
    memset(client, 0, sizeof *client);
    size_t length = strlen(base_url);
    while (length > 0 && base_url[length - 1] == '/') length--;
    if (length == 0 || length >= sizeof client->base_url) return -1;
    memcpy(client->base_url, base_url, length);
    client->base_url[length] = '\0';
    client->keys = keys;
    client->logger = logger;
    client->recv_window_ms = 5000;
    client->timeout_ms = REST_TIMEOUT_MS;
    client->weight_limit_1m = REST_WEIGHT_LIMIT_1M;
    buffer_init(&client->response, REST_RESPONSE_LIMIT);
    client->curl = LIVE(curl_easy_init)();
    return client->curl == NULL ? -1 : 0;
}

void rest_close(rest_client *client) {
    if (client->curl != NULL) LIVE(curl_easy_cleanup)(client->curl);
    client->curl = NULL;
    buffer_free(&client->response);
}

bool rest_signed_query(const char *secret, const char *params, long recv_window_ms, long long timestamp_ms,
                       char *out, size_t capacity) {
    char query[REST_QUERY_CAPACITY];
    int length = snprintf(query, sizeof query, "%s%srecvWindow=%ld&timestamp=%lld", params,
                          params[0] != '\0' ? "&" : "", recv_window_ms, timestamp_ms);
    if (length < 0 || (size_t)length >= sizeof query) return false;
    char signature[SIGNATURE_HEX_CAPACITY];
    if (!live_sign(secret, query, NULL, signature)) return false;
    length = snprintf(out, capacity, "%s&signature=%s", query, signature);
    return length > 0 && (size_t)length < capacity;
}

/* Reads {"code","msg"} from the body, if that is what it is. */
static bool parse_api_error(rest_client *client) {
    if (client->response.data == NULL) return false;
    cJSON *root = cJSON_Parse(client->response.data);
    const cJSON *code = cJSON_GetObjectItemCaseSensitive(root, "code");
    const cJSON *message = cJSON_GetObjectItemCaseSensitive(root, "msg");
    bool found = cJSON_IsNumber(code) && code->valuedouble < 0;
    if (found) {
        client->error_code = (long)code->valuedouble;
        snprintf(client->error_message, sizeof client->error_message, "code %ld: %s", client->error_code,
                 cJSON_IsString(message) ? message->valuestring : "(no msg)");
    }
    cJSON_Delete(root);
    return found;
}

long long rest_blocked_ms(const rest_client *client, bool urgent) {
    long long now = rest_local_time_ms();
    long long until = client->banned_until_ms > client->paused_until_ms ? client->banned_until_ms
                                                                        : client->paused_until_ms;
    if (!urgent && client->paced_until_ms > until) until = client->paced_until_ms;
    return until > now ? until - now : 0;
}

bool rest_outcome_unknown(const rest_client *client, rest_status status) {
    if (status == REST_TRANSPORT_ERROR) return true;
    if (status == REST_OK || status == REST_RATE_LIMITED) return false;
    return client->http_status >= 500 || client->error_code == -1006 || client->error_code == -1007;
}

bool rest_encode(const char *text, char *out, size_t capacity) {
    static const char hex[] = "0123456789ABCDEF";
    size_t used = 0;
    for (const unsigned char *cursor = (const unsigned char *)text; *cursor != '\0'; cursor++) {
        bool plain = isalnum(*cursor) || *cursor == '-' || *cursor == '_' || *cursor == '.' || *cursor == '~';
        if (used + (plain ? 1 : 3) >= capacity) return false;
        if (plain) {
            out[used++] = (char)*cursor;
        } else {
            out[used++] = '%';
            out[used++] = hex[*cursor >> 4];
            out[used++] = hex[*cursor & 15];
        }
    }
    if (capacity == 0) return false;
    out[used] = '\0';
    return true;
}

/* After an answer: pace by X-MBX-USED-WEIGHT-1M (the weight used in the
 * current minute of the exchange clock). */
static void pace(rest_client *client) {
    if (client->used_weight_1m < 0 || client->weight_limit_1m <= 0) return;
    if (client->used_weight_1m * 100 < (long)REST_PACE_PERCENT * client->weight_limit_1m) return;
    long long server_now = rest_local_time_ms() + client->time_offset_ms;
    long long next_minute = (server_now / 60000 + 1) * 60000;
    client->paced_until_ms = next_minute - client->time_offset_ms;
    live_log(client->logger, "warn", "rest: used weight %ld of %ld this minute: resyncs wait %lld ms (exits do not)",
             client->used_weight_1m, client->weight_limit_1m, next_minute - server_now);
}

/* One HTTP exchange without retries. */
static rest_status perform(rest_client *client, const char *method, const char *path, const char *params,
                           rest_security security) {
    CURL *curl = client->curl;
    char query[REST_QUERY_CAPACITY + 128];
    if (security == REST_SIGNED) {
        if (!rest_signed_query(client->keys->api_secret, params, client->recv_window_ms,
                               rest_local_time_ms() + client->time_offset_ms, query, sizeof query)) {
            snprintf(client->error_message, sizeof client->error_message, "%s %s: query too long", method, path);
            return REST_TRANSPORT_ERROR;
        }
    } else {
        snprintf(query, sizeof query, "%s", params);
    }
    char url[URL_CAPACITY + sizeof query + 8];
    snprintf(url, sizeof url, "%s%s%s%s", client->base_url, path, query[0] != '\0' ? "?" : "", query);
    buffer_reset(&client->response);
    client->http_status = 0;
    client->error_code = 0;
    client->error_message[0] = '\0';
    client->retry_after_s = -1;
    client->used_weight_1m = -1;
    client->order_count_1m = -1;
    LIVE(curl_easy_reset)(curl);
    struct curl_slist *headers = NULL;
    char key_header[CREDENTIAL_CAPACITY + 32];
    if (security != REST_PUBLIC) {
        snprintf(key_header, sizeof key_header, "X-MBX-APIKEY: %s", client->keys->api_key);
        headers = LIVE(curl_slist_append)(headers, key_header);
        if (headers == NULL) return REST_TRANSPORT_ERROR;
    }
    LIVE(curl_easy_setopt)(curl, CURLOPT_URL, url);
    LIVE(curl_easy_setopt)(curl, CURLOPT_CUSTOMREQUEST, method);
    if (strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0) {
        LIVE(curl_easy_setopt)(curl, CURLOPT_POSTFIELDS, "");
        LIVE(curl_easy_setopt)(curl, CURLOPT_POSTFIELDSIZE, 0L);
    }
    LIVE(curl_easy_setopt)(curl, CURLOPT_HTTPHEADER, headers);
    LIVE(curl_easy_setopt)(curl, CURLOPT_WRITEFUNCTION, on_body);
    LIVE(curl_easy_setopt)(curl, CURLOPT_WRITEDATA, client);
    LIVE(curl_easy_setopt)(curl, CURLOPT_HEADERFUNCTION, on_header);
    LIVE(curl_easy_setopt)(curl, CURLOPT_HEADERDATA, client);
    LIVE(curl_easy_setopt)(curl, CURLOPT_TIMEOUT_MS, client->timeout_ms);
    LIVE(curl_easy_setopt)(curl, CURLOPT_CONNECTTIMEOUT_MS, (long)REST_CONNECT_TIMEOUT_MS);
    LIVE(curl_easy_setopt)(curl, CURLOPT_NOSIGNAL, 1L);
    LIVE(curl_easy_setopt)(curl, CURLOPT_USERAGENT, "ledgersim-live/0.1");
    CURLcode result = LIVE(curl_easy_perform)(curl);
    LIVE(curl_slist_free_all)(headers);
    /* The header held the key: wipe the local copy. */
    volatile char *wipe = key_header;
    for (size_t index = 0; index < sizeof key_header; index++) wipe[index] = 0;
    client->requests_sent++;
    if (result != CURLE_OK) {
        snprintf(client->error_message, sizeof client->error_message, "%s %s: %s", method, path,
                 LIVE(curl_easy_strerror)(result));
        live_log(client->logger, "warn", "rest %s %s failed: %s", method, path, LIVE(curl_easy_strerror)(result));
        return REST_TRANSPORT_ERROR;
    }
    LIVE(curl_easy_getinfo)(curl, CURLINFO_RESPONSE_CODE, &client->http_status);
    if (buffer_failed(&client->response)) {
        snprintf(client->error_message, sizeof client->error_message, "%s %s: answer too large", method, path);
        return REST_TRANSPORT_ERROR;
    }
    if (client->response.data == NULL) buffer_append_text(&client->response, "");
    live_log(client->logger, "info", "rest %s %s -> %ld used-weight-1m=%ld order-count-1m=%ld", method, path,
             client->http_status, client->used_weight_1m, client->order_count_1m);
    pace(client);
    if (client->http_status >= 200 && client->http_status < 300) return REST_OK;
    if (client->http_status == 429 || client->http_status == 418) {
        snprintf(client->error_message, sizeof client->error_message, "%s %s: HTTP %ld (%s), Retry-After %ld s",
                 method, path, client->http_status,
                 client->http_status == 418 ? "IP banned after repeated 429s" : "request rate limit", client->retry_after_s);
        return REST_RATE_LIMITED;
    }
    if (parse_api_error(client)) return REST_API_ERROR;
    snprintf(client->error_message, sizeof client->error_message, "%s %s: HTTP %ld", method, path, client->http_status);
    return REST_HTTP_ERROR;
}

rest_status rest_sync_time(rest_client *client, long long *server_time_ms) {
    long long before = rest_local_time_ms();
    rest_status status = perform(client, "GET", "/fapi/v1/time", "", REST_PUBLIC);
    long long after = rest_local_time_ms();
    if (status != REST_OK) return status;
    cJSON *root = cJSON_Parse(client->response.data);
    const cJSON *time_item = cJSON_GetObjectItemCaseSensitive(root, "serverTime");
    bool ok = cJSON_IsNumber(time_item) && time_item->valuedouble > 0;
    long long server = ok ? (long long)time_item->valuedouble : 0;
    cJSON_Delete(root);
    if (!ok) {
        snprintf(client->error_message, sizeof client->error_message, "GET /fapi/v1/time: no serverTime");
        return REST_HTTP_ERROR;
    }
    /* The server read its clock about half-way through the round trip. */
    client->time_offset_ms = server - (before + (after - before) / 2);
    client->clock_resyncs++;
    if (server_time_ms != NULL) *server_time_ms = server;
    return REST_OK;
}

rest_status rest_call(rest_client *client, const char *method, const char *path, const char *params,
                      rest_security security) {
    assert(client->curl != NULL);
    /* Pacing is the callers' choice (rest_blocked_ms): an exit's reads and
     * orders go out in the last 10 % of the weight, a resync waits. */
    long long blocked = rest_blocked_ms(client, true);
    if (blocked > 0) {
        const char *why = client->banned_until_ms > rest_local_time_ms() ? "IP banned (HTTP 418)"
                                                                        : "rate limited (HTTP 429)";
        snprintf(client->error_message, sizeof client->error_message, "%s %s: not sent: %s for %lld s more", method,
                 path, why, (blocked + 999) / 1000);
        return REST_RATE_LIMITED;
    }
    for (bool clock_retried = false;;) {
        rest_status status = perform(client, method, path, params, security);
        if (status == REST_API_ERROR && client->error_code == -1021 && !clock_retried) {
            clock_retried = true;
            live_log(client->logger, "warn", "rest %s %s: -1021 (timestamp outside recvWindow): resyncing the clock",
                     method, path);
            long long ignored = 0;
            if (rest_sync_time(client, &ignored) != REST_OK) return REST_API_ERROR;
            live_log(client->logger, "info", "clock offset now %lld ms; retrying once", client->time_offset_ms);
            continue;
        }
        if (status == REST_RATE_LIMITED) {
            /* Never sleep here: the caller's loop services the streams. */
            long wait_ms = (client->retry_after_s >= 0 ? client->retry_after_s : 1) * 1000L;
            long long until = rest_local_time_ms() + wait_ms;
            if (client->http_status == 418) client->banned_until_ms = until;
            else client->paused_until_ms = until;
            live_log(client->logger, client->http_status == 418 ? "error" : "warn",
                     "%s: requests paused %ld ms (the streams keep running)", client->error_message, wait_ms);
        }
        return status;
    }
}
