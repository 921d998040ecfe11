/* progress.h -- a one-line progress reporter for long loops.
 *
 * Draws one line on stderr, redrawn in place with a carriage return, only
 * when stderr is a terminal: redirected output, logs and test transcripts
 * never see it. The line is one of:
 *   "LABEL  42% (420/1000)"                      counted units (fuzz seeds)
 *   "LABEL  42%  0:03 left"                      bytes of a file (the report
 *                                                phase: no raw byte counts)
 *   "LABEL  42%  1,234,567 rows  850,000 events/s  0:03 left"
 *                                                a replay (bytes of the file,
 *                                                with rows and events given)
 * and "LABEL 420" when the total is unknown. Redraws are rate-limited by
 * count (at most one per PROGRESS_STEPS_PER_TOTAL-th of the total, or every
 * PROGRESS_UNKNOWN_TOTAL_STEP units without a total) and then by a monotonic
 * clock (at most one per PROGRESS_REDRAW_MILLISECONDS). The clock only
 * throttles drawing and estimates rates; it never reaches any output file.
 * progress_finish erases the line: a finished loop leaves nothing behind.
 * Plain struct, no allocation; not thread-safe. */
#ifndef LEDGERSIM_IO_PROGRESS_H
#define LEDGERSIM_IO_PROGRESS_H

#include <stdbool.h>

enum {
    PROGRESS_LABEL_CAPACITY = 64,        /* bytes of the label, NUL included (longer labels are cut) */
    PROGRESS_LINE_CAPACITY = 192,        /* bytes of the drawn line, NUL included */
    PROGRESS_STEPS_PER_TOTAL = 200,      /* count checkpoints per total */
    PROGRESS_UNKNOWN_TOTAL_STEP = 4096,  /* units between checkpoints when total <= 0 */
    PROGRESS_REDRAW_MILLISECONDS = 100   /* the least time between two redraws */
};

typedef enum {
    PROGRESS_COUNT = 0,                  /* units the user counts: "(done/total)" shown */
    PROGRESS_BYTES = 1                   /* bytes: percent and time left, never the bytes */
} progress_units;

typedef struct {
    char label[PROGRESS_LABEL_CAPACITY];
    progress_units units;
    long total;                 /* <= 0: unknown */
    long done;
    long rows, events;          /* shown when has_counts (a replay) */
    bool has_counts;
    long next_check;            /* the count at which drawing is considered again */
    long step;                  /* count between checks */
    bool enabled;               /* stderr is a terminal */
    bool drawn;                 /* something is on the line (finish erases it) */
    long long start_ms;         /* monotonic milliseconds at init (enabled only) */
    long long last_draw_ms;     /* monotonic milliseconds of the last redraw */
} progress;

/* Starts a reporter for total counted units (<= 0 when unknown). Draws
 * nothing yet. */
void progress_init(progress *reporter, const char *label, long total);

/* Starts a reporter for total bytes of a file (<= 0 when unknown): the
 * line shows the percent and the time left, not the bytes. */
void progress_init_bytes(progress *reporter, const char *label, long total_bytes);

/* Records that done units are finished (monotonic; smaller values are
 * ignored). Redraws when a count checkpoint is passed and the clock allows. */
void progress_update(progress *reporter, long done);

/* progress_update for a replay: done bytes of the file, and the rows read
 * and events applied so far (shown, with events per second). */
void progress_update_counts(progress *reporter, long done, long rows, long events);

/* Formats the line of a reporter that has run elapsed_ms into line
 * (PROGRESS_LINE_CAPACITY bytes): what progress_update draws (no carriage
 * return). Pure: for tests. */
void progress_format(const progress *reporter, long long elapsed_ms, char *line);

/* Erases the line if anything was drawn (a fast loop that never reached a
 * redraw leaves no trace either). Safe to call twice. */
void progress_finish(progress *reporter);

#endif
