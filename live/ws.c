/* ws.c -- see ws.h. */
#include "live/ws.h"

#include <assert.h>
#include <libwebsockets.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "live/libraries.h"

/* libwebsockets logs through one process-wide emitter: route it to the
 * redacting logger of the live socket (there is one per process). */
static live_logger *library_logger = NULL;

static void emit_library_log(int level, const char *line) {
    if (library_logger == NULL) return;
    char copy[512];
    snprintf(copy, sizeof copy, "%s", line);
    size_t length = strlen(copy);
    while (length > 0 && (copy[length - 1] == '\n' || copy[length - 1] == '\r')) copy[--length] = '\0';
    live_log(library_logger, level == LLL_ERR ? "error" : "warn", "websocket library: %s", copy);
}

/* The libwebsockets callback of the connection: tracks its state, reassembles
 * messages into socket->message (owned by the socket) and hands each complete
 * one to the handler; returns -1 to close when a close was requested. */
static int on_event(struct lws *connection, enum lws_callback_reasons reason, void *user, void *in, size_t length) {
    (void)user;
    struct lws_context *context = LIVE(lws_get_context)(connection);
    live_ws *socket = context != NULL ? LIVE(lws_context_user)(context) : NULL;
    if (socket == NULL) return 0;
    switch (reason) {
    case LWS_CALLBACK_CLIENT_ESTABLISHED:
        socket->state = WS_OPEN;
        socket->connections_opened++;
        buffer_reset(&socket->message);
        break;
    case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
        snprintf(socket->reason, sizeof socket->reason, "connection error: %s",
                 in != NULL ? (const char *)in : "(none given)");
        socket->state = WS_CLOSED;
        socket->connection = NULL;
        break;
    case LWS_CALLBACK_CLIENT_RECEIVE:
        if (!buffer_append(&socket->message, in, length)) {
            snprintf(socket->reason, sizeof socket->reason, "message larger than %d bytes", WS_MESSAGE_LIMIT);
            return -1;
        }
        if (LIVE(lws_is_final_fragment)(connection) && LIVE(lws_remaining_packet_payload)(connection) == 0) {
            socket->messages_received++;
            if (socket->handler != NULL)
                socket->handler(socket->handler_context, socket->message.data != NULL ? socket->message.data : "",
                                socket->message.length);
            buffer_reset(&socket->message);
        }
        break;
    case LWS_CALLBACK_CLIENT_WRITEABLE:
        if (socket->close_requested) {
            LIVE(lws_close_reason)(connection, LWS_CLOSE_STATUS_NORMAL, NULL, 0);
            return -1;
        }
        break;
    case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
        snprintf(socket->reason, sizeof socket->reason, "closed by the server");
        break;
    case LWS_CALLBACK_CLIENT_CLOSED:
        if (socket->reason[0] == '\0') snprintf(socket->reason, sizeof socket->reason, "connection closed");
        socket->state = WS_CLOSED;
        socket->connection = NULL;
        break;
    case LWS_CALLBACK_WSI_DESTROY:
        if (socket->connection == connection || socket->state == WS_CONNECTING || socket->state == WS_OPEN) {
            if (socket->reason[0] == '\0') snprintf(socket->reason, sizeof socket->reason, "connection lost");
            socket->state = WS_CLOSED;
            socket->connection = NULL;
        }
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

int ws_init(live_ws *socket, live_logger *logger, ws_message_handler handler, void *handler_context) {
    memset(socket, 0, sizeof *socket);
    if (!live_libraries_load()) return -1;
    socket->logger = logger;
    socket->handler = handler;
    socket->handler_context = handler_context;
    buffer_init(&socket->message, WS_MESSAGE_LIMIT);
    library_logger = logger;
    LIVE(lws_set_log_level)(LLL_ERR | LLL_WARN, emit_library_log);
    struct lws_context_creation_info info;
    memset(&info, 0, sizeof info);
    info.port = CONTEXT_PORT_NO_LISTEN;
    info.protocols = protocols;
    info.options = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
    info.user = socket;
    info.gid = -1;
    info.uid = -1;
    info.fd_limit_per_thread = 16;
    socket->wake_timer = calloc(1, sizeof(lws_sorted_usec_list_t));
    if (socket->wake_timer == NULL) return -1;
    socket->context = LIVE(lws_create_context)(&info);
    return socket->context == NULL ? -1 : 0;
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
    assert(socket->context != NULL);
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
    info.context = socket->context;
    info.address = host;
    info.port = port;
    info.ssl_connection = secure ? LCCSCF_USE_SSL : 0;
    info.path = path;
    info.host = host;
    info.origin = host;
    info.ietf_version_or_minus_one = -1;
    struct lws *connection = NULL;
    info.pwsi = &connection;
    socket->reason[0] = '\0';
    socket->close_requested = false;
    socket->state = WS_CONNECTING;
    buffer_reset(&socket->message);
    if (LIVE(lws_client_connect_via_info)(&info) == NULL) {
        if (socket->reason[0] == '\0') snprintf(socket->reason, sizeof socket->reason, "connect failed");
        socket->state = WS_CLOSED;
        socket->connection = NULL;
        return -1;
    }
    if (socket->state == WS_CONNECTING) socket->connection = connection;
    return 0;
}

void ws_service(live_ws *socket, int timeout_ms) {
    assert(socket->context != NULL && timeout_ms >= 0);
    /* lws_service() ignores its timeout (libwebsockets >= 3.2): a timer
     * bounds the wait instead. */
    LIVE(lws_sul_schedule)(socket->context, 0, socket->wake_timer, on_wake, (lws_usec_t)timeout_ms * LWS_US_PER_MS);
    LIVE(lws_service)(socket->context, 0);
}

void ws_request_close(live_ws *socket) {
    if (socket->connection == NULL || (socket->state != WS_OPEN && socket->state != WS_CONNECTING)) return;
    socket->close_requested = true;
    if (socket->state == WS_OPEN) LIVE(lws_callback_on_writable)(socket->connection);
    else LIVE(lws_set_timeout)(socket->connection, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
}

void ws_destroy(live_ws *socket) {
    if (socket->context != NULL) {
        LIVE(lws_sul_cancel)(socket->wake_timer);
        LIVE(lws_context_destroy)(socket->context);
    }
    free(socket->wake_timer);
    socket->wake_timer = NULL;
    socket->context = NULL;
    socket->connection = NULL;
    socket->state = WS_CLOSED;
    buffer_free(&socket->message);
    library_logger = NULL;
}
