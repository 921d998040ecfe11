/* report.h -- the charts and index.html of a run directory.
 *
 * report_write reads what a run wrote under DIR (logs/nav.csv,
 * logs/reconcile.jsonl, logs/exits.jsonl, logs/faults.jsonl,
 * logs/orders.jsonl, the optional logs/marks.csv, the JSON files of
 * logs/state/; any of the logs may be absent or empty) and writes
 * DIR/reports/:
 *   *.dat        the data files gnuplot draws (decimated to a fixed number
 *                of points per series, so a long run stays small)
 *   *.gp         the gnuplot scripts: the templates (the .gp files of the
 *                source tree's reports/) with paths and values filled in
 *   *.png, *.svg the charts (PNG by pngcairo, SVG by the svg terminal)
 *   index.html   one self-contained page: inline CSS, every chart a PNG data
 *                URI (the page can be sent alone); links to the run's logs
 *                are the only references out of it
 * logs/marks.csv, when a run writes it, is CSV with a header naming at
 * least ts, symbol and price (the kernel's mark feed), optionally event_seq
 * (exits are then placed by it) and the kernel's position and ledger levels
 * after the mark: qty (signed, 0 when flat), entry_price, tp, sl. Without it
 * a symbol's price line is the mark_price of its exchange position in
 * reconcile.jsonl, which exists only while a position is open.
 * Same run directory, same bytes: nothing depends on the clock, the
 * locale, the environment's time zone or the absolute path of DIR.
 *
 * The templates are looked up in $LEDGERSIM_REPORT_TEMPLATES, then in
 * reports/ next to the bin/ folder of the running executable, then in
 * ./reports. gnuplot is run as a child process (fork, exec) with
 * --default-settings (no init files), LC_ALL=C and TZ=UTC, in DIR/reports. */
#ifndef LEDGERSIM_REPORTS_REPORT_H
#define LEDGERSIM_REPORTS_REPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/limits.h"

/* A run's report lives only in DIR/reports: nothing here writes elsewhere
 * (gnuplot runs with DIR/reports as its working folder), so a run's
 * outputs swapped whole carry their report along.
 *
 * report_write results besides 0 (success) and -1 (error, text in error). */
#define REPORT_NO_GNUPLOT 3 /* gnuplot is not on PATH: nothing was written */

enum {
    REPORT_ERROR_CAPACITY = 1024 /* bytes: a message buffer large enough for any report error */
};

/* Writes DIR/reports/ for the run directory run_directory. Returns 0;
 * REPORT_NO_GNUPLOT when gnuplot is not on PATH (checked after the run
 * directory, before anything is written); or -1 with a message naming the
 * file at fault in error (a missing directory or one that is not a run
 * directory, an unreadable file, a failed gnuplot, a failed write).
 * Draws a progress line on stderr while reading large logs, only when
 * stderr is a terminal. */
int report_write(const char *run_directory, char *error, size_t error_capacity) WARN_UNUSED_RESULT;

/* report_write for a run written in one folder (a staging folder) and shown
 * under another name: run_name (NULL: the folder's own name) titles the
 * charts and the page. */
int report_write_named(const char *run_directory, const char *run_name, char *error, size_t error_capacity)
    WARN_UNUSED_RESULT;


#endif
