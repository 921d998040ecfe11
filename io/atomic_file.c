/* atomic_file.c -- see atomic_file.h. */
#include "io/atomic_file.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The countdown is process state by design: it exists only so that a test
 * can make the N-th call of a whole run fail. Outside tests it is disarmed. */
static struct {
    char kind[8];
    long countdown;
    bool persistent;
    bool fired;
} io_fault;

void io_fault_arm(const char *kind, long countdown, bool persistent) {
    snprintf(io_fault.kind, sizeof io_fault.kind, "%s", kind);
    io_fault.countdown = countdown;
    io_fault.persistent = persistent;
    io_fault.fired = false;
}

void io_fault_from_environment(void) {
    const char *setting = getenv("LEDGERSIM_IO_FAULT");
    if (setting == NULL) return;
    char kind[8] = "";
    long countdown = 0;
    char mode[16] = "";
    if (sscanf(setting, "%7[a-z]:%ld:%15s", kind, &countdown, mode) >= 2)
        io_fault_arm(kind, countdown, strcmp(mode, "persistent") == 0);
}

/* True when this call of the given kind must fail. */
static bool io_fault_due(const char *kind) {
    if (io_fault.countdown <= 0 && !io_fault.fired) return false;
    if (strcmp(io_fault.kind, "any") != 0 && strcmp(io_fault.kind, kind) != 0) return false;
    if (io_fault.fired) return io_fault.persistent;
    if (--io_fault.countdown > 0) return false;
    io_fault.fired = true;
    return true;
}

int io_open(const char *path, int flags, mode_t mode) {
    if (io_fault_due("open")) {
        errno = EIO;
        return -1;
    }
    int descriptor;
    do descriptor = open(path, flags | O_CLOEXEC, mode);
    while (descriptor < 0 && errno == EINTR);
    return descriptor;
}

ssize_t io_write_all(int descriptor, const void *data, size_t length) {
    const char *cursor = data;
    size_t left = length;
    while (left > 0) {
        if (io_fault_due("write")) {
            errno = EIO;
            return -1;
        }
        ssize_t written = write(descriptor, cursor, left);
        if (written < 0 && errno == EINTR) continue;
        if (written <= 0) {
            if (written == 0) errno = EIO;
            return -1;
        }
        cursor += written;
        left -= (size_t)written;
    }
    return (ssize_t)length;
}

int io_fsync(int descriptor) {
    if (io_fault_due("fsync")) {
        errno = EIO;
        return -1;
    }
    return fsync(descriptor);
}

int io_rename(const char *from, const char *to) {
    if (io_fault_due("rename")) {
        errno = EIO;
        return -1;
    }
    return rename(from, to);
}

/* Fsyncs the folder holding path, so that the rename itself is durable. */
static int sync_parent_directory(const char *path) {
    char copy[4096];
    if (snprintf(copy, sizeof copy, "%s", path) >= (int)sizeof copy) {
        errno = ENAMETOOLONG;
        return -1;
    }
    int descriptor = io_open(dirname(copy), O_RDONLY | O_DIRECTORY, 0);
    if (descriptor < 0) return -1;
    int result = io_fsync(descriptor);
    int saved = errno;
    close(descriptor);
    errno = saved;
    return result;
}

/* path + ".tmp" into temporary (PATH_MAX-sized). */
static int temporary_path(const char *path, char temporary[4096]) {
    if (snprintf(temporary, 4096, "%s.tmp", path) < 4096) return 0;
    errno = ENAMETOOLONG;
    return -1;
}

int atomic_file_prepare(const char *path, const void *data, size_t length) {
    char temporary[4096];
    if (temporary_path(path, temporary) < 0) return -1;
    int descriptor = io_open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (descriptor < 0) return -1;
    if (io_write_all(descriptor, data, length) < 0 || io_fsync(descriptor) < 0) {
        int saved = errno;
        close(descriptor);
        unlink(temporary);
        errno = saved;
        return -1;
    }
    if (close(descriptor) < 0) {
        int saved = errno;
        unlink(temporary);
        errno = saved;
        return -1;
    }
    return 0;
}

int atomic_file_commit(const char *path) {
    char temporary[4096];
    if (temporary_path(path, temporary) < 0) return -1;
    if (io_rename(temporary, path) < 0) {
        int saved = errno;
        unlink(temporary);
        errno = saved;
        return -1;
    }
    return 0;
}

int atomic_file_sync_directory(const char *path) { return sync_parent_directory(path); }

void atomic_file_discard(const char *path) {
    char temporary[4096];
    if (temporary_path(path, temporary) == 0) unlink(temporary);
}

int atomic_file_write(const char *path, const void *data, size_t length) {
    if (atomic_file_prepare(path, data, length) < 0 || atomic_file_commit(path) < 0) return -1;
    return sync_parent_directory(path);
}

int make_directories(const char *path) {
    char copy[4096];
    size_t length = strlen(path);
    if (length == 0 || length >= sizeof copy) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(copy, path, length + 1);
    for (char *cursor = copy + 1; *cursor != '\0'; cursor++) {
        if (*cursor != '/') continue;
        *cursor = '\0';
        if (mkdir(copy, 0755) < 0 && errno != EEXIST) return -1;
        *cursor = '/';
    }
    if (mkdir(copy, 0755) < 0 && errno != EEXIST) return -1;
    return 0;
}
