/* harness.c -- see harness.h. */
#define _GNU_SOURCE /* memfd_create */
#include "tests/fuzz/harness.h"

#include <dirent.h>
#include <math.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/scenario.h"

enum { FUZZ_PATH_CAPACITY = 4096 };

void fuzz_check_failed(const char *condition, const char *file, int line) {
    fprintf(stderr, "%s:%d: fuzz invariant failed: %s\n", file, line, condition);
    abort();
}

const char *fuzz_file_with(const uint8_t *data, size_t size) {
    static int descriptor = -1;
    static char path[64];
    if (descriptor < 0) {
        descriptor = memfd_create("ledgersim-fuzz-input", 0);
        if (descriptor < 0) {
            perror("fuzz: memfd_create");
            abort();
        }
        snprintf(path, sizeof path, "/proc/self/fd/%d", descriptor);
    }
    if (ftruncate(descriptor, 0) < 0 || (size > 0 && pwrite(descriptor, data, size, 0) != (ssize_t)size)) {
        perror("fuzz: writing the input file");
        abort();
    }
    return path;
}

/* Removes everything below path (not path itself); depth-first. */
static void remove_contents(const char *path) {
    DIR *directory = opendir(path);
    if (directory == NULL) return;
    struct dirent *entry;
    while ((entry = readdir(directory)) != NULL) {
        if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0) continue;
        char child[FUZZ_PATH_CAPACITY];
        if (snprintf(child, sizeof child, "%s/%s", path, entry->d_name) >= (int)sizeof child) abort();
        struct stat status;
        if (lstat(child, &status) == 0 && S_ISDIR(status.st_mode)) {
            remove_contents(child);
            rmdir(child);
        } else {
            unlink(child);
        }
    }
    closedir(directory);
}

/* Removes the scratch folder at exit, so that runs leave nothing behind. */
static char scratch_path[FUZZ_PATH_CAPACITY];
static void remove_scratch(void) {
    remove_contents(scratch_path);
    rmdir(scratch_path);
}

const char *fuzz_scratch_directory(void) {
    if (scratch_path[0] == '\0') {
        struct stat status;
        const char *base = getenv("TMPDIR");
        if (base == NULL || base[0] == '\0')
            base = stat("/dev/shm", &status) == 0 && S_ISDIR(status.st_mode) ? "/dev/shm" : "/tmp";
        snprintf(scratch_path, sizeof scratch_path, "%s/ledgersim-fuzz.XXXXXX", base);
        if (mkdtemp(scratch_path) == NULL) {
            perror("fuzz: mkdtemp");
            abort();
        }
        atexit(remove_scratch);
    }
    remove_contents(scratch_path);
    return scratch_path;
}

/* ---- scenario rows (fuzz_scenario, fuzz_scenario_reader) ---- */

/* Checks one row against the reader's validation rules. */
static void check_row(const scenario_row *row, long previous_line) {
    FUZZ_CHECK(row->line >= 2 && row->line > previous_line);
    FUZZ_CHECK(row->type >= 0 && row->type < ROW_TYPE_COUNT);
    FUZZ_CHECK(strlen(row->symbol) < SYMBOL_CAPACITY && strlen(row->event_id) < EVENT_ID_CAPACITY);
    FUZZ_CHECK(strlen(row->key) <= SCENARIO_FIELD_MAX && strlen(row->value) <= SCENARIO_FIELD_MAX);
    /* A numeric cell given is finite; one not given reads 0 (the format's
     * default, which the replay relies on); text columns keep 0 too. */
    for (int column = 0; column < COLUMN_COUNT; column++)
        FUZZ_CHECK(scenario_given(row, column) ? isfinite(row->number[column]) : row->number[column] == 0);
    if (row->type != ROW_CONFIG && row->type != ROW_EXPECT) FUZZ_CHECK(row->has_ts && isfinite(row->ts));
    if (row->type == ROW_FILL)
        FUZZ_CHECK(row->side != 0 && row->number[COLUMN_QTY] > 0 && row->number[COLUMN_PRICE] > 0 &&
                   row->symbol[0] != '\0');
    if (row->type == ROW_MARK) FUZZ_CHECK(row->number[COLUMN_PRICE] > 0 && row->symbol[0] != '\0');
}

bool fuzz_read_scenario_rows(const char *path) {
    static scenario_reader reader; /* large: not on the stack */
    if (scenario_open(&reader, path) < 0) {
        fprintf(stderr, "fuzz: cannot open %s: %s\n", path, reader.error);
        abort();
    }
    const scenario_row *row = NULL;
    long previous_line = 0;
    bool timed = false;
    double last_ts = 0;
    int next;
    while ((next = scenario_next(&reader, &row)) > 0) {
        check_row(row, previous_line);
        previous_line = row->line;
        if (row->type == ROW_CONFIG) FUZZ_CHECK(!timed);
        if (row->has_ts) {
            FUZZ_CHECK(!timed || row->ts >= last_ts);
            timed = true;
            last_ts = row->ts;
        }
    }
    /* Every error is "FILE:LINE: message". */
    if (next < 0) {
        size_t length = strlen(path);
        FUZZ_CHECK(strncmp(reader.error, path, length) == 0 && reader.error[length] == ':');
    }
    scenario_close(&reader);
    return next == 0;
}
