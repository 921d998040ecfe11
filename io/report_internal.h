/* report_internal.h -- what the parts of the report share (io/report*.c);
 * no other module includes it.
 *
 *   report.c         report_write: checks, the order of the steps, cleanup
 *   report_series.c  decimated series, sampled markers, data-file text
 *   report_inputs.c  reading the run's logs and state files
 *   report_charts.c  gnuplot templates, data files and the gnuplot child
 *   report_html.c    index.html
 *
 * Memory is fixed by the limits below, not by the length of the run: a
 * series keeps at most SERIES_BUCKETS_MAX buckets (two adjacent buckets are
 * merged when it fills up, so a bucket covers 1, 2, 4, ... rows) and a
 * marker sample keeps every stride-th marker (the stride doubles when it
 * fills up). Both are deterministic: the same rows give the same output. */
#ifndef LEDGERSIM_IO_REPORT_INTERNAL_H
#define LEDGERSIM_IO_REPORT_INTERNAL_H

#include <cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/config.h"
#include "core/limits.h"
#include "core/rules.h"
#include "io/buffer.h"
#include "io/fault_kinds.h"

enum {
    REPORT_PATH_CAPACITY = 4096,                  /* bytes of one path, NUL included */
    REPORT_LINE_BYTES_MAX = 16 * 1024 * 1024,     /* longest log line read; longer lines are skipped */
    REPORT_STATE_FILE_BYTES_MAX = 16 * 1024 * 1024, /* largest state file read */
    REPORT_OUTPUT_BYTES_MAX = 64 * 1024 * 1024,   /* largest file written (data, script, html) */
    REPORT_TEMPLATE_BYTES_MAX = 256 * 1024,       /* largest gnuplot template */
    SERIES_VALUES_MAX = 4,                        /* values per series row */
    SERIES_TRACKED_MAX = 3,                       /* values whose min and max each bucket keeps */
    SERIES_BUCKETS_MAX = 1024,                    /* buckets per series (even) */
    MARKERS_MAX = 4096,                           /* markers kept per sample (even) */
    REPORT_SYMBOL_CHARTS_MAX = 24,                /* symbols with a chart; later ones are counted */
    REPORT_RULES = RULE_SEED_COUNT,               /* reconcile rules R1..R5 (core/rules.h order) */
    REPORT_FAULT_ROWS_MAX = 500,                  /* fault log rows shown in index.html */
    REPORT_CHARTS_MAX = 4 + REPORT_SYMBOL_CHARTS_MAX, /* charts of one report */
    REPORT_STEM_CAPACITY = 64,                    /* bytes of a chart's file stem, NUL included */
    REPORT_TITLE_CAPACITY = 160,                  /* bytes of a chart's title, NUL included */
    REPORT_NOTE_CAPACITY = 256                    /* bytes of one warning, NUL included */
};

/* ---- decimated series (report_series.c) -------------------------------- */

typedef struct {
    long index;                         /* row number in the series, from 0 */
    double x;
    double values[SERIES_VALUES_MAX];   /* NaN: no value (a gap) */
    int tag;                            /* e.g. the reconcile status 0/1/2 */
} series_row;

typedef struct {
    long rows;                          /* rows folded in */
    series_row first, last;
    series_row low[SERIES_TRACKED_MAX], high[SERIES_TRACKED_MAX];
    bool has_extreme[SERIES_TRACKED_MAX]; /* low/high hold a finite value */
    bool has_gap;                       /* a row whose tracked values were all NaN */
    series_row gap;                     /* the first such row */
    int worst_tag;                      /* the largest tag */
} series_bucket;

typedef struct {
    size_t value_count;                 /* values per row (<= SERIES_VALUES_MAX) */
    size_t tracked_count;               /* the first tracked_count values keep min/max */
    long rows;                          /* rows added */
    long rows_per_bucket;               /* 1, 2, 4, ... */
    size_t bucket_count;
    series_bucket *buckets;             /* SERIES_BUCKETS_MAX, allocated at first add */
    bool allocation_failed;
    bool has_range;                     /* some tracked value was finite */
    double value_min, value_max;        /* over every tracked value of every row */
    double x_first, x_last;
} series;

/* Prepares an empty series (no allocation until the first row). */
void series_init(series *target, size_t value_count, size_t tracked_count);
/* Frees the buckets. */
void series_free(series *target);
/* Adds one row (values has value_count entries). False when memory ran out
 * (sticky: the series then stays as it was). */
bool series_add(series *target, double x, const double *values, int tag);
/* True when tracked value column is finite in some row. */
bool series_has_values(const series *source, size_t column);
/* Appends the decimated rows, "x v1 .. vn tag" one a line (NaN as NaN), in
 * row order: per bucket its first, last, extremes and first gap. */
void series_write(const series *source, buffer *out);
/* Appends the status strip: "x_from x_to worst_tag" per run of buckets
 * with the same worst tag, reaching to the next run's first x (the last
 * one to x_end when that is later than its own last x). */
void series_write_strip(const series *source, buffer *out, double x_end);

typedef struct {
    long ordinal;                       /* the how-many-th marker offered, from 0 */
    double x, y;
    double x_from;                      /* start of a level segment (exits), else NaN */
    double tp, sl;                      /* levels at an exit, else NaN */
    double sequence;                    /* event_seq (NaN when unknown) */
    int kind;                           /* report_marker_kind */
} report_marker;

typedef enum {
    MARKER_ENTRY_LONG = 1,              /* a long opened or grew */
    MARKER_ENTRY_SHORT = 2,             /* a short opened or grew */
    MARKER_EXIT_TP = 3,
    MARKER_EXIT_SL = 4,
    MARKER_ORDER_REJECTED = 5,
    MARKER_ORDER_FILLED = 6,            /* a non-exit backtest fill (entries without reconcile data) */
    MARKER_LEDGER_LEVELS = 7            /* an open position's current TP/SL, from the ledger */
} report_marker_kind;

typedef struct {
    report_marker items[MARKERS_MAX];
    size_t count;
    long stride;                        /* keeps markers whose ordinal is a multiple */
    long offered;
} marker_sample;

/* Empties a sample (stride 1). */
void markers_init(marker_sample *sample);
/* Offers a marker: kept when its ordinal is a multiple of the stride;
 * returns the kept copy (to be completed by the caller) or NULL. */
report_marker *markers_offer(marker_sample *sample, const report_marker *marker);

/* Appends a number in canonical form (core/number.h), NaN as "NaN". */
void report_append_number(buffer *out, double value);
/* Appends value rounded to decimals (0..4) places with thousands separators
 * ("12,345.68"): display text, built from number_format of the rounded
 * value; "n/a" for a non-finite value. */
void report_append_grouped(buffer *out, double value, int decimals);

/* ---- what the run wrote (report_inputs.c) ------------------------------- */

typedef struct {
    char symbol[SYMBOL_CAPACITY];
    char stem[REPORT_STEM_CAPACITY];    /* chart file stem, "symbol_BTCUSDT" */
    series marks;                       /* x, mark, tp, sl (levels NaN unless marks.csv has them) */
    series entry_line;                  /* x, entry price (NaN while flat) */
    marker_sample *events;              /* entries, exits, orders (allocated with the track) */
    bool open;                          /* an exchange position is open (reconcile) */
    double open_qty;                    /* signed */
    double open_ts;
    long seen_row;                      /* the reconcile row that last listed it */
    long entries, exits_tp, exits_sl, orders_filled, orders_rejected; /* full counts */
    bool has_reconcile_entries;
    bool has_ledger;                    /* state.json positions_ledger has it */
    double ledger_tp, ledger_sl, ledger_entry, ledger_from; /* NaN when null */
    bool ledger_short;                  /* the ledger entry's side is SHORT */
} symbol_track;

typedef struct {
    const char *name;                   /* rule's delta name */
    const char *label;                  /* "R1 capital_vs_wallet" */
    series deltas;                      /* x, delta, epsilon, warn band; tag = status */
    long evaluated;                     /* snapshots carrying the delta */
    bool evaluated_last;                /* the previous snapshot carried it */
    long outside_epsilon, outside_band; /* |delta| > epsilon (WARN or worse), > band (ERROR) */
    double largest;                     /* largest |delta| */
} rule_track;

typedef struct {
    char run_directory[REPORT_PATH_CAPACITY];
    char logs_directory[REPORT_PATH_CAPACITY];
    char state_directory[REPORT_PATH_CAPACITY];
    char reports_directory[REPORT_PATH_CAPACITY];
    char run_name[REPORT_TITLE_CAPACITY];   /* basename of the run directory, for titles */
    char *error;
    size_t error_capacity;

    reconcile_config thresholds;        /* account.json reconcile_config, else defaults */
    bool thresholds_from_account;

    cJSON *account, *nav, *kpis, *state, *registry; /* state files; NULL when absent */

    series nav_series;                  /* x, nav, aum, drawdown %; tag = status */
    series status_series;               /* x; tag = status (reconcile, else nav.csv) */
    rule_track rules[REPORT_RULES];
    marker_sample *nav_exits;           /* exits for the NAV chart: y = NAV at the exit */
    symbol_track *tracks[REPORT_SYMBOL_CHARTS_MAX];
    size_t track_count;
    char other_symbols[SYMBOLS_MAX][SYMBOL_CAPACITY]; /* symbols seen past the chart limit */
    size_t other_symbol_count;

    bool use_mark_log;                  /* logs/marks.csv has rows: marks come from it */
    bool mark_log_has_positions;        /* ... and a qty column: positions come from it too */
    long nav_rows, reconcile_rows, exit_rows, order_rows, fault_rows, mark_rows;
    long status_counts[3];              /* OK, WARN, ERROR (reconcile, else nav.csv) */
    long worst_field_counts[REPORT_RULES + 1]; /* per rule, then any other field */
    long orders_filled, orders_rejected, exits_tp, exits_sl;
    long skipped_lines;                 /* unreadable lines in any log */
    double nav_first, nav_last, nav_peak, max_drawdown_pct;
    double x_min, x_max;                /* over every series and marker */
    bool has_x;

    buffer fault_rows_html;             /* <tr>..</tr> of the first REPORT_FAULT_ROWS_MAX faults */
    long fault_kind_counts[FAULT_KIND_COUNT + 1]; /* by fault_kind, then other */

    char notes[8][REPORT_NOTE_CAPACITY]; /* warnings shown in index.html */
    size_t note_count;
} report_context;

/* Formats an error into context->error and returns -1. */
int report_fail(report_context *context, const char *format, ...) __attribute__((format(printf, 2, 3)));
/* path = directory + "/" + name; false (and an error) when it does not fit. */
bool report_join(report_context *context, char *path, const char *directory, const char *name);

/* Reads every state file and log into the context. Returns 0 or -1. */
int report_read_inputs(report_context *context);
/* Frees what report_read_inputs allocated. Safe on a zeroed context. */
void report_free_inputs(report_context *context);
/* The number member name of object, or NaN when absent or not a number
 * (object may be NULL). */
double report_json_number(const cJSON *object, const char *name);
/* The string member name of object, or NULL (object may be NULL). */
const char *report_json_string(const cJSON *object, const char *name);
/* Reads a whole file (at most limit bytes) into out; -1 with errno on failure. */
int report_read_file(const char *path, size_t limit, buffer *out);

/* ---- charts (report_charts.c) -------------------------------------------- */

typedef struct {
    char stem[REPORT_STEM_CAPACITY];    /* file stem: STEM.png, STEM.svg, STEM.gp */
    char title[REPORT_TITLE_CAPACITY];
    int width, height;                  /* pixels of the PNG (and the SVG's size) */
    bool per_symbol;
} report_chart;

typedef struct {
    report_chart items[REPORT_CHARTS_MAX];
    size_t count;
} report_chart_list;

/* Writes the data files and scripts and runs gnuplot for every chart;
 * fills charts. gnuplot_path is the executable found on PATH. 0 or -1. */
int report_draw_charts(report_context *context, const char *gnuplot_path, report_chart_list *charts);

/* ---- index.html (report_html.c) ------------------------------------------ */

/* Writes DIR/reports/index.html. 0 or -1. */
int report_write_html(report_context *context, const report_chart_list *charts);

/* Appends text with &, <, >, " and ' escaped (bytes below 0x20 but tab and
 * newline dropped). */
void html_append_escaped(buffer *out, const char *text);

#endif
