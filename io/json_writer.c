/* json_writer.c -- see json_writer.h. */
#include "io/json_writer.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "core/number.h"

void json_writer_init(json_writer *writer, buffer *out, bool pretty) {
    writer->out = out;
    writer->pretty = pretty;
    writer->depth = 0;
    writer->after_key = false;
    memset(writer->has_members, 0, sizeof writer->has_members);
}

static void write_indent(json_writer *writer) {
    buffer_append(writer->out, "\n", 1);
    for (int level = 0; level < writer->depth; level++) buffer_append(writer->out, "  ", 2);
}

/* Separates this value from the previous member of its container. */
static void before_value(json_writer *writer) {
    if (writer->after_key) {
        writer->after_key = false;
        return;
    }
    if (writer->depth == 0) return;
    if (writer->has_members[writer->depth]) buffer_append(writer->out, ",", 1);
    if (writer->pretty) write_indent(writer);
    writer->has_members[writer->depth] = true;
}

static void container_begin(json_writer *writer, char opening) {
    before_value(writer);
    buffer_append(writer->out, &opening, 1);
    assert(writer->depth + 1 < JSON_WRITER_DEPTH_MAX);
    writer->depth++;
    writer->has_members[writer->depth] = false;
}

static void container_end(json_writer *writer, char closing) {
    assert(writer->depth > 0);
    bool had_members = writer->has_members[writer->depth];
    writer->depth--;
    if (writer->pretty && had_members) write_indent(writer);
    buffer_append(writer->out, &closing, 1);
}

void json_object_begin(json_writer *writer) { container_begin(writer, '{'); }
void json_object_end(json_writer *writer) { container_end(writer, '}'); }
void json_array_begin(json_writer *writer) { container_begin(writer, '['); }
void json_array_end(json_writer *writer) { container_end(writer, ']'); }

void json_append_string_literal(buffer *out, const char *text) {
    buffer_append(out, "\"", 1);
    const char *run = text;
    for (const char *cursor = text; *cursor != '\0'; cursor++) {
        unsigned char byte = (unsigned char)*cursor;
        if (byte >= 0x20 && byte != '"' && byte != '\\') continue;
        buffer_append(out, run, (size_t)(cursor - run));
        char escaped[8];
        if (byte == '"' || byte == '\\')
            snprintf(escaped, sizeof escaped, "\\%c", byte);
        else
            snprintf(escaped, sizeof escaped, "\\u%04x", byte);
        buffer_append_text(out, escaped);
        run = cursor + 1;
    }
    buffer_append_text(out, run);
    buffer_append(out, "\"", 1);
}

void json_key(json_writer *writer, const char *key) {
    assert(!writer->after_key);
    before_value(writer);
    json_append_string_literal(writer->out, key);
    buffer_append(writer->out, writer->pretty ? ": " : ":", writer->pretty ? 2 : 1);
    writer->after_key = true;
}

void json_string(json_writer *writer, const char *text) {
    before_value(writer);
    json_append_string_literal(writer->out, text);
}

void json_number(json_writer *writer, double value) {
    char text[NUMBER_TEXT_CAPACITY];
    size_t length = number_format(value, text);
    before_value(writer);
    buffer_append(writer->out, text, length);
}

void json_integer(json_writer *writer, int64_t value) {
    before_value(writer);
    buffer_append_format(writer->out, "%lld", (long long)value);
}

void json_bool(json_writer *writer, bool value) {
    before_value(writer);
    buffer_append_text(writer->out, value ? "true" : "false");
}

void json_null(json_writer *writer) {
    before_value(writer);
    buffer_append(writer->out, "null", 4);
}

void json_optional_number(json_writer *writer, bool present, double value) {
    if (present)
        json_number(writer, value);
    else
        json_null(writer);
}
