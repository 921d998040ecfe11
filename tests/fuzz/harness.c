/* harness.c -- see harness.h. */
#define _GNU_SOURCE /* memfd_create */
#include "tests/fuzz/harness.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

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
