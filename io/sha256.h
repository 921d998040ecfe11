/* sha256.h -- SHA-256 (FIPS 180-4) of bytes and of files: what a sweep
 * records of its inputs and how its plan is named. Streaming, fixed memory,
 * no allocation, no globals. */
#ifndef LEDGERSIM_IO_SHA256_H
#define LEDGERSIM_IO_SHA256_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { SHA256_DIGEST_BYTES = 32, SHA256_HEX_CAPACITY = 65 /* 64 hex digits and a NUL */ };

typedef struct {
    uint32_t state[8];
    uint64_t length_bytes;
    unsigned char block[64];
    size_t block_used;
} sha256_context;

void sha256_init(sha256_context *context);
/* Adds length bytes of data (borrowed). */
void sha256_update(sha256_context *context, const void *data, size_t length);
/* Ends the hash; writes 64 lowercase hex digits and a NUL into hex. */
void sha256_final_hex(sha256_context *context, char hex[SHA256_HEX_CAPACITY]);

/* The hash and size of the file at path. False (errno set) when it cannot
 * be read; hex and bytes are then unspecified. */
bool sha256_file(const char *path, char hex[SHA256_HEX_CAPACITY], long long *bytes);

#endif
