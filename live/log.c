/* log.c -- see log.h. */
#include "live/log.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "io/atomic_file.h"

int live_logger_open(live_logger *logger, const char *path, bool quiet) {
    memset(logger, 0, sizeof *logger);
    logger->descriptor = -1;
    logger->quiet = quiet;
    if (path == NULL) return 0;
    logger->descriptor = io_open(path, O_WRONLY | O_CREAT | O_APPEND, 0600);
    return logger->descriptor < 0 ? -1 : 0;
}

void live_logger_add_secret(live_logger *logger, const char *secret) {
    if (secret == NULL || strlen(secret) < 4 || strlen(secret) >= LOG_SECRET_CAPACITY) return;
    for (size_t index = 0; index < logger->secret_count; index++)
        if (strcmp(logger->secrets[index], secret) == 0) return;
    size_t slot = logger->secret_count;
    if (slot == REDACT_SECRETS_MAX) slot = REDACT_SECRETS_MAX - 1; /* the key and secret stay in 0 and 1 */
    else logger->secret_count++;
    snprintf(logger->secrets[slot], LOG_SECRET_CAPACITY, "%s", secret);
}

void live_log(live_logger *logger, const char *level, const char *format, ...) {
    char raw[LOG_LINE_CAPACITY];
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(raw, sizeof raw, format, arguments);
    va_end(arguments);
    const char *secrets[REDACT_SECRETS_MAX];
    for (size_t index = 0; index < logger->secret_count; index++) secrets[index] = logger->secrets[index];
    char clean[LOG_LINE_CAPACITY];
    live_redact(raw, secrets, logger->secret_count, clean, sizeof clean);
    char stamp[96];
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    struct tm parts;
    gmtime_r(&now.tv_sec, &parts);
    snprintf(stamp, sizeof stamp, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", parts.tm_year + 1900, parts.tm_mon + 1,
             parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec, now.tv_nsec / 1000000);
    char line[LOG_LINE_CAPACITY + 64];
    int length = snprintf(line, sizeof line, "%s %s %s\n", stamp, level, clean);
    if (length < 0) return;
    if ((size_t)length >= sizeof line) length = (int)sizeof line - 1;
    if (!logger->quiet || strcmp(level, "info") != 0) {
        ssize_t ignored = write(STDERR_FILENO, line, (size_t)length);
        (void)ignored;
    }
    if (logger->descriptor >= 0 && io_write_all(logger->descriptor, line, (size_t)length) < 0) {
        static const char notice[] = "ledgersim live: cannot write live.log\n";
        ssize_t ignored = write(STDERR_FILENO, notice, sizeof notice - 1);
        (void)ignored;
    }
}

void live_logger_close(live_logger *logger) {
    if (logger->descriptor >= 0) {
        if (io_fsync(logger->descriptor) != 0) { /* a log; nothing more to do */ }
        close(logger->descriptor);
    }
    logger->descriptor = -1;
    volatile char *bytes = (volatile char *)logger->secrets;
    for (size_t index = 0; index < sizeof logger->secrets; index++) bytes[index] = 0;
    logger->secret_count = 0;
}
