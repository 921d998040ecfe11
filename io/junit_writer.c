/* junit_writer.c -- see junit_writer.h. */
#include "io/junit_writer.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "io/atomic_file.h"

enum {
    JUNIT_BYTES_MAX = 1 << 30,       /* the whole document: ~10M testcases */
    JUNIT_TEXT_BYTES_MAX = 4096      /* bytes of one attribute value kept; the rest is cut */
};

static const char *const outcome_elements[] = {"", "failure", "error"};

void junit_writer_init(junit_writer *writer) {
    memset(writer, 0, sizeof *writer);
    buffer_init(&writer->suites, JUNIT_BYTES_MAX);
    buffer_init(&writer->cases, JUNIT_BYTES_MAX);
}

void junit_writer_free(junit_writer *writer) {
    buffer_free(&writer->suites);
    buffer_free(&writer->cases);
}

/* Length of the well-formed UTF-8 sequence at text (1..4), or 0 when the
 * bytes there are not one (Unicode 15, table 3-7: no overlong forms, no
 * surrogates, nothing above U+10FFFF). */
static size_t utf8_sequence_length(const unsigned char *text) {
    unsigned char lead = text[0];
    if (lead < 0x80) return 1;
    size_t length = lead >= 0xC2 && lead <= 0xDF ? 2 : lead >= 0xE0 && lead <= 0xEF ? 3
                  : lead >= 0xF0 && lead <= 0xF4 ? 4 : 0;
    if (length == 0) return 0;
    unsigned char low = 0x80, high = 0xBF;   /* the range of the second byte */
    if (lead == 0xE0) low = 0xA0;
    if (lead == 0xED) high = 0x9F;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F;
    if (text[1] < low || text[1] > high) return 0;
    for (size_t index = 2; index < length; index++)
        if (text[index] < 0x80 || text[index] > 0xBF) return 0;
    return length;
}

/* Appends text escaped for an XML 1.0 attribute value or element content. */
static void append_escaped(buffer *out, const char *text) {
    const unsigned char *cursor = (const unsigned char *)text;
    size_t written = 0;
    while (*cursor != '\0' && written < JUNIT_TEXT_BYTES_MAX) {
        unsigned char c = *cursor;
        size_t length = 1;
        switch (c) {
        case '&': buffer_append_text(out, "&amp;"); break;
        case '<': buffer_append_text(out, "&lt;"); break;
        case '>': buffer_append_text(out, "&gt;"); break;
        case '"': buffer_append_text(out, "&quot;"); break;
        case '\n': buffer_append_text(out, "&#10;"); break;  /* kept through attribute normalisation */
        case '\t': buffer_append_text(out, "&#9;"); break;
        default:
            length = utf8_sequence_length(cursor);
            if (c < 0x20 || c == 0x7F || length == 0) {
                buffer_append_text(out, "\xEF\xBF\xBD");   /* U+FFFD: not representable in XML 1.0 */
                length = 1;
            } else {
                buffer_append(out, cursor, length);
            }
        }
        cursor += length;
        written += length;
    }
    if (*cursor != '\0') buffer_append_text(out, "...");
}

void junit_case(junit_writer *writer, const junit_case_record *record) {
    assert(record->outcome >= JUNIT_PASSED && record->outcome <= JUNIT_ERROR);
    assert(record->outcome == JUNIT_PASSED || record->message != NULL);
    buffer *out = &writer->cases;
    buffer_append_text(out, "    <testcase classname=\"");
    append_escaped(out, record->classname);
    buffer_append_text(out, "\" name=\"");
    append_escaped(out, record->name);
    buffer_append_text(out, "\"");
    if (record->file != NULL) {
        buffer_append_text(out, " file=\"");
        append_escaped(out, record->file);
        buffer_append_text(out, "\"");
    }
    if (record->line > 0) buffer_append_format(out, " line=\"%ld\"", record->line);
    writer->suite_counts[record->outcome]++;
    if (record->outcome == JUNIT_PASSED) {
        buffer_append_text(out, "/>\n");
        return;
    }
    const char *element = outcome_elements[record->outcome];
    buffer_append_format(out, ">\n      <%s message=\"", element);
    append_escaped(out, record->message);
    buffer_append_text(out, "\"");
    if (record->type != NULL) {
        buffer_append_text(out, " type=\"");
        append_escaped(out, record->type);
        buffer_append_text(out, "\"");
    }
    buffer_append_text(out, ">");
    append_escaped(out, record->message);
    buffer_append_format(out, "</%s>\n    </testcase>\n", element);
}

void junit_suite_end(junit_writer *writer, const char *name, const char *file, double seconds) {
    buffer *out = &writer->suites;
    long *counts = writer->suite_counts;
    buffer_append_text(out, "  <testsuite name=\"");
    append_escaped(out, name);
    buffer_append_text(out, "\" file=\"");
    append_escaped(out, file);
    buffer_append_format(out, "\" tests=\"%ld\" failures=\"%ld\" errors=\"%ld\" skipped=\"0\"",
                         counts[0] + counts[1] + counts[2], counts[JUNIT_FAILED], counts[JUNIT_ERROR]);
    if (seconds >= 0) buffer_append_format(out, " time=\"%.3f\"", seconds);
    buffer_append_text(out, ">\n");
    if (writer->cases.length > 0) buffer_append(out, writer->cases.data, writer->cases.length);
    buffer_append_text(out, "  </testsuite>\n");
    if (buffer_failed(&writer->cases)) out->failed = true;  /* a lost case must fail the save */
    for (int outcome = 0; outcome < 3; outcome++) writer->total_counts[outcome] += counts[outcome];
    if (seconds > 0) writer->total_seconds += seconds;
    writer->suite_count++;
    memset(writer->suite_counts, 0, sizeof writer->suite_counts);
    bool failed = out->failed;
    buffer_reset(&writer->cases);
    out->failed = failed;
}

bool junit_writer_save(junit_writer *writer, const char *path, const char *name, char *error,
                       size_t error_capacity) {
    buffer document;
    buffer_init(&document, JUNIT_BYTES_MAX);
    const long *counts = writer->total_counts;
    buffer_append_text(&document, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"");
    append_escaped(&document, name);
    buffer_append_format(&document, "\" tests=\"%ld\" failures=\"%ld\" errors=\"%ld\" time=\"%.3f\">\n",
                         counts[0] + counts[1] + counts[2], counts[JUNIT_FAILED], counts[JUNIT_ERROR],
                         writer->total_seconds);
    if (writer->suites.length > 0) buffer_append(&document, writer->suites.data, writer->suites.length);
    buffer_append_text(&document, "</testsuites>\n");
    bool ok = !buffer_failed(&document) && !buffer_failed(&writer->suites);
    if (!ok)
        snprintf(error, error_capacity, "%s: the JUnit report is too large or memory ran out", path);
    else if (atomic_file_write(path, document.data, document.length) != 0) {
        snprintf(error, error_capacity, "%s: %s", path, strerror(errno));
        ok = false;
    }
    buffer_free(&document);
    return ok;
}
