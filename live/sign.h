/* sign.h -- Binance request signing and secret hygiene.
 *
 * SIGNED endpoints carry signature = hex(HMAC-SHA256(secret, payload)), where
 * payload is the query string, or the query string followed directly (no '&')
 * by the form body when both are used (Binance API docs, "SIGNED Endpoint
 * Examples"). The secret never leaves this module's callers in clear text:
 * every log line goes through live_redact() first. */
#ifndef LEDGERSIM_LIVE_SIGN_H
#define LEDGERSIM_LIVE_SIGN_H

#include <stdbool.h>
#include <stddef.h>

#include "core/limits.h"

enum {
    SIGNATURE_HEX_CAPACITY = 65,   /* 64 lowercase hex digits + NUL */
    CREDENTIAL_CAPACITY = 256,     /* bytes of an API key or secret, NUL included */
    REDACT_SECRETS_MAX = 4
};

/* API credentials; owned by the caller, wiped by credentials_wipe(). */
typedef struct {
    char api_key[CREDENTIAL_CAPACITY];
    char api_secret[CREDENTIAL_CAPACITY];
} credentials;

/* Writes hex(HMAC-SHA256(secret, payload)) into out (NUL-terminated,
 * lowercase). query and body are concatenated as the docs say; either may
 * be NULL or empty. Returns false only if OpenSSL fails. */
bool live_sign(const char *secret, const char *query, const char *body,
               char out[SIGNATURE_HEX_CAPACITY]) WARN_UNUSED_RESULT;

/* Copies text into out (capacity bytes, always NUL-terminated, truncated if
 * needed) with every occurrence of each non-empty secret (at least 4 bytes
 * long) replaced by "<redacted>". secrets may hold NULL entries. */
void live_redact(const char *text, const char *const *secrets, size_t secret_count, char *out,
                 size_t capacity);

/* Loads credentials: from key_file when given (refused unless it is a regular
 * file of mode 0600 or stricter; two lines KEY and SECRET, or lines
 * BINANCE_API_KEY=... and BINANCE_API_SECRET=...), else from the environment
 * BINANCE_API_KEY / BINANCE_API_SECRET. Returns false with a message in error
 * (which never contains the secret). */
bool credentials_load(credentials *out, const char *key_file, char *error, size_t error_capacity)
    WARN_UNUSED_RESULT;

/* Overwrites the credentials with zeros (not optimized away). */
void credentials_wipe(credentials *target);

#endif
