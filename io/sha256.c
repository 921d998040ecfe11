/* sha256.c -- see sha256.h. */
#include "io/sha256.h"

#include <assert.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

static const uint32_t round_constants[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

static uint32_t rotate_right(uint32_t value, int bits) { return (value >> bits) | (value << (32 - bits)); }

/* Folds one 64-byte block into the state (eight named words, no array
 * shuffling: this runs once per 64 bytes of every input). */
static void compress(sha256_context *context, const unsigned char *block) {
    uint32_t schedule[64];
    for (int index = 0; index < 16; index++)
        schedule[index] = (uint32_t)block[4 * index] << 24 | (uint32_t)block[4 * index + 1] << 16 |
                          (uint32_t)block[4 * index + 2] << 8 | (uint32_t)block[4 * index + 3];
    for (int index = 16; index < 64; index++) {
        uint32_t s0 = rotate_right(schedule[index - 15], 7) ^ rotate_right(schedule[index - 15], 18) ^
                      (schedule[index - 15] >> 3);
        uint32_t s1 = rotate_right(schedule[index - 2], 17) ^ rotate_right(schedule[index - 2], 19) ^
                      (schedule[index - 2] >> 10);
        schedule[index] = schedule[index - 16] + s0 + schedule[index - 7] + s1;
    }
    uint32_t a = context->state[0], b = context->state[1], c = context->state[2], d = context->state[3];
    uint32_t e = context->state[4], f = context->state[5], g = context->state[6], h = context->state[7];
    for (int index = 0; index < 64; index++) {
        uint32_t sum1 = rotate_right(e, 6) ^ rotate_right(e, 11) ^ rotate_right(e, 25);
        uint32_t first = h + sum1 + ((e & f) ^ (~e & g)) + round_constants[index] + schedule[index];
        uint32_t sum0 = rotate_right(a, 2) ^ rotate_right(a, 13) ^ rotate_right(a, 22);
        uint32_t second = sum0 + ((a & b) ^ (a & c) ^ (b & c));
        h = g;
        g = f;
        f = e;
        e = d + first;
        d = c;
        c = b;
        b = a;
        a = first + second;
    }
    context->state[0] += a;
    context->state[1] += b;
    context->state[2] += c;
    context->state[3] += d;
    context->state[4] += e;
    context->state[5] += f;
    context->state[6] += g;
    context->state[7] += h;
}

void sha256_init(sha256_context *context) {
    static const uint32_t initial[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                        0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    memcpy(context->state, initial, sizeof initial);
    context->length_bytes = 0;
    context->block_used = 0;
}

void sha256_update(sha256_context *context, const void *data, size_t length) {
    assert(context->block_used < 64);
    const unsigned char *bytes = data;
    context->length_bytes += length;
    while (length > 0) {
        size_t take = 64 - context->block_used < length ? 64 - context->block_used : length;
        memcpy(context->block + context->block_used, bytes, take);
        context->block_used += take;
        bytes += take;
        length -= take;
        if (context->block_used == 64) {
            compress(context, context->block);
            context->block_used = 0;
        }
    }
    assert(context->block_used < 64);
}

void sha256_final_hex(sha256_context *context, char hex[SHA256_HEX_CAPACITY]) {
    uint64_t bits = context->length_bytes * 8;
    static const unsigned char padding[64] = {0x80};
    size_t pad = context->block_used < 56 ? 56 - context->block_used : 120 - context->block_used;
    sha256_update(context, padding, pad);
    unsigned char length_bytes[8];
    for (int index = 0; index < 8; index++) length_bytes[index] = (unsigned char)(bits >> (56 - 8 * index));
    sha256_update(context, length_bytes, sizeof length_bytes);
    assert(context->block_used == 0);
    static const char digits[] = "0123456789abcdef";
    for (int index = 0; index < 32; index++) {
        unsigned char byte = (unsigned char)(context->state[index / 4] >> (24 - 8 * (index % 4)));
        hex[2 * index] = digits[byte >> 4];
        hex[2 * index + 1] = digits[byte & 15];
    }
    hex[64] = '\0';
}

/* OpenSSL's SHA-256 (SHA-NI or AVX2 assembly: about ten times this file's
 * C) when libcrypto can be loaded; the result is the same digest either
 * way, so only the speed depends on the machine. dlopened, not linked,
 * like the live adapter's libraries: the binary needs no libcrypto. */
typedef struct {
    void *handle;                       /* dlclosed after each file */
    int (*init)(void *context);
    int (*update)(void *context, const void *data, size_t length);
    int (*final)(unsigned char *digest, void *context);
} fast_sha256;

/* The libcrypto functions, or false when it is not there. */
static bool load_fast(fast_sha256 *fast) {
    static const char *const sonames[] = {"libcrypto.so.3", "libcrypto.so"};
    for (size_t index = 0; index < sizeof sonames / sizeof sonames[0]; index++) {
        void *handle = dlopen(sonames[index], RTLD_NOW | RTLD_LOCAL);
        if (handle == NULL) continue;
        *(void **)&fast->init = dlsym(handle, "SHA256_Init");
        *(void **)&fast->update = dlsym(handle, "SHA256_Update");
        *(void **)&fast->final = dlsym(handle, "SHA256_Final");
        fast->handle = handle;
        if (fast->init != NULL && fast->update != NULL && fast->final != NULL) return true;
        dlclose(handle);
    }
    return false;
}

/* Hashes descriptor with libcrypto into hex; false on a read error. */
static bool hash_fast(const fast_sha256 *fast, int descriptor, char hex[SHA256_HEX_CAPACITY], long long *bytes) {
    /* SHA256_CTX is 112 bytes in OpenSSL 1.1 and 3; room to spare. */
    _Alignas(16) unsigned char context[256];
    unsigned char digest[SHA256_DIGEST_BYTES];
    static unsigned char chunk[1 << 20];
    fast->init(context);
    *bytes = 0;
    for (;;) {
        ssize_t got = read(descriptor, chunk, sizeof chunk);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) return false;
        if (got == 0) break;
        fast->update(context, chunk, (size_t)got);
        *bytes += got;
    }
    fast->final(digest, context);
    static const char digits[] = "0123456789abcdef";
    for (int index = 0; index < SHA256_DIGEST_BYTES; index++) {
        hex[2 * index] = digits[digest[index] >> 4];
        hex[2 * index + 1] = digits[digest[index] & 15];
    }
    hex[64] = '\0';
    return true;
}

bool sha256_file(const char *path, char hex[SHA256_HEX_CAPACITY], long long *bytes) {
    int descriptor = open(path, O_RDONLY | O_CLOEXEC);
    if (descriptor < 0) return false;
    fast_sha256 fast;
    if (load_fast(&fast)) {
        bool hashed = hash_fast(&fast, descriptor, hex, bytes);
        int saved = errno;
        dlclose(fast.handle);
        close(descriptor);
        errno = saved;
        return hashed;
    }
    sha256_context context;
    sha256_init(&context);
    unsigned char chunk[1 << 16];
    *bytes = 0;
    for (;;) {
        ssize_t got = read(descriptor, chunk, sizeof chunk);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) {
            int saved = errno;
            close(descriptor);
            errno = saved;
            return false;
        }
        if (got == 0) break;
        sha256_update(&context, chunk, (size_t)got);
        *bytes += got;
    }
    close(descriptor);
    sha256_final_hex(&context, hex);
    return true;
}
