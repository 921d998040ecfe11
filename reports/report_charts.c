/* report_charts.c -- the data files, the filled gnuplot templates and the
 * gnuplot child process of the report (see report.h for the layout).
 *
 * A template is reports/NAME.gp of the source tree with placeholders
 * written as an at-sign, an upper-case NAME and an at-sign; every
 * placeholder must have a value (a template asking for an unknown one is an
 * error, so code and templates cannot drift apart silently). Strings are
 * escaped for the single-quoted gnuplot strings they land in. */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/number.h"
#include "io/atomic_file.h"
#include "reports/report_internal.h"

extern char **environ;

enum {
    GNUPLOT_SECONDS_MAX = 300,           /* a gnuplot run taking longer is killed */
    GNUPLOT_LOG_EXCERPT = 600,           /* bytes of gnuplot's output quoted in an error */
    CHILD_ENVIRONMENT_MAX = 512          /* environment entries passed to gnuplot */
};

/* Sets placeholder name to the printf-formatted value (replacing an earlier
 * value of the same name). */
void values_set(template_values *values, const char *name, const char *format, ...) {
    template_value *slot = NULL;
    for (size_t index = 0; index < values->count && slot == NULL; index++)
        if (strcmp(values->items[index].name, name) == 0) slot = &values->items[index];
    if (slot == NULL) {
        if (values->count == TEMPLATE_VALUES_MAX) return; /* caught: the template then names an unknown value */
        slot = &values->items[values->count++];
        snprintf(slot->name, sizeof slot->name, "%s", name);
    }
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(slot->value, sizeof slot->value, format, arguments);
    va_end(arguments);
}

/* Sets placeholder name to number's canonical text. */
void values_set_number(template_values *values, const char *name, double number) {
    char text[NUMBER_TEXT_CAPACITY];
    number_format(number + 0.0, text);
    values_set(values, name, "%s", text);
}

/* Writes text into out (capacity bytes) fit for a single-quoted gnuplot
 * string: '' for a quote, '?' for bytes outside printable ASCII. */
static void gnuplot_quote(const char *text, char *out, size_t capacity) {
    size_t length = 0;
    for (const char *cursor = text; *cursor != '\0' && length + 3 < capacity; cursor++) {
        unsigned char character = (unsigned char)*cursor;
        if (character == '\'') {
            out[length++] = '\'';
            out[length++] = '\'';
        } else {
            out[length++] = character >= 0x20 && character < 0x7f ? (char)character : '?';
        }
    }
    out[length] = '\0';
}

/* Writes text into out for a double-quoted string in a data file: '"' and
 * '\' become "'" and '/', bytes outside printable ASCII '?'. */
void data_quote(const char *text, char *out, size_t capacity) {
    size_t length = 0;
    for (const char *cursor = text; *cursor != '\0' && length + 1 < capacity; cursor++) {
        unsigned char character = (unsigned char)*cursor;
        char replaced = character == '"' ? '\'' : character == '\\' ? '/' : (char)character;
        out[length++] = character >= 0x20 && character < 0x7f ? replaced : '?';
    }
    out[length] = '\0';
}

/* Writes the bytes of content to DIR/reports/name, atomically. */
int write_report_file(report_context *context, const char *name, const buffer *content) {
    if (buffer_failed(content)) return report_fail(context, "%s: larger than %d bytes or out of memory", name,
                                                   REPORT_OUTPUT_BYTES_MAX);
    char path[REPORT_PATH_CAPACITY];
    if (!report_join(context, path, context->reports_directory, name)) return -1;
    const char *data = content->data != NULL ? content->data : "";
    if (atomic_file_write(path, data, content->length) != 0)
        return report_fail(context, "%s: cannot write it (%s)", path, strerror(errno));
    return 0;
}

/* Fills template text into out from values. Returns 0, or -1 naming the
 * template and an unknown placeholder. */
static int fill_template(report_context *context, const char *template_name, const char *text,
                         const template_values *values, buffer *out) {
    const char *cursor = text;
    while (*cursor != '\0') {
        const char *at = strchr(cursor, '@');
        if (at == NULL) {
            buffer_append_text(out, cursor);
            break;
        }
        buffer_append(out, cursor, (size_t)(at - cursor));
        const char *name_end = at + 1;
        while ((*name_end >= 'A' && *name_end <= 'Z') || *name_end == '_' || (*name_end >= '0' && *name_end <= '9'))
            name_end++;
        size_t name_length = (size_t)(name_end - at - 1);
        if (*name_end != '@' || name_length == 0 || name_length >= TEMPLATE_NAME_CAPACITY) {
            buffer_append(out, at, 1);
            cursor = at + 1;
            continue;
        }
        const template_value *found = NULL;
        for (size_t index = 0; index < values->count && found == NULL; index++)
            if (strlen(values->items[index].name) == name_length &&
                memcmp(values->items[index].name, at + 1, name_length) == 0)
                found = &values->items[index];
        if (found == NULL)
            return report_fail(context, "template %s: no value for placeholder %.*s", template_name, (int)name_length,
                               at + 1);
        buffer_append_text(out, found->value);
        cursor = name_end + 1;
    }
    return 0;
}

/* Builds gnuplot's environment: the caller's without locale, time-zone and
 * gnuplot settings, plus LC_ALL=C and TZ=UTC. entries has
 * CHILD_ENVIRONMENT_MAX slots; the array is NULL-terminated. */
static void child_environment(char *entries[CHILD_ENVIRONMENT_MAX]) {
    static char locale[] = "LC_ALL=C";
    static char zone[] = "TZ=UTC";
    size_t count = 0;
    for (char **cursor = environ; cursor != NULL && *cursor != NULL; cursor++) {
        const char *entry = *cursor;
        if (strncmp(entry, "LC_", 3) == 0 || strncmp(entry, "LANG=", 5) == 0 || strncmp(entry, "LANGUAGE=", 9) == 0 ||
            strncmp(entry, "TZ=", 3) == 0 || strncmp(entry, "GNUPLOT", 7) == 0 || strncmp(entry, "GDFONTPATH=", 11) == 0)
            continue;
        if (count + 3 >= CHILD_ENVIRONMENT_MAX) break;
        entries[count++] = *cursor;
    }
    entries[count++] = locale;
    entries[count++] = zone;
    entries[count] = NULL;
}

/* Appends up to GNUPLOT_LOG_EXCERPT bytes of the log at path to message. */
static void log_excerpt(const char *path, char *message, size_t capacity) {
    buffer text;
    buffer_init(&text, 1024 * 1024);
    message[0] = '\0';
    if (report_read_file(path, 1024 * 1024, &text) == 0 && text.data != NULL) {
        size_t length = text.length < GNUPLOT_LOG_EXCERPT ? text.length : GNUPLOT_LOG_EXCERPT;
        snprintf(message, capacity, "%.*s", (int)length, text.data);
        for (char *cursor = message; *cursor != '\0'; cursor++)
            if (*cursor == '\n') *cursor = ' ';
    }
    buffer_free(&text);
}

/* Runs `gnuplot --default-settings STEM.gp` in DIR/reports with its output
 * in STEM.log; kills it after GNUPLOT_SECONDS_MAX. Returns 0 when it exited
 * with status 0 (the log is removed), or -1 with gnuplot's own words in the
 * error (the log is kept). */
static int run_gnuplot(report_context *context, const char *gnuplot_path, const char *stem) {
    char script[REPORT_STEM_CAPACITY + 8], log_name[REPORT_STEM_CAPACITY + 8];
    snprintf(script, sizeof script, "%s.gp", stem);
    snprintf(log_name, sizeof log_name, "%s.log", stem);
    char log_path[REPORT_PATH_CAPACITY];
    if (!report_join(context, log_path, context->reports_directory, log_name)) return -1;
    char *environment[CHILD_ENVIRONMENT_MAX];
    child_environment(environment);
    char *arguments[] = {(char *)"gnuplot", (char *)"--default-settings", script, NULL};
    int log_descriptor = open(log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (log_descriptor < 0) return report_fail(context, "%s: %s", log_path, strerror(errno));
    fflush(NULL);
    pid_t child = fork();
    if (child < 0) {
        close(log_descriptor);
        return report_fail(context, "cannot start gnuplot: %s", strerror(errno));
    }
    if (child == 0) {
        /* Only async-signal-safe calls from here on. */
        int input = open("/dev/null", O_RDONLY);
        if (input < 0 || dup2(input, STDIN_FILENO) < 0 || dup2(log_descriptor, STDOUT_FILENO) < 0 ||
            dup2(log_descriptor, STDERR_FILENO) < 0 || chdir(context->reports_directory) != 0)
            _exit(126);
        execve(gnuplot_path, arguments, environment);
        _exit(127);
    }
    close(log_descriptor);
    int status = 0;
    long waited_ms = 0;
    for (;;) {
        pid_t done = waitpid(child, &status, WNOHANG);
        if (done == child) break;
        if (done < 0 && errno != EINTR) return report_fail(context, "waiting for gnuplot: %s", strerror(errno));
        if (waited_ms >= (long)GNUPLOT_SECONDS_MAX * 1000) {
            kill(child, SIGKILL);
            while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
            }
            return report_fail(context, "gnuplot %s: killed after %d seconds", script, GNUPLOT_SECONDS_MAX);
        }
        struct timespec pause = {.tv_sec = 0, .tv_nsec = 5 * 1000 * 1000};
        nanosleep(&pause, NULL);
        waited_ms += 5;
    }
    char excerpt[GNUPLOT_LOG_EXCERPT + 1];
    log_excerpt(log_path, excerpt, sizeof excerpt);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
            return report_fail(context, "cannot run %s", gnuplot_path);
        return report_fail(context, "gnuplot failed on %s/%s (%s %d): %s", context->reports_directory, script,
                           WIFEXITED(status) ? "exit status" : "signal",
                           WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status), excerpt);
    }
    /* Warnings on success (an empty y range of a flat line, say) are normal. */
    unlink(log_path);
    return 0;
}

/* The template directory: $LEDGERSIM_REPORT_TEMPLATES, else reports/ next
 * to the executable's bin/ (or two levels up, for build-NAME/bin), else
 * ./reports; the first holding nav_aum.gp. */
static int find_templates(report_context *context, char directory[REPORT_PATH_CAPACITY]) {
    char candidates[4][REPORT_PATH_CAPACITY];
    size_t count = 0;
    const char *configured = getenv("LEDGERSIM_REPORT_TEMPLATES");
    if (configured != NULL && configured[0] != '\0') snprintf(candidates[count++], REPORT_PATH_CAPACITY, "%s", configured);
    char executable[REPORT_PATH_CAPACITY];
    ssize_t length = readlink("/proc/self/exe", executable, sizeof executable - 1);
    if (length > 0) {
        executable[length] = '\0';
        char *slash = strrchr(executable, '/');
        if (slash != NULL) {
            *slash = '\0';
            snprintf(candidates[count++], REPORT_PATH_CAPACITY, "%.4000s/../reports", executable);
            snprintf(candidates[count++], REPORT_PATH_CAPACITY, "%.4000s/../../reports", executable);
        }
    }
    snprintf(candidates[count++], REPORT_PATH_CAPACITY, "reports");
    for (size_t index = 0; index < count; index++) {
        char probe[REPORT_PATH_CAPACITY + 16];
        snprintf(probe, sizeof probe, "%s/nav_aum.gp", candidates[index]);
        if (access(probe, R_OK) == 0) {
            snprintf(directory, REPORT_PATH_CAPACITY, "%s", candidates[index]);
            return 0;
        }
    }
    return report_fail(context, "gnuplot templates (reports/*.gp) not found: set LEDGERSIM_REPORT_TEMPLATES to the "
                                "source tree's reports folder");
}

/* Fills templates/TEMPLATE_NAME with values into DIR/reports/STEM.gp, runs
 * gnuplot on it and checks STEM.png and STEM.svg exist. */
int draw_chart(report_context *context, const char *gnuplot_path, const char *template_directory,
               const char *template_name, report_chart *chart, template_values *values) {
    values_set(values, "STEM", "%s", chart->stem);
    values_set(values, "WIDTH", "%d", chart->width);
    values_set(values, "HEIGHT", "%d", chart->height);
    char title[2 * REPORT_TITLE_CAPACITY];
    gnuplot_quote(chart->title, title, sizeof title);
    values_set(values, "TITLE", "%s", title);
    char template_path[REPORT_PATH_CAPACITY + 64];
    snprintf(template_path, sizeof template_path, "%s/%s", template_directory, template_name);
    buffer text;
    buffer_init(&text, REPORT_TEMPLATE_BYTES_MAX);
    if (report_read_file(template_path, REPORT_TEMPLATE_BYTES_MAX, &text) != 0) {
        buffer_free(&text);
        return report_fail(context, "%s: %s", template_path, strerror(errno));
    }
    buffer script;
    buffer_init(&script, REPORT_OUTPUT_BYTES_MAX);
    buffer_append_format(&script, "# Written by ledgersim report from the template reports/%s.\n", template_name);
    int result = fill_template(context, template_name, text.data, values, &script);
    buffer_free(&text);
    char script_name[REPORT_STEM_CAPACITY + 8];
    snprintf(script_name, sizeof script_name, "%s.gp", chart->stem);
    if (result == 0) result = write_report_file(context, script_name, &script);
    buffer_free(&script);
    if (result == 0) result = run_gnuplot(context, gnuplot_path, chart->stem);
    for (int format = 0; result == 0 && format < 2; format++) {
        char name[REPORT_STEM_CAPACITY + 8], path[REPORT_PATH_CAPACITY];
        snprintf(name, sizeof name, "%s.%s", chart->stem, format == 0 ? "png" : "svg");
        if (!report_join(context, path, context->reports_directory, name)) return -1;
        struct stat status;
        if (stat(path, &status) != 0 || status.st_size == 0)
            result = report_fail(context, "gnuplot wrote no %s", path);
        /* The PNG goes into index.html as a data URI: the page is one file. */
        if (result == 0 && format == 0 && report_read_file(path, REPORT_OUTPUT_BYTES_MAX, &chart->png) != 0)
            result = report_fail(context, "%s: %s", path, strerror(errno));
    }
    return result;
}

/* ---- values shared by the time charts ------------------------------------------- */

/* Sets TIME_AXIS, TIME_FORMAT, X_MIN, X_MAX from the context's x range: a
 * date axis (UTC) when the timestamps look like epoch seconds of a real
 * date, else plain numbers. */
void set_axis_values(const report_context *context, template_values *values) {
    double low = context->has_x ? context->x_min : 0;
    double high = context->has_x ? context->x_max : 1;
    if (!(high > low)) {
        low -= 1;
        high += 1;
    }
    bool time_axis = low >= 1e8;
    double span = high - low;
    values_set(values, "TIME_AXIS", "%d", time_axis ? 1 : 0);
    values_set(values, "TIME_FORMAT", "%s",
               span > 60 * 86400.0 ? "%Y-%m-%d" : span > 86400.0 ? "%m-%d\\n%H:%M" : "%H:%M:%S");
    values_set_number(values, "X_MIN", low);
    values_set_number(values, "X_MAX", high);
}

/* Adds a chart to the list (sizes fixed per kind); the list has room for
 * every chart a report can draw. */
report_chart *add_chart(report_chart_list *charts, const char *stem, int width, int height, bool per_symbol) {
    assert(charts->count < REPORT_CHARTS_MAX); /* 5 fixed charts + at most REPORT_SYMBOL_CHARTS_MAX symbols */
    report_chart *chart = &charts->items[charts->count++];
    memset(chart, 0, sizeof *chart);
    buffer_init(&chart->png, REPORT_OUTPUT_BYTES_MAX);
    snprintf(chart->stem, sizeof chart->stem, "%s", stem);
    chart->width = width;
    chart->height = height;
    chart->per_symbol = per_symbol;
    return chart;
}

/* ---- NAV, drawdown ---------------------------------------------------------------- */

/* nav.dat, nav_exits.dat and the nav_aum and drawdown charts. */
static int draw_nav_charts(report_context *context, const char *gnuplot_path, const char *templates,
                           report_chart_list *charts) {
    buffer data;
    buffer_init(&data, REPORT_OUTPUT_BYTES_MAX);
    buffer_append_text(&data, "# x nav_total aum_total drawdown_pct status\n");
    series_write(&context->nav_series, &data);
    int result = write_report_file(context, "nav.dat", &data);
    buffer_reset(&data);
    long tp = 0, sl = 0;
    buffer_append_text(&data, "# x nav_at_exit kind (3 TP, 4 SL)\n");
    for (size_t index = 0; index < context->nav_exits->count; index++) {
        const report_marker *marker = &context->nav_exits->items[index];
        report_append_number(&data, marker->x);
        buffer_append_text(&data, " ");
        report_append_number(&data, marker->y);
        buffer_append_format(&data, " %d\n", marker->kind);
        if (isfinite(marker->y) && marker->kind == MARKER_EXIT_TP) tp++;
        if (isfinite(marker->y) && marker->kind == MARKER_EXIT_SL) sl++;
    }
    if (result == 0) result = write_report_file(context, "nav_exits.dat", &data);
    buffer_free(&data);
    if (result != 0) return -1;

    bool has_nav = context->nav_series.rows > 0 && context->nav_series.has_range;
    bool has_aum = series_has_values(&context->nav_series, 1);

    template_values values = {.count = 0};
    set_axis_values(context, &values);
    values_set(&values, "HAS_NAV", "%d", has_nav);
    values_set(&values, "HAS_AUM", "%d", has_aum);
    values_set(&values, "HAS_TP_EXITS", "%d", tp > 0);
    values_set(&values, "HAS_SL_EXITS", "%d", sl > 0);
    report_chart *chart = add_chart(charts, "nav_aum", 1000, has_aum ? 700 : 500, false);
    snprintf(chart->title, sizeof chart->title, "%s over time, exits marked (run %s)",
             has_aum ? "NAV and AUM" : "NAV", context->run_name);
    if (draw_chart(context, gnuplot_path, templates, "nav_aum.gp", chart, &values) != 0) return -1;

    values.count = 0;
    set_axis_values(context, &values);
    values_set(&values, "HAS_NAV", "%d", has_nav);
    double depth = context->max_drawdown_pct > 0 ? context->max_drawdown_pct : 0;
    values_set_number(&values, "Y_MIN", depth > 0 ? -ceil(depth * 1.15 * 100) / 100 : -1);
    values_set_number(&values, "MAX_DRAWDOWN_Y", -depth);
    chart = add_chart(charts, "drawdown", 1000, 400, false);
    buffer title;
    buffer_init(&title, REPORT_TITLE_CAPACITY);
    buffer_append_text(&title, "Drawdown of the futures NAV from its running peak (max ");
    report_append_grouped(&title, depth, 2);
    buffer_append_text(&title, "%)");
    snprintf(chart->title, sizeof chart->title, "%s", buffer_failed(&title) ? "Drawdown" : title.data);
    buffer_free(&title);
    return draw_chart(context, gnuplot_path, templates, "drawdown.gp", chart, &values);
}

/* Formats a UTC date for a chart title ("2026-01-06 09:45 UTC"), or "ts N"
 * for timestamps before 1973 (synthetic clocks). */
void format_timestamp(double ts, char *out, size_t capacity) {
    if (!isfinite(ts)) {
        snprintf(out, capacity, "ts unknown");
        return;
    }
    if (ts < 1e8 || ts > 4e10) {
        char text[NUMBER_TEXT_CAPACITY];
        number_format(ts, text);
        snprintf(out, capacity, "ts %s", text);
        return;
    }
    time_t seconds = (time_t)floor(ts);
    struct tm parts;
    gmtime_r(&seconds, &parts);
    strftime(out, capacity, "%Y-%m-%d %H:%M:%S UTC", &parts);
}

/* ---- reconcile --------------------------------------------------------------------------- */

/* The Y half-range of a rule's panel: the data and the bands around it.
 * At least four epsilons, so that the OK band and what lies beyond it show
 * when every delta is 0; R3 counts whole positions, so its OK band is drawn
 * as +-0.5 (see reconcile.gp). */
static double panel_half_range(const rule_track *track, size_t rule) {
    double epsilon = rule == RULE_OPEN_POSITIONS ? 0.5 : track->epsilon_max;
    double reach = track->largest > 4 * epsilon ? track->largest : 4 * epsilon;
    if (!(reach > 0)) reach = 1;
    if (!(reach < 1e300)) reach = 1e300; /* extreme deltas: a range gnuplot can still write */
    return reach * 1.25;
}

/* Appends text to a comma-separated gnuplot array literal (fixed capacity). */
static void array_append(char *array, size_t capacity, int panels, const char *text) {
    size_t length = strlen(array);
    snprintf(array + length, capacity - length, "%s%s", panels > 0 ? ", " : "", text);
}

/* reconcile_RULE.dat per evaluated rule, reconcile_status.dat and the
 * reconcile chart (one panel per rule, scaled by panel_half_range). */
static int draw_reconcile(report_context *context, const char *gnuplot_path, const char *templates,
                          report_chart_list *charts) {
    char files[TEMPLATE_VALUE_CAPACITY] = "", titles[TEMPLATE_VALUE_CAPACITY] = "", ranges[TEMPLATE_VALUE_CAPACITY] = "";
    char whole[TEMPLATE_VALUE_CAPACITY] = "";
    int panels = 0;
    buffer data;
    buffer_init(&data, REPORT_OUTPUT_BYTES_MAX);
    for (size_t rule = 0; rule < REPORT_RULES; rule++) {
        const rule_track *track = &context->rules[rule];
        if (track->deltas.rows == 0) continue;
        char name[REPORT_STEM_CAPACITY], text[NUMBER_TEXT_CAPACITY + 4];
        snprintf(name, sizeof name, "reconcile_%s.dat", track->name);
        buffer_reset(&data);
        buffer_append_format(&data, "# %s: x delta epsilon warn_band status\n", track->label);
        series_write(&track->deltas, &data);
        int written = write_report_file(context, name, &data);
        /* The bands without the gap rows: a filled area must not break. */
        buffer_reset(&data);
        buffer_append_format(&data, "# %s, rows where it was evaluated: x delta epsilon warn_band status\n",
                             track->label);
        series_write_defined(&track->deltas, 1, &data);
        snprintf(name, sizeof name, "reconcile_%s_bands.dat", track->name);
        if (written != 0 || write_report_file(context, name, &data) != 0) {
            buffer_free(&data);
            return -1;
        }
        snprintf(name, sizeof name, "reconcile_%s.dat", track->name);
        snprintf(text, sizeof text, "'%s'", name);
        array_append(files, sizeof files, panels, text);
        char title[REPORT_TITLE_CAPACITY];
        snprintf(title, sizeof title, "\"%s\\n%s\"", reconcile_rules[rule].label,
                 rule == RULE_OPEN_POSITIONS ? "positions" : "USDT");
        array_append(titles, sizeof titles, panels, title);
        number_format(panel_half_range(track, rule), text);
        array_append(ranges, sizeof ranges, panels, text);
        array_append(whole, sizeof whole, panels, rule == RULE_OPEN_POSITIONS ? "1" : "0");
        panels++;
    }
    buffer_reset(&data);
    buffer_append_text(&data, "# x_from x_to worst_status (0 OK, 1 WARN, 2 ERROR)\n");
    series_write_strip(&context->status_series, &data, context->has_x ? context->x_max : NAN);
    int result = write_report_file(context, "reconcile_status.dat", &data);
    buffer_free(&data);
    if (result != 0) return -1;

    template_values values = {.count = 0};
    set_axis_values(context, &values);
    values_set(&values, "PANEL_COUNT", "%d", panels);
    values_set(&values, "PANEL_ARRAY_SIZE", "%d", panels > 0 ? panels : 1);
    values_set(&values, "PANEL_FILES", "%s", panels > 0 ? files : "''");
    values_set(&values, "PANEL_TITLES", "%s", panels > 0 ? titles : "''");
    values_set(&values, "PANEL_RANGES", "%s", panels > 0 ? ranges : "1");
    values_set(&values, "PANEL_WHOLE", "%s", panels > 0 ? whole : "0");
    values_set(&values, "HAS_STATUS", "%d", context->status_series.rows > 0);
    report_chart *chart = add_chart(charts, "reconcile", 1000, 800, false);
    snprintf(chart->title, sizeof chart->title, "Reconcile deltas (K - E) per rule against their bands (%s)",
             context->thresholds_from_account ? "thresholds of account.json reconcile_config"
                                              : "default thresholds");
    return draw_chart(context, gnuplot_path, templates, "reconcile.gp", chart, &values);
}

/* ---- exposure ---------------------------------------------------------------------------- */

/* exposure.dat and the exposure chart (open notional and leverage). */
static int draw_exposure(report_context *context, const char *gnuplot_path, const char *templates,
                         report_chart_list *charts) {
    buffer data;
    buffer_init(&data, REPORT_OUTPUT_BYTES_MAX);
    buffer_append_text(&data, "# x open_notional_usdt leverage tag\n");
    series_write(&context->trading->exposure, &data);
    int result = write_report_file(context, "exposure.dat", &data);
    buffer_free(&data);
    if (result != 0) return -1;
    template_values values = {.count = 0};
    set_axis_values(context, &values);
    report_chart *chart = add_chart(charts, "exposure", 1000, 560, false);
    snprintf(chart->title, sizeof chart->title, "Exposure over time: open notional and leverage (reconcile.jsonl, K)");
    return draw_chart(context, gnuplot_path, templates, "exposure.gp", chart, &values);
}

/* ---- per symbol -------------------------------------------------------------------------- */

/* Orders tracks by symbol. */
static int compare_tracks(const void *left, const void *right) {
    const symbol_track *const *a = left, *const *b = right;
    return strcmp((*a)->symbol, (*b)->symbol);
}

/* Appends one events line: x y kind x_from tp sl. */
static void event_row(buffer *out, double x, double y, int kind, double x_from, double tp, double sl) {
    double columns[6] = {x, y, (double)kind, x_from, tp, sl};
    for (size_t index = 0; index < 6; index++) {
        if (index > 0) buffer_append_text(out, " ");
        report_append_number(out, columns[index]);
    }
    buffer_append_text(out, "\n");
}

/* What a symbol's events file holds: the marker kinds with a price and
 * whether TP or SL level segments exist. */
typedef struct {
    bool kinds[8];                      /* by report_marker_kind */
    bool tp_levels, sl_levels;
} symbol_events;

/* STEM_events.dat text: the sampled markers, then the ledger's current
 * levels (and its entry when the logs showed none). Fills found. */
static void symbol_events_text(const report_context *context, const symbol_track *track, buffer *data,
                               symbol_events *found) {
    memset(found, 0, sizeof *found);
    buffer_append_text(data, "# x y kind x_from tp sl (kind: 1 entry long, 2 entry short, 3 exit TP, 4 exit SL, "
                             "5 rejected order, 6 filled order, 7 ledger TP/SL now)\n");
    for (size_t index = 0; index < track->events->count; index++) {
        const report_marker *marker = &track->events->items[index];
        event_row(data, marker->x, marker->y, marker->kind, marker->x_from, marker->tp, marker->sl);
        if (marker->kind >= 1 && marker->kind <= 7 && isfinite(marker->y)) found->kinds[marker->kind] = true;
        bool exit = marker->kind == MARKER_EXIT_TP || marker->kind == MARKER_EXIT_SL;
        if (exit && isfinite(marker->x_from) && isfinite(marker->tp)) found->tp_levels = true;
        if (exit && isfinite(marker->x_from) && isfinite(marker->sl)) found->sl_levels = true;
    }
    if (!track->has_ledger || !context->has_x) return;
    double from = isfinite(track->ledger_from) ? track->ledger_from : context->x_min;
    event_row(data, context->x_max, track->ledger_entry, MARKER_LEDGER_LEVELS, from, track->ledger_tp,
              track->ledger_sl);
    if (isfinite(track->ledger_tp)) found->tp_levels = true;
    if (isfinite(track->ledger_sl)) found->sl_levels = true;
    /* No entry seen in the logs (a replay of fills without a mark log):
     * the ledger's own entry, at its creation, stands in. */
    if (!track->has_reconcile_entries && isfinite(track->ledger_from) && isfinite(track->ledger_entry)) {
        int kind = track->ledger_short ? MARKER_ENTRY_SHORT : MARKER_ENTRY_LONG;
        event_row(data, track->ledger_from, track->ledger_entry, kind, NAN, NAN, NAN);
        found->kinds[kind] = true;
    }
}

/* Writes STEM_marks.dat, STEM_entry.dat and STEM_events.dat. 0 or -1. */
static int write_symbol_data(report_context *context, const symbol_track *track, symbol_events *found) {
    buffer data;
    buffer_init(&data, REPORT_OUTPUT_BYTES_MAX);
    char name[REPORT_STEM_CAPACITY + 16];
    buffer_append_text(&data, "# x mark tp sl tag\n");
    series_write(&track->marks, &data);
    snprintf(name, sizeof name, "%s_marks.dat", track->stem);
    int result = write_report_file(context, name, &data);
    buffer_reset(&data);
    buffer_append_text(&data, "# x entry_price tag (NaN while flat)\n");
    series_write(&track->entry_line, &data);
    snprintf(name, sizeof name, "%s_entry.dat", track->stem);
    if (result == 0) result = write_report_file(context, name, &data);
    buffer_reset(&data);
    symbol_events_text(context, track, &data, found);
    snprintf(name, sizeof name, "%s_events.dat", track->stem);
    if (result == 0) result = write_report_file(context, name, &data);
    buffer_free(&data);
    return result;
}

/* The data files and chart of one symbol. */
static int draw_symbol(report_context *context, const char *gnuplot_path, const char *templates,
                       report_chart_list *charts, const symbol_track *track) {
    symbol_events found;
    if (write_symbol_data(context, track, &found) != 0) return -1;
    const bool *kinds = found.kinds;
    bool tp_levels = found.tp_levels, sl_levels = found.sl_levels;

    bool has_marks = series_has_values(&track->marks, 0);
    bool level_lines = series_has_values(&track->marks, 1) || series_has_values(&track->marks, 2);
    bool has_entry_line = track->entry_line.has_range;
    bool order_fills = kinds[MARKER_ORDER_FILLED] && !track->has_reconcile_entries;
    bool anything = has_marks || has_entry_line || level_lines || tp_levels || sl_levels || kinds[MARKER_ENTRY_LONG] ||
                    kinds[MARKER_ENTRY_SHORT] || order_fills || kinds[MARKER_EXIT_TP] || kinds[MARKER_EXIT_SL] ||
                    kinds[MARKER_ORDER_REJECTED];
    template_values values = {.count = 0};
    set_axis_values(context, &values);
    values_set(&values, "HAS_MARKS", "%d", has_marks);
    values_set(&values, "HAS_ENTRY_LINE", "%d", has_entry_line);
    values_set(&values, "HAS_LEVEL_LINES", "%d", level_lines);
    /* Level lines from the mark log already show every TP/SL over time. */
    values_set(&values, "HAS_TP_LEVELS", "%d", tp_levels && !level_lines);
    values_set(&values, "HAS_SL_LEVELS", "%d", sl_levels && !level_lines);
    values_set(&values, "HAS_ENTRIES", "%d", kinds[MARKER_ENTRY_LONG]);
    values_set(&values, "HAS_SHORT_ENTRIES", "%d", kinds[MARKER_ENTRY_SHORT]);
    values_set(&values, "HAS_ORDER_FILLS", "%d", order_fills);
    values_set(&values, "HAS_TP_EXITS", "%d", kinds[MARKER_EXIT_TP]);
    values_set(&values, "HAS_SL_EXITS", "%d", kinds[MARKER_EXIT_SL]);
    values_set(&values, "HAS_REJECTED", "%d", kinds[MARKER_ORDER_REJECTED]);
    values_set(&values, "HAS_NOTHING", "%d", !anything);
    report_chart *chart = add_chart(charts, track->stem, 1000, 500, true);
    const char *price_line = context->use_mark_log         ? "mark price (logs/marks.csv)"
                             : context->reconcile_rows > 0 ? "mark price while a position is open"
                                                           : "no mark line (no trace: --trace none)";
    snprintf(chart->title, sizeof chart->title, "%s: %s, entries, exits, TP/SL levels", track->symbol, price_line);
    return draw_chart(context, gnuplot_path, templates, "symbol.gp", chart, &values);
}

void report_free_charts(report_chart_list *charts) {
    for (size_t index = 0; index < charts->count; index++) buffer_free(&charts->items[index].png);
    charts->count = 0;
}

int report_draw_charts(report_context *context, const char *gnuplot_path, report_chart_list *charts) {
    charts->count = 0;
    char templates[REPORT_PATH_CAPACITY];
    if (find_templates(context, templates) != 0) return -1;
    if (draw_nav_charts(context, gnuplot_path, templates, charts) != 0) return -1;
    if (report_draw_donut(context, gnuplot_path, templates, charts) != 0) return -1;
    /* Without reconcile.jsonl (--trace none) there is nothing to draw:
     * index.html says so and gives the counts of kpis_v7.json. */
    if (context->reconcile_rows > 0 && draw_reconcile(context, gnuplot_path, templates, charts) != 0) return -1;
    if (context->trading->exposure.has_range && draw_exposure(context, gnuplot_path, templates, charts) != 0)
        return -1;
    symbol_track *sorted[REPORT_SYMBOL_CHARTS_MAX];
    memcpy(sorted, context->tracks, context->track_count * sizeof sorted[0]);
    qsort(sorted, context->track_count, sizeof sorted[0], compare_tracks);
    for (size_t index = 0; index < context->track_count; index++) {
        const symbol_track *track = sorted[index];
        if (track->marks.rows == 0 && track->entry_line.rows == 0 && track->events->count == 0 && !track->has_ledger)
            continue;
        if (draw_symbol(context, gnuplot_path, templates, charts, track) != 0) return -1;
    }
    return 0;
}
