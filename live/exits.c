/* exits.c -- see exits.h. */
#include "live/exits.h"

#include <assert.h>
#include <cJSON.h>
#include <stdio.h>
#include <string.h>

#include "live/ws.h"

void exit_desk_init(exit_desk *desk, rest_client *rest, live_logger *logger, const exchange_rules *rules,
                    long long alert_after_ms) {
    memset(desk, 0, sizeof *desk);
    desk->rest = rest;
    desk->logger = logger;
    desk->rules = rules;
    desk->alert_after_ms = alert_after_ms;
}

/* The job of symbol under way, or NULL. */
static exit_job *find_job(exit_desk *desk, const char *symbol) {
    for (size_t index = 0; index < desk->count; index++)
        if (desk->jobs[index].state != EXIT_JOB_DONE && strcmp(desk->jobs[index].symbol, symbol) == 0)
            return &desk->jobs[index];
    return NULL;
}

bool exit_desk_active(const exit_desk *desk, const char *symbol) {
    return find_job((exit_desk *)desk, symbol) != NULL;
}

bool exit_desk_fire(exit_desk *desk, const char *symbol, int closing_side, const char *reason, double fired_ts,
                    long event_seq) {
    assert(closing_side == 1 || closing_side == -1);
    if (find_job(desk, symbol) != NULL || desk->count == EXIT_JOBS_MAX) return false;
    exit_job *job = &desk->jobs[desk->count++];
    memset(job, 0, sizeof *job);
    snprintf(job->symbol, sizeof job->symbol, "%s", symbol);
    snprintf(job->reason, sizeof job->reason, "%s", reason);
    job->closing_side = closing_side;
    job->fired_ts = fired_ts;
    job->event_seq = event_seq;
    job->fired_ms = ws_monotonic_ms();
    job->state = EXIT_JOB_SIZE;
    return true;
}

/* Ends job with a log line; an alerted job leaves state.json's list. */
static void finish_job(exit_desk *desk, exit_job *job, const char *how) {
    live_log(desk->logger, job->alerted ? "warn" : "info", "exit %s %s: %s after %lld ms%s", job->reason, job->symbol,
             how, ws_monotonic_ms() - job->fired_ms, job->alerted ? " (the alert is over)" : "");
    if (job->alerted) desk->changed = true;
    job->state = EXIT_JOB_DONE;
}

/* Records why the job waits for the next mark. */
static void wait_for_mark(exit_desk *desk, exit_job *job, const char *format, const char *detail) {
    snprintf(job->last_error, sizeof job->last_error, format, detail);
    live_log(desk->logger, "warn", "exit %s %s: %s: position re-read and order retried on the next mark", job->reason,
             job->symbol, job->last_error);
    job->state = EXIT_JOB_WAIT_MARK;
}

void exit_desk_on_mark(exit_desk *desk, const char *symbol) {
    exit_job *job = find_job(desk, symbol);
    if (job != NULL && job->state == EXIT_JOB_WAIT_MARK) job->state = EXIT_JOB_SIZE;
}

/* Whether an order status is final without a (full) fill. */
static bool ended_unfilled(const char *status) {
    return strcmp(status, "EXPIRED") == 0 || strcmp(status, "CANCELED") == 0 || strcmp(status, "REJECTED") == 0;
}

void exit_desk_on_order_update(exit_desk *desk, const char *client_id, const char *status) {
    for (size_t index = 0; index < desk->count; index++) {
        exit_job *job = &desk->jobs[index];
        if (job->state == EXIT_JOB_DONE) continue;
        bool all = job->part_count > 0, ended = false;
        for (size_t part = 0; part < job->part_count; part++) {
            bool mine = strcmp(job->client_ids[part], client_id) == 0;
            if (mine && strcmp(status, "FILLED") == 0) job->part_filled[part] = true;
            ended = ended || (mine && ended_unfilled(status));
            all = all && job->part_filled[part];
        }
        if (all) finish_job(desk, job, "filled");
        else if (ended && job->state == EXIT_JOB_WAIT_FILL) wait_for_mark(desk, job, "an order ended %s", status);
    }
}

void exit_desk_on_position(exit_desk *desk, const char *symbol, double qty) {
    exit_job *job = find_job(desk, symbol);
    if (job != NULL && qty == 0 && job->state != EXIT_JOB_QUERY) finish_job(desk, job, "the exchange position is flat");
}

/* GET positionRisk?symbol=: the exchange's positionAmt in 1e-8 units. */
static rest_status read_position(exit_desk *desk, exit_job *job, const char *encoded, long long *units) {
    char params[SYMBOL_CAPACITY * 3 + 16];
    snprintf(params, sizeof params, "symbol=%s", encoded);
    rest_status status = rest_call(desk->rest, "GET", "/fapi/v2/positionRisk", params, REST_SIGNED);
    if (status != REST_OK) return status;
    cJSON *root = cJSON_Parse(desk->rest->response.data);
    const cJSON *entry = NULL;
    bool found = false;
    *units = 0;
    cJSON_ArrayForEach(entry, root) {
        const cJSON *symbol = cJSON_GetObjectItemCaseSensitive(entry, "symbol");
        const cJSON *amount = cJSON_GetObjectItemCaseSensitive(entry, "positionAmt");
        if (cJSON_IsString(symbol) && strcmp(symbol->valuestring, job->symbol) == 0 && cJSON_IsString(amount))
            found = quantity_parse(amount->valuestring, units);
    }
    cJSON_Delete(root);
    if (!found) {
        snprintf(desk->rest->error_message, sizeof desk->rest->error_message, "positionRisk: no positionAmt for %s",
                 job->symbol);
        return REST_HTTP_ERROR;
    }
    return REST_OK;
}

/* Sends part of job; the outcome moves the job on. False when the job stops
 * sending (rejected, unknown, rate limited). */
static bool send_part(exit_desk *desk, exit_job *job, size_t part, const char *encoded) {
    assert(part < job->part_count && job->part_count <= QUANTITY_PARTS_MAX);
    assert(job->part_units[part] > 0);
    char quantity[QUANTITY_TEXT_CAPACITY];
    quantity_format(job->part_units[part], quantity);
    char params[512];
    snprintf(params, sizeof params, "symbol=%s&side=%s&type=MARKET&quantity=%s&reduceOnly=true&newClientOrderId=%s",
             encoded, job->closing_side > 0 ? "BUY" : "SELL", quantity, job->client_ids[part]);
    desk->orders_sent++;
    rest_status status = rest_call(desk->rest, "POST", "/fapi/v1/order", params, REST_SIGNED);
    if (status == REST_OK) {
        live_log(desk->logger, "info", "exit %s %s: order %s accepted: %s %s (part %zu of %zu)", job->reason,
                 job->symbol, job->client_ids[part], job->closing_side > 0 ? "BUY" : "SELL", quantity, part + 1,
                 job->part_count);
        return true;
    }
    if (status == REST_RATE_LIMITED) {
        desk->orders_sent--;
        snprintf(job->last_error, sizeof job->last_error, "%s", desk->rest->error_message);
        job->retry_at_ms = ws_monotonic_ms() + EXIT_RETRY_MS;
        return false;
    }
    if (rest_outcome_unknown(desk->rest, status)) {
        snprintf(job->last_error, sizeof job->last_error, "order %s outcome unknown (%s)", job->client_ids[part],
                 desk->rest->error_message);
        live_log(desk->logger, "warn", "exit %s %s: %s: querying it before anything is sent again", job->reason,
                 job->symbol, job->last_error);
        job->state = EXIT_JOB_QUERY;
        job->query_part = part;
        return false;
    }
    desk->rejections++;
    wait_for_mark(desk, job, "order rejected: %s", desk->rest->error_message);
    return false;
}

/* Steps 1 and 2: size from the exchange's position, cut the parts. */
static void size_parts(exit_desk *desk, exit_job *job) {
    char encoded[SYMBOL_CAPACITY * 3 + 1];
    if (!rest_encode(job->symbol, encoded, sizeof encoded)) return;
    long long units = 0;
    rest_status status = read_position(desk, job, encoded, &units);
    if (status != REST_OK) {
        snprintf(job->last_error, sizeof job->last_error, "%s", desk->rest->error_message);
        job->retry_at_ms = ws_monotonic_ms() + EXIT_RETRY_MS;
        return;
    }
    if (units == 0 || (units > 0) == (job->closing_side > 0)) {
        finish_job(desk, job, "no position left to close on the exchange");
        return;
    }
    const symbol_rules *rules = exchange_rules_find(desk->rules, job->symbol);
    if (rules == NULL) {
        wait_for_mark(desk, job, "%s", "no lot size filter for the symbol in exchangeInfo");
        return;
    }
    job->attempts++;
    job->part_count = quantity_exit_parts(units, &rules->market, job->part_units, QUANTITY_PARTS_MAX);
    if (job->part_count == 0) {
        char amount[QUANTITY_TEXT_CAPACITY];
        quantity_format(units, amount);
        wait_for_mark(desk, job, "position %s is below minQty once rounded down to stepSize", amount);
        return;
    }
    for (size_t part = 0; part < job->part_count; part++) {
        snprintf(job->client_ids[part], sizeof job->client_ids[part], "lsx-%ld-%ld-%zu", job->event_seq,
                 job->attempts, part + 1);
        job->part_filled[part] = false;
    }
    job->next_part = 0;
    job->state = EXIT_JOB_SEND;
}

/* Sends the parts from next_part on; every part accepted: wait for the fills. */
static void send_parts(exit_desk *desk, exit_job *job) {
    char encoded[SYMBOL_CAPACITY * 3 + 1];
    if (!rest_encode(job->symbol, encoded, sizeof encoded)) return;
    for (; job->next_part < job->part_count; job->next_part++)
        if (!send_part(desk, job, job->next_part, encoded)) return;
    job->state = EXIT_JOB_WAIT_FILL;
}

/* Step 3: GET /fapi/v1/order?origClientOrderId= of the part sent last. */
static void query_unknown(exit_desk *desk, exit_job *job) {
    char encoded[SYMBOL_CAPACITY * 3 + 1];
    if (!rest_encode(job->symbol, encoded, sizeof encoded)) return;
    char params[256];
    snprintf(params, sizeof params, "symbol=%s&origClientOrderId=%s", encoded, job->client_ids[job->query_part]);
    rest_status status = rest_call(desk->rest, "GET", "/fapi/v1/order", params, REST_SIGNED);
    if (status == REST_OK) {
        cJSON *root = cJSON_Parse(desk->rest->response.data);
        const cJSON *state = cJSON_GetObjectItemCaseSensitive(root, "status");
        char text[32];
        snprintf(text, sizeof text, "%s", cJSON_IsString(state) ? state->valuestring : "?");
        cJSON_Delete(root);
        live_log(desk->logger, "info", "exit %s %s: order %s was placed after all (status %s): not sent again",
                 job->reason, job->symbol, job->client_ids[job->query_part], text);
        job->next_part = job->query_part + 1;
        job->state = job->next_part < job->part_count ? EXIT_JOB_SEND : EXIT_JOB_WAIT_FILL;
        exit_desk_on_order_update(desk, job->client_ids[job->query_part], text);
        return;
    }
    if (status == REST_API_ERROR && desk->rest->error_code == -2013) {
        wait_for_mark(desk, job, "order %s was not placed (-2013)", job->client_ids[job->query_part]);
        return;
    }
    job->retry_at_ms = ws_monotonic_ms() + EXIT_RETRY_MS;
}

/* Raises the alert of job once it is due. */
static void alert_if_due(exit_desk *desk, exit_job *job, long long now) {
    if (job->alerted || now - job->fired_ms < desk->alert_after_ms) return;
    job->alerted = true;
    desk->alerts++;
    desk->changed = true;
    live_log(desk->logger, "error",
             "ALERT unfilled exit: %s %s %s fired at ts %.3f (event %ld) is not filled after %lld ms (%ld attempts; "
             "last: %s); still retrying on every mark",
             job->reason, job->symbol, job->closing_side > 0 ? "BUY" : "SELL", job->fired_ts, job->event_seq,
             now - job->fired_ms, job->attempts, job->last_error[0] != '\0' ? job->last_error : "no fill reported");
}

void exit_desk_run(exit_desk *desk) {
    assert(desk->count <= EXIT_JOBS_MAX);
    long long now = ws_monotonic_ms();
    for (size_t index = 0; index < desk->count; index++) {
        exit_job *job = &desk->jobs[index];
        if (job->state == EXIT_JOB_DONE || now < job->retry_at_ms) continue;
        if (job->state == EXIT_JOB_SIZE && rest_blocked_ms(desk->rest, true) == 0) size_parts(desk, job);
        if (job->state == EXIT_JOB_SEND && rest_blocked_ms(desk->rest, true) == 0) send_parts(desk, job);
        else if (job->state == EXIT_JOB_QUERY && rest_blocked_ms(desk->rest, true) == 0) query_unknown(desk, job);
        if (job->state != EXIT_JOB_DONE) alert_if_due(desk, job, now);
    }
    size_t kept = 0;
    for (size_t index = 0; index < desk->count; index++)
        if (desk->jobs[index].state != EXIT_JOB_DONE) desk->jobs[kept++] = desk->jobs[index];
    desk->count = kept;
    assert(desk->count <= EXIT_JOBS_MAX);
}

void exit_desk_render(void *context, json_writer *writer) {
    const exit_desk *desk = context;
    size_t alerted = 0;
    for (size_t index = 0; index < desk->count; index++)
        if (desk->jobs[index].alerted && desk->jobs[index].state != EXIT_JOB_DONE) alerted++;
    if (alerted == 0) return;
    JSON_KEY(writer, "live");
    json_object_begin(writer);
    JSON_KEY(writer, "unfilled_exits");
    json_array_begin(writer);
    for (size_t index = 0; index < desk->count; index++) {
        const exit_job *job = &desk->jobs[index];
        if (!job->alerted || job->state == EXIT_JOB_DONE) continue;
        json_object_begin(writer);
        JSON_KEY(writer, "symbol"); json_string(writer, job->symbol);
        JSON_KEY(writer, "side"); json_string(writer, job->closing_side > 0 ? "BUY" : "SELL");
        JSON_KEY(writer, "reason"); json_string(writer, job->reason);
        JSON_KEY(writer, "fired_ts"); json_number(writer, job->fired_ts);
        JSON_KEY(writer, "event_seq"); json_integer(writer, job->event_seq);
        JSON_KEY(writer, "attempts"); json_integer(writer, job->attempts);
        JSON_KEY(writer, "last_error"); json_string(writer, job->last_error);
        json_object_end(writer);
    }
    json_array_end(writer);
    json_object_end(writer);
}
