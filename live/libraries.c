/* libraries.c -- see libraries.h. */
#include "live/libraries.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The sonames the program was built against (the Makefile reads them from
 * the development libraries); the defaults are Debian 12's. */
#ifndef LIVE_CURL_SONAME
#define LIVE_CURL_SONAME "libcurl.so.4"
#endif
#ifndef LIVE_WEBSOCKETS_SONAME
#define LIVE_WEBSOCKETS_SONAME "libwebsockets.so.17"
#endif
#ifndef LIVE_CRYPTO_SONAME
#define LIVE_CRYPTO_SONAME "libcrypto.so.3"
#endif

live_library_table live_libraries;

enum { LOAD_NOT_TRIED, LOAD_DONE, LOAD_FAILED, LIBRARIES = 3 };
static int load_state = LOAD_NOT_TRIED;
static char load_error[512];
static void *handles[LIBRARIES];   /* curl, websockets, crypto: closed at exit */

/* atexit: closes what was opened, last first, so that the libraries' own
 * destructors run and the loader frees its maps (valgrind counts memory
 * still reachable at exit as a leak here). */
static void close_libraries(void) {
    for (int index = LIBRARIES - 1; index >= 0; index--)
        if (handles[index] != NULL) dlclose(handles[index]);
    memset(&live_libraries, 0, sizeof live_libraries);
}

/* dlopens soname; false (load_error set, naming package) when it cannot. */
static bool open_library(const char *soname, const char *package, void **handle) {
    *handle = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
    if (*handle == NULL)
        snprintf(load_error, sizeof load_error, "the live adapter needs %s (Debian package %s): %s", soname, package,
                 dlerror());
    return *handle != NULL;
}

/* Resolves name in handle into *slot (a function pointer, stored through
 * memcpy: ISO C has no conversion from void * to a function pointer). */
static bool resolve(void *handle, const char *soname, const char *name, void *slot, size_t size) {
    void *symbol = dlsym(handle, name);
    if (symbol == NULL) {
        snprintf(load_error, sizeof load_error, "the live adapter cannot find %s in %s", name, soname);
        return false;
    }
    memcpy(slot, &symbol, size);
    return true;
}

#define RESOLVE(handle, soname, function) \
    resolve(*(handle), soname, #function, &live_libraries.function, sizeof live_libraries.function)

static bool load_all(void) {
    if (atexit(close_libraries) != 0) {
        snprintf(load_error, sizeof load_error, "the live adapter cannot register its cleanup");
        return false;
    }
    void **curl = &handles[0], **websockets = &handles[1], **crypto = &handles[2];
    if (!open_library(LIVE_CURL_SONAME, "libcurl4", curl) ||
        !open_library(LIVE_WEBSOCKETS_SONAME, "libwebsockets17", websockets) ||
        !open_library(LIVE_CRYPTO_SONAME, "libssl3", crypto))
        return false;
    return RESOLVE(curl, LIVE_CURL_SONAME, curl_global_init) && RESOLVE(curl, LIVE_CURL_SONAME, curl_easy_init) &&
           RESOLVE(curl, LIVE_CURL_SONAME, curl_easy_cleanup) && RESOLVE(curl, LIVE_CURL_SONAME, curl_easy_reset) &&
           RESOLVE(curl, LIVE_CURL_SONAME, curl_easy_setopt) && RESOLVE(curl, LIVE_CURL_SONAME, curl_easy_perform) &&
           RESOLVE(curl, LIVE_CURL_SONAME, curl_easy_getinfo) && RESOLVE(curl, LIVE_CURL_SONAME, curl_easy_strerror) &&
           RESOLVE(curl, LIVE_CURL_SONAME, curl_slist_append) && RESOLVE(curl, LIVE_CURL_SONAME, curl_slist_free_all) &&
           RESOLVE(websockets, LIVE_WEBSOCKETS_SONAME, lws_callback_on_writable) &&
           RESOLVE(websockets, LIVE_WEBSOCKETS_SONAME, lws_client_connect_via_info) &&
           RESOLVE(websockets, LIVE_WEBSOCKETS_SONAME, lws_close_reason) &&
           RESOLVE(websockets, LIVE_WEBSOCKETS_SONAME, lws_context_destroy) &&
           RESOLVE(websockets, LIVE_WEBSOCKETS_SONAME, lws_context_user) &&
           RESOLVE(websockets, LIVE_WEBSOCKETS_SONAME, lws_create_context) &&
           RESOLVE(websockets, LIVE_WEBSOCKETS_SONAME, lws_get_context) &&
           RESOLVE(websockets, LIVE_WEBSOCKETS_SONAME, lws_get_opaque_user_data) &&
           RESOLVE(websockets, LIVE_WEBSOCKETS_SONAME, lws_is_final_fragment) &&
           RESOLVE(websockets, LIVE_WEBSOCKETS_SONAME, lws_remaining_packet_payload) &&
           RESOLVE(websockets, LIVE_WEBSOCKETS_SONAME, lws_service) &&
           RESOLVE(websockets, LIVE_WEBSOCKETS_SONAME, lws_set_log_level) &&
           RESOLVE(websockets, LIVE_WEBSOCKETS_SONAME, lws_set_timeout) &&
           RESOLVE(websockets, LIVE_WEBSOCKETS_SONAME, lws_sul_cancel) &&
           RESOLVE(websockets, LIVE_WEBSOCKETS_SONAME, lws_sul_schedule) &&
           RESOLVE(websockets, LIVE_WEBSOCKETS_SONAME, lws_write) &&
           RESOLVE(crypto, LIVE_CRYPTO_SONAME, EVP_sha256) && RESOLVE(crypto, LIVE_CRYPTO_SONAME, HMAC);
}

bool live_libraries_load(void) {
    if (load_state == LOAD_NOT_TRIED) load_state = load_all() ? LOAD_DONE : LOAD_FAILED;
    return load_state == LOAD_DONE;
}

const char *live_libraries_error(void) { return load_state == LOAD_FAILED ? load_error : ""; }
