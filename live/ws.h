/* ws.h -- one WebSocket client connection over libwebsockets (ws:// or
 * wss://), delivering each complete text message to a handler.
 *
 * Single-threaded: ws_service() runs the event loop for up to timeout_ms and
 * calls the handler from inside it. Fragmented messages are reassembled up to
 * WS_MESSAGE_LIMIT bytes; a larger one closes the connection. Server pings are
 * answered by libwebsockets. */
#ifndef LEDGERSIM_LIVE_WS_H
#define LEDGERSIM_LIVE_WS_H

#include <stdbool.h>
#include <stddef.h>

#include "io/buffer.h"
#include "live/log.h"

enum { WS_MESSAGE_LIMIT = 4 << 20, WS_URL_CAPACITY = 4096, WS_REASON_CAPACITY = 256 };

typedef enum { WS_IDLE = 0, WS_CONNECTING, WS_OPEN, WS_CLOSED } ws_state;

/* Receives one complete message (text, length bytes; borrowed for the call). */
typedef void (*ws_message_handler)(void *context, const char *text, size_t length);

typedef struct {
    void *context;                  /* struct lws_context*, owned */
    void *connection;               /* struct lws*, while connecting or open */
    void *wake_timer;               /* lws_sorted_usec_list_t*, owned: bounds one service call */
    ws_state state;
    bool close_requested;
    buffer message;                 /* fragments of the message under way */
    ws_message_handler handler;
    void *handler_context;
    live_logger *logger;            /* borrowed */
    char reason[WS_REASON_CAPACITY];/* why the last connection ended */
    long messages_received;
    long connections_opened;
} live_ws;

/* Creates the event loop. logger and handler_context are borrowed. */
int ws_init(live_ws *socket, live_logger *logger, ws_message_handler handler, void *handler_context)
    WARN_UNUSED_RESULT;

/* Starts connecting to url (ws://HOST[:PORT]/PATH or wss://...). State goes
 * to WS_CONNECTING, then WS_OPEN or WS_CLOSED (reason set). */
int ws_connect(live_ws *socket, const char *url) WARN_UNUSED_RESULT;

/* Runs the loop for at most timeout_ms (returns earlier on activity). */
void ws_service(live_ws *socket, int timeout_ms);

/* Asks the open connection to close; it is WS_CLOSED after some service. */
void ws_request_close(live_ws *socket);

/* Closes everything and frees the loop. */
void ws_destroy(live_ws *socket);

/* Splits url into secure, host, port and path (path capacity bytes). */
bool ws_parse_url(const char *url, bool *secure, char *host, size_t host_capacity, int *port, char *path,
                  size_t path_capacity) WARN_UNUSED_RESULT;

#endif
