/* sweep_report.h -- the charts and index.html of a sweep directory.
 *
 * Reads DIR/sweep.json and writes DIR/reports/: per swept key the status
 * counts (OK, WARN, ERROR) against its values, summed over the other keys;
 * with faults, per fault kind the detection rate (detected / injected)
 * against the false-alarm rate (clean_not_ok / clean snapshots), one point
 * per grid point, the current configuration (defaults, --config, --set:
 * the sweep's own settings) marked; PNG and SVG; index.html. gnuplot runs
 * once, as a child, with --default-settings, LC_ALL=C and TZ=UTC, in
 * DIR/reports. Same sweep.json, same bytes. */
#ifndef LEDGERSIM_REPORTS_SWEEP_REPORT_H
#define LEDGERSIM_REPORTS_SWEEP_REPORT_H

#include <stddef.h>

#include "reports/report.h"

/* Writes DIR/reports/. Returns 0; REPORT_NO_GNUPLOT when gnuplot is not
 * on PATH (nothing written); -1 with error (unreadable sweep.json, a
 * failed write or gnuplot). */
int sweep_report_write(const char *directory, char *error, size_t error_capacity);

#endif
