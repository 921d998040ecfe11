/* sweep_report.c -- see sweep_report.h. */
#include "reports/sweep_report.h"

#include <cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/config.h"
#include "io/atomic_file.h"
#include "io/buffer.h"
#include "io/config_file.h"
#include "io/json_file.h"
#include "io/run_output.h"

enum { REPORT_BYTES_MAX = 64 << 20, SETTINGS_READ_MAX = 64 };

typedef struct {
    const char *directory;
    char reports[PATH_CAPACITY + 16];
    cJSON *root;
    const cJSON *grid, *points;
    bool faults;
    buffer script, html;
    char *error;
    size_t error_capacity;
} sweep_report;

/* Finds gnuplot on PATH; false when there is none. */
static bool gnuplot_on_path(void) {
    const char *path = getenv("PATH");
    for (const char *cursor = path; cursor != NULL;) {
        const char *end = strchr(cursor, ':');
        size_t length = end != NULL ? (size_t)(end - cursor) : strlen(cursor);
        char candidate[PATH_CAPACITY];
        snprintf(candidate, sizeof candidate, "%.*s/gnuplot", (int)length, length == 0 ? "." : cursor);
        if (access(candidate, X_OK) == 0) return true;
        cursor = end != NULL ? end + 1 : NULL;
    }
    return false;
}

/* Writes name under reports/ from out; false with the error set. */
static bool write_report_file(sweep_report *report, const char *name, const buffer *out) {
    char path[PATH_CAPACITY + 64];
    snprintf(path, sizeof path, "%s/%s", report->reports, name);
    if (!buffer_failed(out) && atomic_file_write(path, out->data != NULL ? out->data : "", out->length) == 0)
        return true;
    snprintf(report->error, report->error_capacity, "%s: cannot write: %s", path, strerror(errno));
    return false;
}

/* The count member name of a point (0 when absent). */
static double point_count(const cJSON *point, const char *name) {
    return cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(point, name));
}

/* status_AXIS.dat: per value of the axis, OK/WARN/ERROR summed over the other keys. */
static bool status_chart(sweep_report *report, int axis, const cJSON *key) {
    const cJSON *values = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(report->grid, axis), "values");
    buffer data;
    buffer_init(&data, REPORT_BYTES_MAX);
    int value_index = 0;
    const cJSON *value;
    cJSON_ArrayForEach(value, values) {
        double sums[3] = {0, 0, 0};
        const cJSON *point;
        cJSON_ArrayForEach(point, report->points) {
            const char *text = cJSON_GetStringValue(
                cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(point, "values"), key->valuestring));
            if (text == NULL || strcmp(text, value->valuestring) != 0) continue;
            sums[0] += point_count(point, "ok");
            sums[1] += point_count(point, "warn");
            sums[2] += point_count(point, "error");
        }
        buffer_append_format(&data, "%d \"%s\" %.0f %.0f %.0f\n", value_index++, value->valuestring, sums[0], sums[1],
                             sums[2]);
    }
    char name[96];
    snprintf(name, sizeof name, "status_%d.dat", axis);
    bool written = write_report_file(report, name, &data);
    buffer_free(&data);
    for (int format = 0; format < 2 && written; format++) {
        buffer_append_format(&report->script,
                             "set terminal %s size 900,500\nset output 'status_%d.%s'\n"
                             "set title 'snapshots by status against %s (summed over the other keys)' noenhanced\n"
                             "set xlabel '%s' noenhanced\nset ylabel 'snapshots'\nset key outside right\n"
                             "set xtics rotate by -30\nunset logscale\n"
                             "plot 'status_%d.dat' using 1:3:xtic(2) with linespoints lw 2 lc rgb '#2e7d32' title 'OK', "
                             "'' using 1:4 with linespoints lw 2 lc rgb '#f9a825' title 'WARN', "
                             "'' using 1:5 with linespoints lw 2 lc rgb '#c62828' title 'ERROR'\nunset output\n",
                             format == 0 ? "pngcairo" : "svg", axis, format == 0 ? "png" : "svg", key->valuestring,
                             key->valuestring, axis);
    }
    buffer_append_format(&report->html, "<h2>Status against %s</h2>\n<p><a href=\"status_%d.svg\">"
                         "<img src=\"status_%d.png\" alt=\"status against %s\"></a></p>\n", key->valuestring, axis,
                         axis, key->valuestring);
    return written;
}

/* True when point holds the current configuration (every swept key at the
 * value the sweep's own settings give it). */
static bool current_point(const cJSON *point, const kernel_config *current) {
    const cJSON *value;
    cJSON_ArrayForEach(value, cJSON_GetObjectItemCaseSensitive(point, "values")) {
        kernel_config probe = *current;
        probe.locked_keys = 0;
        char reason[256];
        if (config_set(&probe, value->string, cJSON_GetStringValue(value), reason, sizeof reason) != CONFIG_SET_OK)
            return false;
        probe.locked_keys = current->locked_keys;
        if (memcmp(&probe, current, sizeof probe) != 0) return false;
    }
    return true;
}

/* The configuration the sweep's settings give (defaults, --set, --config). */
static void current_config(const sweep_report *report, kernel_config *config) {
    const char *settings[SETTINGS_READ_MAX];
    int count = 0;
    const cJSON *setting;
    cJSON_ArrayForEach(setting, cJSON_GetObjectItemCaseSensitive(report->root, "settings"))
        if (cJSON_IsString(setting) && count < SETTINGS_READ_MAX) settings[count++] = setting->valuestring;
    const char *config_path = NULL;
    const cJSON *input;
    cJSON_ArrayForEach(input, cJSON_GetObjectItemCaseSensitive(report->root, "inputs"))
        if (cJSON_IsString(cJSON_GetObjectItemCaseSensitive(input, "role")) &&
            strcmp(cJSON_GetObjectItemCaseSensitive(input, "role")->valuestring, "config") == 0)
            config_path = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(input, "path"));
    char error[PATH_CAPACITY + 256];
    memset(config, 0, sizeof *config);
    if (!config_build(config, settings, count, config_path, error, sizeof error)) config_defaults(config);
}

/* detection_KIND.dat and its chart: detection against false alarms. */
static bool detection_chart(sweep_report *report, const char *kind, const kernel_config *current) {
    buffer data;
    buffer_init(&data, REPORT_BYTES_MAX);
    const cJSON *point;
    cJSON_ArrayForEach(point, report->points) {
        const cJSON *counts = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(point, "faults"), kind);
        double injected = point_count(counts, "injected"), detected = point_count(counts, "detected");
        double clean = point_count(point, "clean_snapshots"), alarms = point_count(point, "clean_not_ok");
        if (injected <= 0) continue;
        buffer_append_format(&data, "%.17g %.17g %d %.0f\n", clean > 0 ? alarms / clean : 0.0, detected / injected,
                             current_point(point, current) ? 1 : 0, point_count(point, "point"));
    }
    char name[96];
    snprintf(name, sizeof name, "detection_%s.dat", kind);
    bool written = write_report_file(report, name, &data);
    bool empty = data.length == 0;
    buffer_free(&data);
    if (!written || empty) return written;
    for (int format = 0; format < 2; format++)
        buffer_append_format(&report->script,
                             "set terminal %s size 700,500\nset output 'detection_%s.%s'\n"
                             "set title '%s: detection against false alarms, one point per grid point' noenhanced\n"
                             "set xlabel 'false-alarm rate (non-OK share of clean snapshots)'\n"
                             "set ylabel 'detection rate'\nset xtics norotate\nset key bottom right\n"
                             "set yrange [0:1.05]\nset xrange [0:*]\n"
                             "plot 'detection_%s.dat' using 1:($3 == 0 ? $2 : 1/0) with points pt 7 ps 1.2 "
                             "lc rgb '#1565c0' title 'grid point', '' using 1:($3 == 1 ? $2 : 1/0) with points pt 5 "
                             "ps 2 lc rgb '#c62828' title 'current configuration'\nunset output\n"
                             "set autoscale\n",
                             format == 0 ? "pngcairo" : "svg", kind, format == 0 ? "png" : "svg", kind, kind);
    buffer_append_format(&report->html, "<h2>%s: detection against false alarms</h2>\n<p><a href=\"detection_%s.svg\">"
                         "<img src=\"detection_%s.png\" alt=\"%s\"></a></p>\n", kind, kind, kind, kind);
    return true;
}

/* Runs gnuplot on sweep.gp in reports/; false with the error set. */
static bool run_gnuplot(sweep_report *report) {
    fflush(NULL);
    pid_t child = fork();
    if (child < 0) {
        snprintf(report->error, report->error_capacity, "cannot start gnuplot: %s", strerror(errno));
        return false;
    }
    if (child == 0) {
        int quiet = open("/dev/null", O_RDWR);
        if (quiet < 0 || dup2(quiet, STDIN_FILENO) < 0 || dup2(quiet, STDOUT_FILENO) < 0 ||
            chdir(report->reports) != 0)
            _exit(126);
        setenv("LC_ALL", "C", 1);
        setenv("TZ", "UTC", 1);
        execlp("gnuplot", "gnuplot", "--default-settings", "sweep.gp", (char *)NULL);
        _exit(127);
    }
    int status = 0;
    while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return true;
    snprintf(report->error, report->error_capacity, "gnuplot failed on %s/sweep.gp", report->reports);
    return false;
}

/* Draws every chart and writes index.html. */
static bool draw(sweep_report *report) {
    buffer_append_text(&report->html, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>ledgersim sweep"
                       "</title>\n<style>body{font-family:sans-serif;margin:2em}img{max-width:100%}</style></head>"
                       "<body>\n<h1>ledgersim sweep</h1>\n<p>Data: <a href=\"../sweep.csv\">sweep.csv</a>, "
                       "<a href=\"../sweep.json\">sweep.json</a>.</p>\n");
    int axis = 0;
    const cJSON *entry;
    cJSON_ArrayForEach(entry, report->grid) {
        const cJSON *key = cJSON_GetObjectItemCaseSensitive(entry, "key");
        if (!cJSON_IsString(key) || !status_chart(report, axis++, key)) return false;
    }
    if (report->faults) {
        kernel_config current;
        current_config(report, &current);
        const cJSON *kinds = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(report->points, 0), "faults");
        const cJSON *kind;
        cJSON_ArrayForEach(kind, kinds)
            if (!detection_chart(report, kind->string, &current)) return false;
    }
    buffer_append_text(&report->html, "</body></html>\n");
    return write_report_file(report, "sweep.gp", &report->script) && run_gnuplot(report) &&
           write_report_file(report, "index.html", &report->html);
}

int sweep_report_write(const char *directory, char *error, size_t error_capacity) {
    sweep_report report = {.directory = directory, .error = error, .error_capacity = error_capacity};
    char path[PATH_CAPACITY + 32];
    snprintf(path, sizeof path, "%s/sweep.json", directory);
    buffer content;
    buffer_init(&content, 1u << 30);
    json_file_status read = json_file_read(path, &content, error, error_capacity);
    report.root = read == JSON_FILE_OK && content.data != NULL ? cJSON_ParseWithLength(content.data, content.length) : NULL;
    buffer_free(&content);
    report.grid = cJSON_GetObjectItemCaseSensitive(report.root, "grid");
    report.points = cJSON_GetObjectItemCaseSensitive(report.root, "points");
    if (!cJSON_IsArray(report.grid) || !cJSON_IsArray(report.points)) {
        if (read == JSON_FILE_OK) snprintf(error, error_capacity, "%s: not a sweep.json", path);
        cJSON_Delete(report.root);
        return -1;
    }
    if (!gnuplot_on_path()) {
        cJSON_Delete(report.root);
        return REPORT_NO_GNUPLOT;
    }
    report.faults = cJSON_IsString(cJSON_GetObjectItemCaseSensitive(report.root, "faults"));
    snprintf(report.reports, sizeof report.reports, "%s/reports", directory);
    buffer_init(&report.script, REPORT_BYTES_MAX);
    buffer_init(&report.html, REPORT_BYTES_MAX);
    bool drawn = make_directories(report.reports) == 0;
    if (!drawn) snprintf(error, error_capacity, "%s: cannot create: %s", report.reports, strerror(errno));
    drawn = drawn && draw(&report);
    buffer_free(&report.script);
    buffer_free(&report.html);
    cJSON_Delete(report.root);
    return drawn ? 0 : -1;
}
