/* ws.h -- WebSocket client connections over libwebsockets (ws:// or
 * wss://), several on one event loop, each delivering complete text
 * messages to its handler.
 *
 * Single-threaded: ws_loop_service() runs the loop for up to timeout_ms and
 * calls the handlers from inside it. Fragmented messages are reassembled up
 * to WS_MESSAGE_LIMIT bytes; a larger one closes the connection. Server
 * pings are answered by libwebsockets (which does not report them); what
 * the connection receives (a message or the pong to ws_ping) is stamped in
 * last_activity_ms, the liveness the session's watchdog reads. */
#ifndef LEDGERSIM_LIVE_WS_H
#define LEDGERSIM_LIVE_WS_H

#include <stdbool.h>
#include <stddef.h>

#include "io/buffer.h"
#include "live/log.h"

enum {
    WS_MESSAGE_LIMIT = 4 << 20,
    WS_URL_CAPACITY = 4096,
    WS_REASON_CAPACITY = 256,
    WS_OUTGOING_LIMIT = 64 << 10,    /* bytes of text queued to send (SUBSCRIBE requests) */
    WS_TEXT_LIMIT = 1024,            /* bytes of one text sent */
    WS_NAME_CAPACITY = 16
};

typedef enum { WS_IDLE = 0, WS_CONNECTING, WS_OPEN, WS_CLOSED } ws_state;

/* Receives one complete message (text, length bytes; borrowed for the call). */
typedef void (*ws_message_handler)(void *context, const char *text, size_t length);

/* The event loop shared by the connections. */
typedef struct {
    void *context;                  /* struct lws_context*, owned */
    void *wake_timer;               /* lws_sorted_usec_list_t*, owned: bounds one service call */
    live_logger *logger;            /* borrowed */
} ws_loop;

typedef struct {
    ws_loop *loop;                  /* borrowed */
    char name[WS_NAME_CAPACITY];    /* "private", "market": for the log */
    void *connection;               /* struct lws*, while connecting or open */
    unsigned long generation;       /* of the current attempt: a late callback of an
                                       older connection (its close after an abort)
                                       must not touch the new one */
    ws_state state;
    bool close_requested;
    bool ping_requested;
    buffer message;                 /* fragments of the message under way */
    buffer outgoing;                /* NUL-separated texts waiting for a writable socket */
    ws_message_handler handler;
    void *handler_context;
    char reason[WS_REASON_CAPACITY];/* why the last connection ended */
    long long last_activity_ms;     /* monotonic: open, a message or a pong */
    long messages_received;
    long pongs_received;
    long connections_opened;
} live_ws;

/* Creates the event loop. logger is borrowed. Returns 0 or -1. */
int ws_loop_init(ws_loop *loop, live_logger *logger) WARN_UNUSED_RESULT;

/* Runs the loop for at most timeout_ms (returns earlier on activity). */
void ws_loop_service(ws_loop *loop, int timeout_ms);

/* Frees the loop; every connection on it ends (their state goes WS_CLOSED). */
void ws_loop_destroy(ws_loop *loop);

/* Prepares a connection named name on loop (borrowed, as handler_context). */
void ws_init(live_ws *socket, ws_loop *loop, const char *name, ws_message_handler handler, void *handler_context);

/* Starts connecting to url (ws://HOST[:PORT]/PATH or wss://...). State goes
 * to WS_CONNECTING, then WS_OPEN or WS_CLOSED (reason set). */
int ws_connect(live_ws *socket, const char *url) WARN_UNUSED_RESULT;

/* Queues a text message (shorter than WS_TEXT_LIMIT) for the open
 * connection; false when not open, too long, or the queue is full. */
bool ws_send_text(live_ws *socket, const char *text) WARN_UNUSED_RESULT;

/* Sends a ping: the pong answers count as activity (RFC 6455 5.5.2). */
void ws_ping(live_ws *socket);

/* Asks the open connection to close; it is WS_CLOSED after some service. */
void ws_request_close(live_ws *socket);

/* Drops the connection at once, without a close handshake (a peer that
 * stopped talking would never answer one). */
void ws_abort(live_ws *socket, const char *reason);

/* Frees the connection's buffers (after the loop is destroyed or it is closed). */
void ws_free(live_ws *socket);

/* The monotonic clock in ms the activity stamps use. */
long long ws_monotonic_ms(void);

/* Splits url into secure, host, port and path (path capacity bytes). */
bool ws_parse_url(const char *url, bool *secure, char *host, size_t host_capacity, int *port, char *path,
                  size_t path_capacity) WARN_UNUSED_RESULT;

#endif
