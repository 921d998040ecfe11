/* progress.h -- a one-line progress reporter for long loops.
 *
 * Draws "LABEL  42% (420/1000)" (or "LABEL 420" without a total) on stderr,
 * redrawn in place with a carriage return, only when stderr is a terminal:
 * redirected output, logs and test transcripts never see it. Redraws are
 * rate-limited by count (at most one per PROGRESS_STEPS_PER_TOTAL-th of the
 * total, or every PROGRESS_UNKNOWN_TOTAL_STEP units without a total) and
 * then by a monotonic clock (at most one per PROGRESS_REDRAW_MILLISECONDS).
 * The clock only throttles drawing; it never reaches any output file.
 * Plain struct, no allocation; not thread-safe. */
#ifndef LEDGERSIM_IO_PROGRESS_H
#define LEDGERSIM_IO_PROGRESS_H

#include <stdbool.h>

enum {
    PROGRESS_LABEL_CAPACITY = 40,        /* bytes of the label, NUL included (longer labels are cut) */
    PROGRESS_STEPS_PER_TOTAL = 200,      /* count checkpoints per total */
    PROGRESS_UNKNOWN_TOTAL_STEP = 4096,  /* units between checkpoints when total <= 0 */
    PROGRESS_REDRAW_MILLISECONDS = 100   /* the least time between two redraws */
};

typedef struct {
    char label[PROGRESS_LABEL_CAPACITY];
    long total;                 /* <= 0: unknown */
    long done;
    long next_check;            /* the count at which drawing is considered again */
    long step;                  /* count between checks */
    bool enabled;               /* stderr is a terminal */
    bool drawn;                 /* something is on the line (finish ends it) */
    long long last_draw_ms;     /* monotonic milliseconds of the last redraw */
} progress;

/* Starts a reporter for total units (<= 0 when unknown). Draws nothing yet. */
void progress_init(progress *reporter, const char *label, long total);

/* Records that done units are finished (monotonic; smaller values are
 * ignored). Redraws when a count checkpoint is passed and the clock allows. */
void progress_update(progress *reporter, long done);

/* Draws the final state and ends the line if anything was drawn (a fast
 * loop that never reached a redraw leaves no trace). Safe to call twice. */
void progress_finish(progress *reporter);

#endif
