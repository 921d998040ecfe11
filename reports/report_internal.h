/* report_internal.h -- what the parts of the report share (reports/report*.c);
 * no other module includes it.
 *
 *   report.c         report_write: checks, the order of the steps, cleanup
 *   report_common.c  errors, notes, paths, file reads, JSON accessors
 *   report_series.c  decimated series, sampled markers, number text
 *   report_inputs.c  reading the run's logs and state files (data only)
 *   report_charts.c  gnuplot templates, data files and the gnuplot child
 *   report_donut.c   the AUM donut's data and chart
 *   report_trades.c  trades, PnL per symbol, exposure, daily returns (data)
 *   report_html.c    index.html (reads the context, never the files)
 *   report_html_trading.c  its trading section
 * The reading side never formats HTML and the HTML side never reads a
 * file: report_inputs.c fills the context, report_charts.c and
 * report_html.c only read it.
 *
 * Memory is fixed by the limits below, not by the length of the run: a
 * series keeps at most SERIES_BUCKETS_MAX buckets (two adjacent buckets are
 * merged when it fills up, so a bucket covers 1, 2, 4, ... rows) and a
 * marker sample keeps every stride-th marker (the stride doubles when it
 * fills up). Both are deterministic: the same rows give the same output. */
#ifndef LEDGERSIM_REPORTS_REPORT_INTERNAL_H
#define LEDGERSIM_REPORTS_REPORT_INTERNAL_H

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
    REPORT_CHARTS_MAX = 5 + REPORT_SYMBOL_CHARTS_MAX, /* charts of one report */
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
/* series_write without the rows whose value column is NaN (gaps): the
 * rows of an area that gnuplot fills. */
void series_write_defined(const series *source, size_t column, buffer *out);
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

/* ---- what the run wrote (filled by report_inputs.c) ----------------------- */

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
    double band_max, epsilon_max;       /* the widest WARN band and epsilon it was held to */
} rule_track;

/* ---- what traders read (filled by report_trades.c) ------------------------ */

enum {
    REPORT_TRADE_ROWS_MAX = 1000,       /* trades listed in index.html; all are counted */
    REPORT_PNL_SYMBOLS_MAX = 64,        /* symbols with their own PnL row; the rest are summed */
    REPORT_DAYS_MAX = 1000              /* UTC days with a daily return; later days are counted */
};

/* A fill that realized PnL (a closing fill: the kernel's "trade"). */
typedef struct {
    double ts, qty, price, fee, realized_pnl;
    char symbol[SYMBOL_CAPACITY];
    char side[8];                       /* BUY or SELL as written */
    char reason[16];                    /* strategy, TP, SL, ... as written (cut at 15 bytes) */
} report_trade;

/* Fills and PnL of one symbol (or of every symbol past the limit). */
typedef struct {
    char symbol[SYMBOL_CAPACITY];       /* "" for the row of the remaining symbols */
    long fills, trades, wins;
    double realized_pnl, fees;
} report_symbol_pnl;

/* The NAV at the end of one UTC day (the last nav.csv row of the day). */
typedef struct {
    long day;                           /* floor(ts / 86400) */
    double close_nav;
} report_day;

/* Trades and PnL per symbol from one source. */
typedef struct {
    report_trade trades[REPORT_TRADE_ROWS_MAX]; /* the first trade_count of trades_total */
    size_t trade_count;
    long trades_total, wins_total;
    double realized_total, fees_total;
    report_symbol_pnl symbols[REPORT_PNL_SYMBOLS_MAX + 1]; /* by first fill; the last: the rest */
    size_t symbol_count;
    bool has_other_symbols;
} report_fills;

/* An exchange position as the previous snapshot listed it. */
typedef struct {
    char symbol[SYMBOL_CAPACITY];
    double qty;                         /* signed */
} report_position_qty;

typedef struct {
    report_fills orders;                /* from orders.jsonl (a backtest) */
    report_fills snapshots;             /* from reconcile.jsonl: E's fills that realized PnL (a replay) */
    bool has_previous;                  /* a snapshot was seen (the fields below hold it) */
    double previous_fill[4];            /* E last_fill price, qty, fee, realized_pnl */
    report_position_qty positions[REPORT_PNL_SYMBOLS_MAX]; /* E's positions of the previous snapshot */
    size_t position_count;
    report_day days[REPORT_DAYS_MAX];   /* day closes in order */
    size_t day_count;
    long days_total;                    /* UTC days seen (more than day_count past the limit) */
    long current_day;                   /* the day of the latest nav.csv row */
    double first_nav;                   /* the run's first NAV (the first return's base) */
    series exposure;                    /* x, open notional USDT, leverage (open notional / equity) */
} report_trading;

typedef struct {
    double sequence;                    /* event_seq, NaN when absent */
    char kind[32];                      /* as written ("?" when absent; cut at 31 bytes) */
    char symbol[SYMBOL_CAPACITY];       /* "" when absent */
    size_t params_offset;               /* start of its params text in fault_params */
} report_fault_row;

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
    bool aum_distinct;                  /* some nav.csv row has aum_total != nav_total */
    double aum_from_x;                  /* the first such row's ts (AUM is drawn from it) */
    double x_min, x_max;                /* over every series and marker */
    bool has_x;

    report_fault_row fault_table[REPORT_FAULT_ROWS_MAX]; /* the first fault_rows of faults.jsonl */
    buffer fault_params;                /* their params as compact JSON, each NUL-terminated */
    long fault_kind_counts[FAULT_KIND_COUNT + 1]; /* by fault_kind, then other */

    report_trading *trading;            /* trades, PnL per symbol, exposure, days (allocated) */

    char notes[8][REPORT_NOTE_CAPACITY]; /* warnings shown in index.html */
    size_t note_count;
} report_context;


/* ---- shared helpers (report_common.c) ------------------------------------ */

/* Formats an error into context->error and returns -1. */
int report_fail(report_context *context, const char *format, ...) __attribute__((format(printf, 2, 3)));
/* Adds a warning line for index.html (dropped past the note limit). */
void report_note(report_context *context, const char *format, ...) __attribute__((format(printf, 2, 3)));
/* Widens the context's x range by x (finite values only). */
void report_see_x(report_context *context, double x);
/* path = directory + "/" + name; false (and an error) when it does not fit. */
bool report_join(report_context *context, char *path, const char *directory, const char *name);
/* The number member name of object, or NaN when absent or not a number
 * (object may be NULL). */
double report_json_number(const cJSON *object, const char *name);
/* The string member name of object, or NULL (object may be NULL). */
const char *report_json_string(const cJSON *object, const char *name);
/* Reads a whole file (at most limit bytes) into out; -1 with errno on failure. */
int report_read_file(const char *path, size_t limit, buffer *out);

/* ---- reading (report_inputs.c) ---------------------------------------------- */

/* Reads every state file and log into the context. Returns 0 or -1. */
int report_read_inputs(report_context *context);
/* Frees what report_read_inputs allocated. Safe on a zeroed context. */
void report_free_inputs(report_context *context);

/* Allocates context->trading (an empty one). 0, or -1 out of memory. */
int report_trading_init(report_context *context);
/* Frees context->trading. Safe when it is NULL. */
void report_trading_free(report_context *context);
/* One orders.jsonl record: a FILLED order counts for its symbol, and one
 * that realized PnL is a trade. */
void report_trading_order(report_context *context, const cJSON *order);
/* One reconcile.jsonl snapshot (root): K's open notional and leverage;
 * E's last fill, when it changed and realized PnL, is a trade of the
 * symbol whose E position changed (when exactly one did). */
void report_trading_snapshot(report_context *context, double ts, const cJSON *root);
/* One nav.csv row: the day closes. */
void report_trading_nav(report_context *context, double ts, double nav);
/* Ends the last day (after nav.csv). */
void report_trading_finish(report_context *context);

/* ---- charts (report_charts.c) -------------------------------------------- */

typedef struct {
    char stem[REPORT_STEM_CAPACITY];    /* file stem: STEM.png, STEM.svg, STEM.gp */
    char title[REPORT_TITLE_CAPACITY];
    int width, height;                  /* pixels of the PNG (and the SVG's size) */
    bool per_symbol;
    buffer png;                         /* the PNG's bytes, embedded in index.html */
} report_chart;

typedef struct {
    report_chart items[REPORT_CHARTS_MAX];
    size_t count;
} report_chart_list;

enum {
    TEMPLATE_VALUES_MAX = 48,            /* placeholders one template may use */
    TEMPLATE_NAME_CAPACITY = 32,         /* bytes of a placeholder name, NUL included */
    TEMPLATE_VALUE_CAPACITY = 1024       /* bytes of a placeholder value, NUL included */
};

typedef struct {
    char name[TEMPLATE_NAME_CAPACITY];
    char value[TEMPLATE_VALUE_CAPACITY];
} template_value;

/* The values of a template's placeholders (an at-sign, NAME, an at-sign). */
typedef struct {
    template_value items[TEMPLATE_VALUES_MAX];
    size_t count;
} template_values;

/* Writes the data files and scripts and runs gnuplot for every chart;
 * fills charts. gnuplot_path is the executable found on PATH. 0 or -1. */
int report_draw_charts(report_context *context, const char *gnuplot_path, report_chart_list *charts);
/* Frees the PNG bytes the charts hold. Safe on an empty list. */
void report_free_charts(report_chart_list *charts);

/* The chart machinery the drawers share (report_charts.c). */
/* Sets placeholder name to the printf-formatted value (replacing an earlier
 * value of the same name; past TEMPLATE_VALUES_MAX names it is dropped and
 * the template then fails on the unknown placeholder). */
void values_set(template_values *values, const char *name, const char *format, ...)
    __attribute__((format(printf, 3, 4)));
/* Sets placeholder name to number's canonical text. */
void values_set_number(template_values *values, const char *name, double number);
/* Writes text into out (capacity bytes) for a double-quoted string in a
 * data file: '"' and '\' become "'" and '/', bytes outside printable ASCII '?'. */
void data_quote(const char *text, char *out, size_t capacity);
/* Writes the bytes of content to DIR/reports/name, atomically. 0 or -1. */
int write_report_file(report_context *context, const char *name, const buffer *content);
/* Adds a chart to the list (the list has room for every chart a report draws). */
report_chart *add_chart(report_chart_list *charts, const char *stem, int width, int height, bool per_symbol);
/* Fills template_name with values into DIR/reports/STEM.gp, runs gnuplot
 * on it and checks STEM.png and STEM.svg exist. 0 or -1. */
int draw_chart(report_context *context, const char *gnuplot_path, const char *template_directory,
               const char *template_name, report_chart *chart, template_values *values);
/* Sets TIME_AXIS, TIME_FORMAT, X_MIN, X_MAX from the context's x range. */
void set_axis_values(const report_context *context, template_values *values);
/* A UTC date for a chart title, or "ts N" for synthetic clocks. */
void format_timestamp(double ts, char *out, size_t capacity);

/* donut.dat, donut_legend.dat and the aum_donut chart, from nav.json
 * (report_donut.c). 0 or -1. */
int report_draw_donut(report_context *context, const char *gnuplot_path, const char *templates,
                      report_chart_list *charts);

/* ---- index.html (report_html.c) ------------------------------------------ */

/* Writes DIR/reports/index.html. 0 or -1. */
int report_write_html(report_context *context, const report_chart_list *charts);

/* Appends text with &, <, >, " and ' escaped (bytes below 0x20 but tab and
 * newline dropped). */
void html_append_escaped(buffer *out, const char *text);

/* How a table shows a number; the exact value is in the cell's title. */
typedef enum {
    CELL_MONEY,  /* USD(T) amounts: 2 decimals, thousands grouped */
    CELL_PRICE,  /* prices and levels: 2 decimals from 1,000, 4 from 1, else 6 significant digits */
    CELL_QTY,    /* quantities: at most 8 decimals, trailing zeros dropped */
    CELL_COUNT   /* integers */
} cell_kind;

/* Appends value for reading (see cell_kind); a dash when not finite. */
void append_display(buffer *out, double value, cell_kind kind);
/* Appends a table cell showing value for reading, the exact value in its
 * title (class "missing" and a dash when not finite, if mark_missing). */
void number_cell(buffer *out, double value, cell_kind kind, bool mark_missing);
/* Formats ts for display: UTC date and time for epoch seconds of a real
 * date, else "ts N"; a dash when not finite. */
void append_timestamp(buffer *out, double ts);
/* Appends a chart figure: the PNG inline as a data URI (the page needs no
 * other file); the SVG and the gnuplot script are named, beside the page. */
void chart_figure(buffer *out, const report_chart *chart);
/* The chart of the given stem, or NULL. */
const report_chart *find_chart(const report_chart_list *charts, const char *stem);

/* The trading section (report_html_trading.c): trades with their realized
 * PnL, PnL per symbol, exposure and leverage, daily returns. */
void section_trading(const report_context *context, const report_chart_list *charts, buffer *out);
/* Why the Sharpe ratio is null, as the core computes it (core/kpis.c):
 * a short sentence, or NULL when it has a value or the reason is unknown. */
const char *sharpe_missing_reason(const report_context *context);

#endif
