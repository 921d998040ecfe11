/* json_writer.c -- see json_writer.h.
 *
 * A reconcile.jsonl line is about a hundred members, so the compact writer
 * writes each member (separator, key or value) straight into the buffer's
 * allocation when it has room (room() and commit()); otherwise, and for the
 * pretty layout, it goes through buffer_append, which grows the buffer and
 * enforces its limit. Both give the same bytes. */
#include "io/json_writer.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "core/number.h"
#include "io/number_cache.h"

/* Appends length bytes: in place when they fit the allocation and the limit,
 * else through buffer_append (same result, same failure rules). */
static inline void append_bytes(buffer *out, const char *bytes, size_t length) {
    if (!out->failed && out->data != NULL && length < out->capacity - out->length &&
        length <= out->limit - out->length) {
        memcpy(out->data + out->length, bytes, length);
        out->length += length;
        out->data[out->length] = '\0';
        return;
    }
    buffer_append(out, bytes, length);
}

static inline void append_byte(buffer *out, char byte) { append_bytes(out, &byte, 1); }

/* Where length more bytes (and the NUL) can be written in place, or NULL
 * when the buffer must grow, has failed or would cross its limit. */
static inline char *room(buffer *out, size_t length) {
    if (out->failed || out->data == NULL || length >= out->capacity - out->length ||
        length > out->limit - out->length)
        return NULL;
    return out->data + out->length;
}

/* Ends an in-place write at end (obtained from room()). */
static inline void commit(buffer *out, char *end) {
    out->length = (size_t)(end - out->data);
    *end = '\0';
}

/* 1 for the bytes a JSON string literal escapes, and for the NUL that ends it. */
static const unsigned char stops_literal[256] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    ['"'] = 1, ['\\'] = 1};

/* before_value() of the compact layout: true when a comma is due. */
static inline bool compact_separator(json_writer *writer) {
    if (writer->after_key) {
        writer->after_key = false;
        return false;
    }
    if (writer->depth == 0) return false;
    bool comma = writer->has_members[writer->depth];
    writer->has_members[writer->depth] = true;
    return comma;
}

void json_writer_init(json_writer *writer, buffer *out, bool pretty) {
    writer->out = out;
    writer->pretty = pretty;
    writer->depth = 0;
    writer->after_key = false;
    memset(writer->has_members, 0, sizeof writer->has_members);
}

static void write_indent(json_writer *writer) {
    append_byte(writer->out, '\n');
    for (int level = 0; level < writer->depth; level++) append_bytes(writer->out, "  ", 2);
}

/* Separates this value from the previous member of its container. */
static void before_value(json_writer *writer) {
    if (writer->after_key) {
        writer->after_key = false;
        return;
    }
    if (writer->depth == 0) return;
    if (writer->has_members[writer->depth]) append_byte(writer->out, ',');
    if (writer->pretty) write_indent(writer);
    writer->has_members[writer->depth] = true;
}

static void container_begin(json_writer *writer, char opening) {
    before_value(writer);
    append_byte(writer->out, opening);
    assert(writer->depth + 1 < JSON_WRITER_DEPTH_MAX);
    writer->depth++;
    writer->has_members[writer->depth] = false;
}

static void container_end(json_writer *writer, char closing) {
    assert(writer->depth > 0);
    bool had_members = writer->has_members[writer->depth];
    writer->depth--;
    if (writer->pretty && had_members) write_indent(writer);
    append_byte(writer->out, closing);
}

void json_raw_value(json_writer *writer, const char *text, size_t length) {
    before_value(writer);
    append_bytes(writer->out, text, length);
}

void json_object_begin(json_writer *writer) { container_begin(writer, '{'); }
void json_object_end(json_writer *writer) { container_end(writer, '}'); }
void json_array_begin(json_writer *writer) { container_begin(writer, '['); }
void json_array_end(json_writer *writer) { container_end(writer, ']'); }

void json_append_string_literal(buffer *out, const char *text) {
    append_byte(out, '"');
    const char *run = text;
    const char *cursor = text;
    for (; *cursor != '\0'; cursor++) {
        unsigned char byte = (unsigned char)*cursor;
        if (byte >= 0x20 && byte != '"' && byte != '\\') continue;
        append_bytes(out, run, (size_t)(cursor - run));
        char escaped[8];
        if (byte == '"' || byte == '\\')
            snprintf(escaped, sizeof escaped, "\\%c", byte);
        else
            snprintf(escaped, sizeof escaped, "\\u%04x", byte);
        buffer_append_text(out, escaped);
        run = cursor + 1;
    }
    append_bytes(out, run, (size_t)(cursor - run));
    append_byte(out, '"');
}

/* Whether the length bytes of text need no JSON escape (no control byte,
 * '"' or '\\'): sixteen at a time where SSE2 is there, without reading
 * past text + length. */
static bool needs_no_escape(const char *text, size_t length) {
    size_t index = 0;
#if defined(__SSE2__)
    const __m128i control_max = _mm_set1_epi8(0x1f), quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\');
    for (; index + 16 <= length; index += 16) {
        __m128i bytes = _mm_loadu_si128((const __m128i *)(const void *)(text + index));
        __m128i stops = _mm_or_si128(_mm_cmpeq_epi8(_mm_min_epu8(bytes, control_max), bytes),
                                     _mm_or_si128(_mm_cmpeq_epi8(bytes, quote), _mm_cmpeq_epi8(bytes, backslash)));
        if (_mm_movemask_epi8(stops) != 0) return false;
    }
#endif
    for (; index < length; index++)
        if (stops_literal[(unsigned char)text[index]]) return false;
    return true;
}

void json_key(json_writer *writer, const char *key) {
    assert(!writer->after_key);
    if (!writer->pretty && writer->depth > 0) {
        size_t length = strlen(key);
        if (needs_no_escape(key, length)) {
            json_key_plain(writer, key, length);
            return;
        }
    }
    before_value(writer);
    json_append_string_literal(writer->out, key);
    append_bytes(writer->out, writer->pretty ? ": " : ":", writer->pretty ? 2 : 1);
    writer->after_key = true;
}

void json_key_plain(json_writer *writer, const char *key, size_t length) {
    assert(!writer->after_key);
    char *at = writer->pretty || writer->depth == 0 ? NULL : room(writer->out, length + 4);
    if (at == NULL) {
        /* Pretty, top level, or the buffer must grow: the general path. */
        before_value(writer);
        json_append_string_literal(writer->out, key);
        append_bytes(writer->out, writer->pretty ? ": " : ":", writer->pretty ? 2 : 1);
        writer->after_key = true;
        return;
    }
    bool comma = writer->has_members[writer->depth];
    *at = ',';
    at += comma;
    *at++ = '"';
    memcpy(at, key, length);
    at += length;
    *at++ = '"';
    *at++ = ':';
    commit(writer->out, at);
    writer->has_members[writer->depth] = true;
    writer->after_key = true;
}

void json_string(json_writer *writer, const char *text) {
    if (!writer->pretty) {
        size_t length = strlen(text);
        char *at = room(writer->out, length + 3);
        if (at != NULL && needs_no_escape(text, length)) {
            if (compact_separator(writer)) *at++ = ',';
            *at++ = '"';
            memcpy(at, text, length);
            at += length;
            *at++ = '"';
            commit(writer->out, at);
            return;
        }
    }
    before_value(writer);
    json_append_string_literal(writer->out, text);
}

void json_number(json_writer *writer, double value) {
    char *at = writer->pretty ? NULL : room(writer->out, NUMBER_TEXT_CAPACITY + 1);
    if (at != NULL) {
        if (compact_separator(writer)) *at++ = ',';
        commit(writer->out, at + number_cache_format(value, at));
        return;
    }
    char text[NUMBER_TEXT_CAPACITY];
    size_t length = number_cache_format(value, text);
    before_value(writer);
    append_bytes(writer->out, text, length);
}

void json_integer(json_writer *writer, int64_t value) {
    char text[NUMBER_TEXT_CAPACITY];
    size_t length = number_format_integer(value, text);
    before_value(writer);
    append_bytes(writer->out, text, length);
}

void json_bool(json_writer *writer, bool value) {
    before_value(writer);
    append_bytes(writer->out, value ? "true" : "false", value ? 4 : 5);
}

void json_null(json_writer *writer) {
    before_value(writer);
    append_bytes(writer->out, "null", 4);
}

void json_optional_number(json_writer *writer, bool present, double value) {
    if (present)
        json_number(writer, value);
    else
        json_null(writer);
}
