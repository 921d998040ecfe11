/* libraries.h -- the live adapter's libraries (libcurl, libwebsockets,
 * OpenSSL's libcrypto), loaded when the adapter first needs them instead of
 * with the program.
 *
 * Linked the usual way they pull in some forty shared objects: every run of
 * every command paid about 6 ms to map and relocate them and carried 7 MiB
 * more RSS, for an adapter most runs never start. Here live_libraries_load
 * dlopens the three (sonames found by the Makefile at build time) and fills
 * a table of the functions the adapter calls, which live/ calls through
 * LIVE(function). Process state, loaded once, never unloaded. */
#ifndef LEDGERSIM_LIVE_LIBRARIES_H
#define LEDGERSIM_LIVE_LIBRARIES_H

#include <curl/curl.h>
#include <libwebsockets.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/limits.h"

/* The functions live/ calls, as pointers of their own types. */
typedef struct {
    __typeof__(&curl_global_init) curl_global_init;
    __typeof__(&curl_easy_init) curl_easy_init;
    __typeof__(&curl_easy_cleanup) curl_easy_cleanup;
    __typeof__(&curl_easy_reset) curl_easy_reset;
    __typeof__(&curl_easy_setopt) curl_easy_setopt;
    __typeof__(&curl_easy_perform) curl_easy_perform;
    __typeof__(&curl_easy_getinfo) curl_easy_getinfo;
    __typeof__(&curl_easy_strerror) curl_easy_strerror;
    __typeof__(&curl_slist_append) curl_slist_append;
    __typeof__(&curl_slist_free_all) curl_slist_free_all;
    __typeof__(&lws_callback_on_writable) lws_callback_on_writable;
    __typeof__(&lws_client_connect_via_info) lws_client_connect_via_info;
    __typeof__(&lws_close_reason) lws_close_reason;
    __typeof__(&lws_context_destroy) lws_context_destroy;
    __typeof__(&lws_context_user) lws_context_user;
    __typeof__(&lws_create_context) lws_create_context;
    __typeof__(&lws_get_context) lws_get_context;
    __typeof__(&lws_get_opaque_user_data) lws_get_opaque_user_data;
    __typeof__(&lws_is_final_fragment) lws_is_final_fragment;
    __typeof__(&lws_remaining_packet_payload) lws_remaining_packet_payload;
    __typeof__(&lws_service) lws_service;
    __typeof__(&lws_set_log_level) lws_set_log_level;
    __typeof__(&lws_set_timeout) lws_set_timeout;
    __typeof__(&lws_sul_cancel) lws_sul_cancel;
    __typeof__(&lws_sul_schedule) lws_sul_schedule;
    __typeof__(&lws_write) lws_write;
    __typeof__(&EVP_sha256) EVP_sha256;
    __typeof__(&HMAC) HMAC;
} live_library_table;

/* Filled by live_libraries_load; read through LIVE(). */
extern live_library_table live_libraries;

/* A call through the table: LIVE(curl_easy_init)(). */
#define LIVE(function) (live_libraries.function)

/* Loads the libraries and every function, once (later calls return the
 * first outcome). False when one is missing; live_libraries_error() then
 * says which, with the package to install. */
bool live_libraries_load(void) WARN_UNUSED_RESULT;

/* The reason of a failed live_libraries_load, or "" (static text). */
const char *live_libraries_error(void);

#endif
