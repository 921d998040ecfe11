/* report.c -- report_write: checks the run directory and gnuplot, then reads
 * the run, draws the charts and writes index.html (see report.h). */
#include "reports/report.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/atomic_file.h"
#include "reports/report_internal.h"

/* True when path names a directory. */
static bool is_directory(const char *path) {
    struct stat status;
    return stat(path, &status) == 0 && S_ISDIR(status.st_mode);
}

/* True when path names a regular file. */
static bool is_regular_file(const char *path) {
    struct stat status;
    return stat(path, &status) == 0 && S_ISREG(status.st_mode);
}

/* Finds gnuplot in PATH (an empty PATH entry is the current folder) and
 * writes its path into out. False when there is none. */
static bool find_gnuplot(char out[REPORT_PATH_CAPACITY]) {
    const char *path = getenv("PATH");
    if (path == NULL) return false;
    const char *cursor = path;
    for (;;) {
        const char *end = strchr(cursor, ':');
        size_t length = end != NULL ? (size_t)(end - cursor) : strlen(cursor);
        int written = length == 0 ? snprintf(out, REPORT_PATH_CAPACITY, "./gnuplot")
                                  : snprintf(out, REPORT_PATH_CAPACITY, "%.*s/gnuplot", (int)length, cursor);
        if (written > 0 && written < REPORT_PATH_CAPACITY && is_regular_file(out) && access(out, X_OK) == 0)
            return true;
        if (end == NULL) return false;
        cursor = end + 1;
    }
}

/* True for the names report_write generates in DIR/reports (removed before
 * a new report so that no chart of an earlier run survives). */
static bool generated_name(const char *name) {
    static const char *const extensions[] = {".png", ".svg", ".dat", ".gp", ".log"};
    if (strcmp(name, "index.html") == 0) return true;
    size_t length = strlen(name);
    for (size_t index = 0; index < sizeof extensions / sizeof extensions[0]; index++) {
        size_t extension_length = strlen(extensions[index]);
        if (length > extension_length && strcmp(name + length - extension_length, extensions[index]) == 0) return true;
    }
    return false;
}

/* Removes the generated files of an earlier report from DIR/reports. */
static int remove_previous_report(report_context *context) {
    DIR *folder = opendir(context->reports_directory);
    if (folder == NULL) return report_fail(context, "%s: %s", context->reports_directory, strerror(errno));
    int result = 0;
    struct dirent *entry;
    while (result == 0 && (entry = readdir(folder)) != NULL) {
        if (!generated_name(entry->d_name)) continue;
        char path[REPORT_PATH_CAPACITY];
        if (!report_join(context, path, context->reports_directory, entry->d_name)) {
            result = -1;
            break;
        }
        if (is_regular_file(path) && unlink(path) != 0) result = report_fail(context, "%s: %s", path, strerror(errno));
    }
    closedir(folder);
    return result;
}

/* True when the context's run directory holds logs/state/ or logs/nav.csv. */
static bool is_run_directory(report_context *context) {
    char nav_log[REPORT_PATH_CAPACITY];
    if (!report_join(context, nav_log, context->logs_directory, "nav.csv")) return false;
    return is_directory(context->state_directory) || is_regular_file(nav_log);
}

/* Fills the context's paths and run name from run_directory (trailing
 * slashes dropped). */
static int set_paths(report_context *context, const char *run_directory) {
    size_t length = strlen(run_directory);
    while (length > 1 && run_directory[length - 1] == '/') length--;
    if (length >= REPORT_PATH_CAPACITY - 32)
        return report_fail(context, "%s: path longer than %d bytes", run_directory, REPORT_PATH_CAPACITY - 32);
    snprintf(context->run_directory, sizeof context->run_directory, "%.*s", (int)length, run_directory);
    if (!report_join(context, context->logs_directory, context->run_directory, "logs") ||
        !report_join(context, context->state_directory, context->logs_directory, "state") ||
        !report_join(context, context->reports_directory, context->run_directory, "reports"))
        return -1;
    const char *base = strrchr(context->run_directory, '/');
    base = base != NULL && base[1] != '\0' ? base + 1 : context->run_directory;
    snprintf(context->run_name, sizeof context->run_name, "%s", base);
    return 0;
}

int report_write(const char *run_directory, char *error, size_t error_capacity) {
    return report_write_named(run_directory, NULL, error, error_capacity);
}

int report_write_named(const char *run_directory, const char *run_name, char *error, size_t error_capacity) {
    if (error != NULL && error_capacity > 0) error[0] = '\0';
    report_context *context = calloc(1, sizeof *context);
    if (context == NULL) {
        if (error != NULL && error_capacity > 0) snprintf(error, error_capacity, "out of memory");
        return -1;
    }
    context->error = error;
    context->error_capacity = error_capacity;
    int result = 0;
    char gnuplot_path[REPORT_PATH_CAPACITY];
    if (run_directory == NULL || run_directory[0] == '\0') {
        result = report_fail(context, "no run directory given");
    } else if (!is_directory(run_directory)) {
        result = report_fail(context, "%s: %s", run_directory,
                             access(run_directory, F_OK) == 0 ? "not a directory" : "no such directory");
    } else if (set_paths(context, run_directory) != 0) {
        result = -1;
    } else if (run_name != NULL && snprintf(context->run_name, sizeof context->run_name, "%s", run_name) < 0) {
        result = -1;
    } else if (!is_run_directory(context)) {
        result = report_fail(context, "%s: not a run directory (expected logs/state/ or logs/nav.csv in it)",
                             run_directory);
    } else if (!find_gnuplot(gnuplot_path)) {
        report_fail(context, "gnuplot is not on PATH: no charts or report written");
        result = REPORT_NO_GNUPLOT;
    } else if (make_directories(context->reports_directory) != 0) {
        result = report_fail(context, "%s: cannot create it (%s)", context->reports_directory, strerror(errno));
    } else {
        report_chart_list *charts = calloc(1, sizeof *charts);
        if (charts == NULL) result = report_fail(context, "out of memory");
        if (result == 0) result = remove_previous_report(context);
        if (result == 0) result = report_read_inputs(context);
        if (result == 0) result = report_draw_charts(context, gnuplot_path, charts);
        if (result == 0) result = report_write_html(context, charts);
        if (charts != NULL) report_free_charts(charts);
        free(charts);
    }
    report_free_inputs(context);
    free(context);
    return result;
}
