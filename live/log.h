/* log.h -- the live adapter's own log: stderr and DIR/live.log, every line
 * redacted (API key, secret, listen keys) before it is written anywhere.
 *
 * This log carries wall-clock times and is not a state file: the state files
 * and logs/ written by io/run_output are the deterministic outputs. */
#ifndef LEDGERSIM_LIVE_LOG_H
#define LEDGERSIM_LIVE_LOG_H

#include <stdbool.h>
#include <stddef.h>

#include "live/sign.h"

enum { LOG_LINE_CAPACITY = 2048, LOG_SECRET_CAPACITY = 256 };

typedef struct {
    int descriptor;              /* DIR/live.log, -1 when none */
    bool quiet;                  /* nothing on stderr below warnings */
    char secrets[REDACT_SECRETS_MAX][LOG_SECRET_CAPACITY]; /* copies, wiped at close */
    size_t secret_count;
} live_logger;

/* Starts a logger writing to path (appended; NULL for stderr only). Returns
 * 0, or -1 when the file cannot be opened. */
int live_logger_open(live_logger *logger, const char *path, bool quiet) WARN_UNUSED_RESULT;

/* Adds a text to redact (copied); the oldest added listen key is replaced
 * when the table is full. Texts shorter than 4 bytes are ignored. */
void live_logger_add_secret(live_logger *logger, const char *secret);

/* Logs one line: "TIME LEVEL message" (level "info", "warn", "error"). */
void live_log(live_logger *logger, const char *level, const char *format, ...) __attribute__((format(printf, 3, 4)));

/* Closes the file and wipes the copies of the secrets. */
void live_logger_close(live_logger *logger);

#endif
