/* ws.c -- see ws.h. */
#include "live/ws.h"

#include <assert.h>
#include <libwebsockets.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "live/libraries.h"

enum { WS_CONNECTIONS_PER_LOOP = 16 };

/* libwebsockets logs through one process-wide emitter: route it to the
 * redacting logger of the live loop (there is one per process). */
static live_logger *library_logger = NULL;

static void emit_library_log(int level, const char *line) {
    if (library_logger == NULL) return;
    char copy[512];
    snprintf(copy, sizeof copy, "%s", line);
    size_t length = strlen(copy);
    while (length > 0 && (copy[length - 1] == '\n' || copy[length - 1] == '\r')) copy[--length] = '\0';
    live_log(library_logger, level == LLL_ERR ? "error" : "warn", "websocket library: %s", copy);
}

long long ws_monotonic_ms(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

/* Marks socket closed (reason kept when one is set already). */
static void mark_closed(live_ws *socket, const char *reason) {
    if (socket->reason[0] == '\0') snprintf(socket->reason, sizeof socket->reason, "%s", reason);
    socket->state = WS_CLOSED;
    socket->connection = NULL;
}

/* Appends a received fragment; hands a complete message to the handler. */
static int on_receive(live_ws *socket, struct lws *connection, const void *in, size_t length) {
    if (!buffer_append(&socket->message, in, length)) {
        snprintf(socket->reason, sizeof socket->reason, "message larger than %d bytes", WS_MESSAGE_LIMIT);
        return -1;
    }
    if (LIVE(lws_is_final_fragment)(connection) && LIVE(lws_remaining_packet_payload)(connection) == 0) {
        socket->messages_received++;
        socket->last_activity_ms = ws_monotonic_ms();
        if (socket->handler != NULL)
            socket->handler(socket->handler_context, socket->message.data != NULL ? socket->message.data : "",
                            socket->message.length);
        buffer_reset(&socket->message);
    }
    return 0;
}

/* The socket can take one write: a close, a ping, or the first queued text. */
static int on_writable(live_ws *socket, struct lws *connection) {
    assert(socket->outgoing.length < WS_OUTGOING_LIMIT);
    if (socket->close_requested) {
        LIVE(lws_close_reason)(connection, LWS_CLOSE_STATUS_NORMAL, NULL, 0);
        return -1;
    }
    unsigned char frame[LWS_PRE + WS_TEXT_LIMIT];
    if (socket->ping_requested) {
        socket->ping_requested = false;
        memcpy(frame + LWS_PRE, "ledgersim", 9);
        if (LIVE(lws_write)(connection, frame + LWS_PRE, 9, LWS_WRITE_PING) < 0) return -1;
    } else if (socket->outgoing.length > 0) {
        size_t length = strlen(socket->outgoing.data);
        if (length > sizeof frame - LWS_PRE) return -1; /* ws_send_text refuses longer texts */
        memcpy(frame + LWS_PRE, socket->outgoing.data, length);
        if (LIVE(lws_write)(connection, frame + LWS_PRE, length, LWS_WRITE_TEXT) < (int)length) return -1;
        size_t rest = socket->outgoing.length - (length + 1);
        memmove(socket->outgoing.data, socket->outgoing.data + length + 1, rest + 1);
        socket->outgoing.length = rest;
    }
    if (socket->ping_requested || socket->outgoing.length > 0) LIVE(lws_callback_on_writable)(connection);
    return 0;
}

/* The libwebsockets callback of every connection: its live_ws is the
 * connection's user data (set by ws_connect). */
static int on_event(struct lws *connection, enum lws_callback_reasons reason, void *user, void *in, size_t length) {
    live_ws *socket = user;
    if (socket == NULL || connection == NULL) return 0;
    if ((uintptr_t)LIVE(lws_get_opaque_user_data)(connection) != socket->generation) {
        /* An older attempt of this socket (aborted, superseded): drop it quietly. */
        return reason == LWS_CALLBACK_CLIENT_RECEIVE || reason == LWS_CALLBACK_CLIENT_WRITEABLE ? -1 : 0;
    }
    switch (reason) {
    case LWS_CALLBACK_CLIENT_ESTABLISHED:
        socket->state = WS_OPEN;
        socket->connections_opened++;
        socket->last_activity_ms = ws_monotonic_ms();
        buffer_reset(&socket->message);
        if (socket->outgoing.length > 0 || socket->ping_requested) LIVE(lws_callback_on_writable)(connection);
        break;
    case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
        snprintf(socket->reason, sizeof socket->reason, "connection error: %s",
                 in != NULL ? (const char *)in : "(none given)");
        mark_closed(socket, "connection error");
        break;
    case LWS_CALLBACK_CLIENT_RECEIVE:
        return on_receive(socket, connection, in, length);
    case LWS_CALLBACK_CLIENT_RECEIVE_PONG:
        socket->pongs_received++;
        socket->last_activity_ms = ws_monotonic_ms();
        break;
    case LWS_CALLBACK_CLIENT_WRITEABLE:
        return on_writable(socket, connection);
    case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
        snprintf(socket->reason, sizeof socket->reason, "closed by the server");
        break;
    case LWS_CALLBACK_CLIENT_CLOSED:
        mark_closed(socket, "connection closed");
        break;
    case LWS_CALLBACK_WSI_DESTROY:
        if (socket->connection == connection || socket->state == WS_CONNECTING || socket->state == WS_OPEN)
            mark_closed(socket, "connection lost");
        break;
    default:
        break;
    }
    return 0;
}

static const struct lws_protocols protocols[] = {
    {"ledgersim-live", on_event, 0, 65536, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0}};

/* The wake-up timer's callback: nothing to do, the wait just ends. */
static void on_wake(lws_sorted_usec_list_t *timer) { (void)timer; }

int ws_loop_init(ws_loop *loop, live_logger *logger) {
    memset(loop, 0, sizeof *loop);
    if (!live_libraries_load()) return -1;
    loop->logger = logger;
    library_logger = logger;
    LIVE(lws_set_log_level)(LLL_ERR | LLL_WARN, emit_library_log);
    struct lws_context_creation_info info;
    memset(&info, 0, sizeof info);
    info.port = CONTEXT_PORT_NO_LISTEN;
    info.protocols = protocols;
    info.options = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
    info.gid = -1;
    info.uid = -1;
    info.fd_limit_per_thread = WS_CONNECTIONS_PER_LOOP;
    loop->wake_timer = calloc(1, sizeof(lws_sorted_usec_list_t));
    if (loop->wake_timer == NULL) return -1;
    loop->context = LIVE(lws_create_context)(&info);
    return loop->context == NULL ? -1 : 0;
}

void ws_loop_service(ws_loop *loop, int timeout_ms) {
    assert(loop->context != NULL && timeout_ms >= 0);
    /* lws_service() ignores its timeout (libwebsockets >= 3.2): a timer
     * bounds the wait instead. */
    LIVE(lws_sul_schedule)(loop->context, 0, loop->wake_timer, on_wake, (lws_usec_t)timeout_ms * LWS_US_PER_MS);
    LIVE(lws_service)(loop->context, 0);
}

void ws_loop_destroy(ws_loop *loop) {
    if (loop->context != NULL) {
        LIVE(lws_sul_cancel)(loop->wake_timer);
        LIVE(lws_context_destroy)(loop->context);
    }
    free(loop->wake_timer);
    loop->wake_timer = NULL;
    loop->context = NULL;
    library_logger = NULL;
}

void ws_init(live_ws *socket, ws_loop *loop, const char *name, ws_message_handler handler, void *handler_context) {
    memset(socket, 0, sizeof *socket);
    socket->loop = loop;
    snprintf(socket->name, sizeof socket->name, "%s", name);
    socket->handler = handler;
    socket->handler_context = handler_context;
    buffer_init(&socket->message, WS_MESSAGE_LIMIT);
    buffer_init(&socket->outgoing, WS_OUTGOING_LIMIT);
}

bool ws_parse_url(const char *url, bool *secure, char *host, size_t host_capacity, int *port, char *path,
                  size_t path_capacity) {
    const char *rest;
    if (strncmp(url, "wss://", 6) == 0) {
        *secure = true;
        rest = url + 6;
        *port = 443;
    } else if (strncmp(url, "ws://", 5) == 0) {
        *secure = false;
        rest = url + 5;
        *port = 80;
    } else {
        return false;
    }
    size_t host_length = strcspn(rest, ":/");
    if (host_length == 0 || host_length >= host_capacity) return false;
    memcpy(host, rest, host_length);
    host[host_length] = '\0';
    rest += host_length;
    if (*rest == ':') {
        char *end = NULL;
        long value = strtol(rest + 1, &end, 10);
        if (end == rest + 1 || value <= 0 || value > 65535) return false;
        *port = (int)value;
        rest = end;
    }
    if (*rest == '\0') rest = "/";
    if (*rest != '/' || strlen(rest) >= path_capacity) return false;
    snprintf(path, path_capacity, "%s", rest);
    return true;
}

int ws_connect(live_ws *socket, const char *url) {
    assert(socket->loop != NULL && socket->loop->context != NULL);
    assert(socket->state != WS_CONNECTING && socket->state != WS_OPEN);
    bool secure = false;
    char host[256];
    char path[WS_URL_CAPACITY];
    int port = 0;
    if (!ws_parse_url(url, &secure, host, sizeof host, &port, path, sizeof path)) {
        snprintf(socket->reason, sizeof socket->reason, "bad WebSocket URL");
        return -1;
    }
    struct lws_client_connect_info info;
    memset(&info, 0, sizeof info);
    info.context = socket->loop->context;
    info.address = host;
    info.port = port;
    info.ssl_connection = secure ? LCCSCF_USE_SSL : 0;
    info.path = path;
    info.host = host;
    info.origin = host;
    info.ietf_version_or_minus_one = -1;
    info.userdata = socket;
    socket->generation++;
    info.opaque_user_data = (void *)(uintptr_t)socket->generation;
    struct lws *connection = NULL;
    info.pwsi = &connection;
    socket->reason[0] = '\0';
    socket->close_requested = false;
    socket->ping_requested = false;
    socket->state = WS_CONNECTING;
    buffer_reset(&socket->message);
    buffer_reset(&socket->outgoing);
    if (LIVE(lws_client_connect_via_info)(&info) == NULL) {
        mark_closed(socket, "connect failed");
        return -1;
    }
    if (socket->state == WS_CONNECTING) socket->connection = connection;
    return 0;
}

bool ws_send_text(live_ws *socket, const char *text) {
    if (socket->state != WS_OPEN || socket->connection == NULL || strlen(text) >= WS_TEXT_LIMIT) return false;
    /* The NUL after each text separates the queued texts (it is counted in the length). */
    if (socket->outgoing.length + strlen(text) + 1 >= WS_OUTGOING_LIMIT) return false;
    if (!buffer_append(&socket->outgoing, text, strlen(text) + 1)) return false;
    assert(socket->outgoing.length < WS_OUTGOING_LIMIT && socket->outgoing.data[socket->outgoing.length - 1] == '\0');
    LIVE(lws_callback_on_writable)(socket->connection);
    return true;
}

void ws_ping(live_ws *socket) {
    if (socket->state != WS_OPEN || socket->connection == NULL) return;
    socket->ping_requested = true;
    LIVE(lws_callback_on_writable)(socket->connection);
}

void ws_request_close(live_ws *socket) {
    if (socket->connection == NULL || (socket->state != WS_OPEN && socket->state != WS_CONNECTING)) return;
    socket->close_requested = true;
    if (socket->state == WS_OPEN) LIVE(lws_callback_on_writable)(socket->connection);
    else LIVE(lws_set_timeout)(socket->connection, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
}

void ws_abort(live_ws *socket, const char *reason) {
    if (socket->connection == NULL || (socket->state != WS_OPEN && socket->state != WS_CONNECTING)) return;
    snprintf(socket->reason, sizeof socket->reason, "%s", reason);
    LIVE(lws_set_timeout)(socket->connection, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
}

void ws_free(live_ws *socket) {
    socket->connection = NULL;
    socket->state = WS_CLOSED;
    buffer_free(&socket->message);
    buffer_free(&socket->outgoing);
}
