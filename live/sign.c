/* sign.c -- see sign.h. */
#include "live/sign.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "live/libraries.h"

bool live_sign(const char *secret, const char *query, const char *body, char out[SIGNATURE_HEX_CAPACITY]) {
    assert(secret != NULL);
    out[0] = '\0';
    if (!live_libraries_load()) return false;
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digest_length = 0;
    /* The one-shot HMAC() takes one piece: concatenate query and body. */
    size_t query_length = query != NULL ? strlen(query) : 0;
    size_t body_length = body != NULL ? strlen(body) : 0;
    char *payload = malloc(query_length + body_length + 1);
    if (payload == NULL) return false;
    if (query_length > 0) memcpy(payload, query, query_length);
    if (body_length > 0) memcpy(payload + query_length, body, body_length);
    payload[query_length + body_length] = '\0';
    unsigned char *result = LIVE(HMAC)(LIVE(EVP_sha256)(), secret, (int)strlen(secret), (const unsigned char *)payload,
                                 query_length + body_length, digest, &digest_length);
    free(payload);
    if (result == NULL || digest_length != 32) return false;
    static const char hex[] = "0123456789abcdef";
    for (unsigned int index = 0; index < digest_length; index++) {
        out[2 * index] = hex[digest[index] >> 4];
        out[2 * index + 1] = hex[digest[index] & 15];
    }
    out[2 * digest_length] = '\0';
    return true;
}

void live_redact(const char *text, const char *const *secrets, size_t secret_count, char *out,
                 size_t capacity) {
    assert(capacity > 0);
    static const char marker[] = "<redacted>";
    size_t written = 0;
    const char *cursor = text;
    while (*cursor != '\0' && written + 1 < capacity) {
        size_t matched = 0;
        for (size_t index = 0; index < secret_count; index++) {
            const char *secret = secrets[index];
            if (secret == NULL) continue;
            size_t length = strlen(secret);
            if (length < 4) continue;
            if (strncmp(cursor, secret, length) == 0 && length > matched) matched = length;
        }
        if (matched > 0) {
            for (size_t index = 0; marker[index] != '\0' && written + 1 < capacity; index++)
                out[written++] = marker[index];
            cursor += matched;
        } else {
            out[written++] = *cursor++;
        }
    }
    out[written] = '\0';
}

/* Removes trailing CR, LF, spaces and tabs in place. */
static void trim_end(char *text) {
    size_t length = strlen(text);
    while (length > 0 && (text[length - 1] == '\n' || text[length - 1] == '\r' || text[length - 1] == ' ' ||
                          text[length - 1] == '\t'))
        text[--length] = '\0';
}

/* Copies value into a credential field; false if empty or too long. */
static bool set_field(char field[CREDENTIAL_CAPACITY], const char *value) {
    size_t length = strlen(value);
    if (length == 0 || length >= CREDENTIAL_CAPACITY) return false;
    memcpy(field, value, length + 1);
    return true;
}

/* Reads key_file (checked for mode 0600) into out. */
static bool load_key_file(credentials *out, const char *key_file, char *error, size_t error_capacity) {
    int descriptor = open(key_file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (descriptor < 0) {
        snprintf(error, error_capacity, "--key-file %s: %s", key_file, strerror(errno));
        return false;
    }
    struct stat status;
    if (fstat(descriptor, &status) != 0 || !S_ISREG(status.st_mode)) {
        close(descriptor);
        snprintf(error, error_capacity, "--key-file %s: not a regular file", key_file);
        return false;
    }
    if ((status.st_mode & 077) != 0) {
        close(descriptor);
        snprintf(error, error_capacity,
                 "--key-file %s: refused: mode %03o lets others read it; run chmod 600 %s", key_file,
                 (unsigned)(status.st_mode & 0777), key_file);
        return false;
    }
    enum { KEY_FILE_MAX = 4096 };
    char content[KEY_FILE_MAX + 1];
    ssize_t total = 0;
    for (;;) {
        ssize_t got = read(descriptor, content + total, (size_t)(KEY_FILE_MAX - total));
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) {
            close(descriptor);
            snprintf(error, error_capacity, "--key-file %s: %s", key_file, strerror(errno));
            return false;
        }
        if (got == 0) break;
        total += got;
        if (total == KEY_FILE_MAX) break;
    }
    close(descriptor);
    content[total] = '\0';
    bool have_key = false, have_secret = false;
    int plain_line = 0;
    char *save = NULL;
    for (char *line = strtok_r(content, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
        trim_end(line);
        if (line[0] == '\0' || line[0] == '#') continue;
        if (strncmp(line, "BINANCE_API_KEY=", 16) == 0) {
            have_key = set_field(out->api_key, line + 16);
        } else if (strncmp(line, "BINANCE_API_SECRET=", 19) == 0) {
            have_secret = set_field(out->api_secret, line + 19);
        } else if (plain_line == 0) {
            have_key = set_field(out->api_key, line);
            plain_line++;
        } else if (plain_line == 1) {
            have_secret = set_field(out->api_secret, line);
            plain_line++;
        }
    }
    volatile char *wipe = content;
    for (size_t index = 0; index < sizeof content; index++) wipe[index] = 0;
    if (!have_key || !have_secret) {
        snprintf(error, error_capacity, "--key-file %s: expected an API key and a secret (two lines)", key_file);
        return false;
    }
    return true;
}

bool credentials_load(credentials *out, const char *key_file, char *error, size_t error_capacity) {
    credentials_wipe(out);
    if (key_file != NULL) return load_key_file(out, key_file, error, error_capacity);
    const char *key = getenv("BINANCE_API_KEY");
    const char *secret = getenv("BINANCE_API_SECRET");
    if (key == NULL || secret == NULL || !set_field(out->api_key, key) || !set_field(out->api_secret, secret)) {
        snprintf(error, error_capacity,
                 "no API credentials: set BINANCE_API_KEY and BINANCE_API_SECRET, or give --key-file FILE (mode 0600)");
        credentials_wipe(out);
        return false;
    }
    return true;
}

void credentials_wipe(credentials *target) {
    volatile char *bytes = (volatile char *)target;
    for (size_t index = 0; index < sizeof *target; index++) bytes[index] = 0;
}
