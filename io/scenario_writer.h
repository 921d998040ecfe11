/* scenario_writer.h -- exchange facts out as a scenario CSV (format version 1,
 * docs/scenario-format.md), so that a live run or a capture can be
 * replayed by `ledgersim run`.
 *
 * One fixed header row, then one row per fact in the order given, each row
 * carrying its event's id and ts, so consecutive rows of one event group
 * back into that event. Every number is printed with number_format (reads
 * back as the same double). Rows are buffered and written at the end of each
 * event (a crash loses at most the event under way); the file is fsynced on
 * flush and close. */
#ifndef LEDGERSIM_IO_SCENARIO_WRITER_H
#define LEDGERSIM_IO_SCENARIO_WRITER_H

#include <stdbool.h>
#include <stddef.h>

#include "core/kernel.h"
#include "core/limits.h"
#include "io/buffer.h"

enum {
    SCENARIO_WRITER_LINE_LIMIT = 1 << 20,   /* bytes buffered for one event */
    SCENARIO_WRITER_ERROR_CAPACITY = 512
};

typedef struct {
    int descriptor;                         /* -1 while closed */
    bool owns_descriptor;                   /* opened here (closed by close) */
    bool timed_row_written;                 /* config rows are refused after one */
    buffer pending;
    char last_event_id[EVENT_ID_CAPACITY];  /* id of the last event written ("" none) */
    double last_ts;
    long events_written;
    long rows_written;
    char error[SCENARIO_WRITER_ERROR_CAPACITY];
} scenario_writer;

/* Creates path (refusing an existing file: a recording is never
 * overwritten) and writes the header row. Returns 0 or -1 with error set. */
int scenario_writer_open(scenario_writer *writer, const char *path) WARN_UNUSED_RESULT;

/* Writes to an already open descriptor (stdout for `live convert`); the
 * descriptor is borrowed. Writes the header row. */
int scenario_writer_open_descriptor(scenario_writer *writer, int descriptor) WARN_UNUSED_RESULT;

/* A `config` row (before any timed row). */
int scenario_writer_config(scenario_writer *writer, const char *key, const char *value) WARN_UNUSED_RESULT;

/* One exchange event: count facts (0 < count <= EVENT_ROWS_MAX) with the
 * non-empty id event_id and timestamp ts (epoch seconds, must not be below
 * the previous row's). The caller separates two consecutive events with the
 * same id (scenario_writer_expect) since rows with equal ids group. */
int scenario_writer_event(scenario_writer *writer, const char *event_id, double ts,
                          const exchange_fact *facts, size_t count) WARN_UNUSED_RESULT;

/* An `expect` row (key, value) at ts: used between two adjacent deliveries of
 * one event id, asserting what is true there, so that the rows do not group. */
int scenario_writer_expect(scenario_writer *writer, double ts, const char *key, const char *value)
    WARN_UNUSED_RESULT;

/* Writes buffered rows and fsyncs (a no-op fsync error on a pipe is ignored). */
int scenario_writer_flush(scenario_writer *writer) WARN_UNUSED_RESULT;

/* Flushes and closes; returns the flush result. Safe to call twice. */
int scenario_writer_close(scenario_writer *writer);

/* The header row the writer uses (without the line end). */
const char *scenario_writer_header(void);

#endif
