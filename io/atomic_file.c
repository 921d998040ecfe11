/* atomic_file.c -- see atomic_file.h. */
#include "io/atomic_file.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1) /* linux/fs.h */
#endif

enum { ATOMIC_PATH_CAPACITY = 4096, UNIQUE_ATTEMPTS_MAX = 1000 };

#ifdef LEDGERSIM_TEST_HOOKS
/* The countdown is process state by design: it exists only so that a test
 * can make the N-th call of a whole run fail. Outside tests it is disarmed. */
static struct {
    char kind[8];
    long countdown;
    long calls;     /* wrapped calls of the kind so far (the log's N) */
    bool persistent;
    bool kill;
    bool fired;
} io_fault;

void io_fault_arm(const char *kind, long countdown, bool persistent, bool kill) {
    snprintf(io_fault.kind, sizeof io_fault.kind, "%s", kind);
    io_fault.countdown = countdown;
    io_fault.calls = 0;
    io_fault.persistent = persistent;
    io_fault.kill = kill;
    io_fault.fired = false;
}

void io_fault_from_environment(void) {
    const char *setting = getenv("LEDGERSIM_IO_FAULT");
    if (setting == NULL) return;
    char kind[8] = "";
    long countdown = 0;
    char mode[16] = "";
    if (sscanf(setting, "%7[a-z]:%ld:%15s", kind, &countdown, mode) >= 2)
        io_fault_arm(kind, countdown, strcmp(mode, "persistent") == 0, strcmp(mode, "kill") == 0);
}

/* Appends "KIND N" to LEDGERSIM_IO_FAULT_LOG: the proof that a fault fired. */
static void io_fault_log(const char *kind) {
    const char *path = getenv("LEDGERSIM_IO_FAULT_LOG");
    if (path == NULL) return;
    int descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (descriptor < 0) return;
    char line[64];
    int length = snprintf(line, sizeof line, "%s %ld\n", kind, io_fault.calls);
    if (write(descriptor, line, (size_t)length) < 0) { /* the test sees no line and fails */ }
    close(descriptor);
}

/* True when this call of the given kind must fail (or, in kill mode, does
 * not return). */
static bool io_fault_due(const char *kind) {
    if (io_fault.countdown <= 0 && !io_fault.fired) return false;
    if (strcmp(io_fault.kind, "any") != 0 && strcmp(io_fault.kind, kind) != 0) return false;
    io_fault.calls++;
    if (io_fault.fired) return io_fault.persistent;
    if (--io_fault.countdown > 0) return false;
    io_fault.fired = true;
    io_fault_log(kind);
    if (io_fault.kill) raise(SIGKILL);
    return true;
}

static bool exchange_disabled(void) { return getenv("LEDGERSIM_TEST_NO_EXCHANGE") != NULL; }

void io_test_point(const char *point) {
    char name[128];
    snprintf(name, sizeof name, "LEDGERSIM_TEST_AT_%s", point);
    const char *command = getenv(name);
    if (command != NULL && system(command) != 0) fprintf(stderr, "ledgersim: test hook %s failed\n", point);
}
#else
/* The release binary: no countdown, no hook (issue 15). */
static inline bool io_fault_due(const char *kind) {
    (void)kind;
    return false;
}
static inline bool exchange_disabled(void) { return false; }
void io_fault_arm(const char *kind, long countdown, bool persistent, bool kill) {
    (void)kind, (void)countdown, (void)persistent, (void)kill;
}
void io_fault_from_environment(void) {}
void io_test_point(const char *point) { (void)point; }
#endif

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

int io_rename_exchange(const char *from, const char *to) {
    if (io_fault_due("rename")) {
        errno = EIO;
        return -1;
    }
    if (exchange_disabled()) {
        errno = EINVAL;
        return -1;
    }
    /* The system call itself: glibc's renameat2 wrapper needs _GNU_SOURCE
     * and glibc 2.28; the call is in every Linux since 3.15. */
    return (int)syscall(SYS_renameat2, AT_FDCWD, from, AT_FDCWD, to, RENAME_EXCHANGE);
}

int io_mkdir(const char *path, mode_t mode) {
    if (io_fault_due("mkdir")) {
        errno = EIO;
        return -1;
    }
    return mkdir(path, mode);
}

bool io_exchange_unsupported(int error) { return error == EINVAL || error == ENOSYS || error == EOPNOTSUPP; }

int sync_directory(const char *directory) {
    int descriptor = io_open(directory, O_RDONLY | O_DIRECTORY, 0);
    if (descriptor < 0) return -1;
    int result = io_fsync(descriptor);
    int saved = errno;
    close(descriptor);
    errno = saved;
    return result;
}

int atomic_file_sync_directory(const char *path) {
    char copy[ATOMIC_PATH_CAPACITY];
    if (snprintf(copy, sizeof copy, "%s", path) >= (int)sizeof copy) {
        errno = ENAMETOOLONG;
        return -1;
    }
    return sync_directory(dirname(copy));
}

/* Writes, fsyncs and closes descriptor (open for writing on path); on
 * failure removes path. Returns 0 or -1 with errno set. */
static int fill_and_close(int descriptor, const char *path, const void *data, size_t length) {
    if (io_write_all(descriptor, data, length) < 0 || io_fsync(descriptor) < 0) {
        int saved = errno;
        close(descriptor);
        unlink(path);
        errno = saved;
        return -1;
    }
    if (close(descriptor) < 0) {
        int saved = errno;
        unlink(path);
        errno = saved;
        return -1;
    }
    return 0;
}

int file_write_new(const char *path, const void *data, size_t length) {
    int descriptor = io_open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0644);
    if (descriptor < 0) return -1;
    return fill_and_close(descriptor, path, data, length);
}

/* A new temp file beside path: "DIR/.NAME.PID.N.tmp", created O_EXCL (a name
 * taken by anything, a planted link included, is skipped). Its name goes into
 * temporary. Returns the descriptor, or -1 with errno set. */
static int create_temporary(const char *path, char temporary[ATOMIC_PATH_CAPACITY]) {
    static unsigned long counter; /* unique within the process; the pid across processes */
    const char *slash = strrchr(path, '/');
    int folder_length = slash != NULL ? (int)(slash - path + 1) : 0;
    const char *name = path + folder_length;
    for (int attempt = 0; attempt < UNIQUE_ATTEMPTS_MAX; attempt++) {
        int written = snprintf(temporary, ATOMIC_PATH_CAPACITY, "%.*s.%s.%ld.%lu.tmp", folder_length, path, name,
                               (long)getpid(), counter++);
        if (written >= ATOMIC_PATH_CAPACITY) {
            errno = ENAMETOOLONG;
            return -1;
        }
        int descriptor = io_open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0644);
        if (descriptor >= 0 || errno != EEXIST) return descriptor;
    }
    errno = EEXIST;
    return -1;
}

int atomic_file_write(const char *path, const void *data, size_t length) {
    return atomic_file_write_checked(path, data, length, NULL, NULL);
}

int atomic_file_write_checked(const char *path, const void *data, size_t length, atomic_file_check still_current,
                              void *context) {
    char temporary[ATOMIC_PATH_CAPACITY];
    int descriptor = create_temporary(path, temporary);
    if (descriptor < 0) return -1;
    if (fill_and_close(descriptor, temporary, data, length) < 0) return -1;
    if (still_current != NULL && !still_current(context)) {
        unlink(temporary);
        errno = ESTALE;
        return -1;
    }
    if (io_rename(temporary, path) < 0) {
        int saved = errno;
        unlink(temporary);
        errno = saved;
        return -1;
    }
    return atomic_file_sync_directory(path);
}

int make_directories_tracked(const char *path, char *first_created, size_t capacity) {
    char copy[ATOMIC_PATH_CAPACITY];
    size_t length = strlen(path);
    if (first_created != NULL && capacity > 0) first_created[0] = '\0';
    if (length == 0 || length >= sizeof copy) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(copy, path, length + 1);
    for (char *cursor = copy + 1;; cursor++) {
        bool last = *cursor == '\0';
        if (!last && *cursor != '/') continue;
        *cursor = '\0';
        if (io_mkdir(copy, 0755) == 0) {
            if (first_created != NULL && first_created[0] == '\0') snprintf(first_created, capacity, "%s", copy);
        } else if (errno != EEXIST) {
            return -1;
        }
        if (last) break;
        *cursor = '/';
    }
    return 0;
}

int make_directories(const char *path) { return make_directories_tracked(path, NULL, 0); }

void remove_created_directories(const char *path, const char *first_created) {
    if (first_created == NULL || first_created[0] == '\0') return;
    char copy[ATOMIC_PATH_CAPACITY];
    if (snprintf(copy, sizeof copy, "%s", path) >= (int)sizeof copy) return;
    size_t stop = strlen(first_created);
    for (;;) {
        if (rmdir(copy) != 0) return;
        if (strlen(copy) <= stop) return;
        char *slash = strrchr(copy, '/');
        if (slash == NULL) return;
        *slash = '\0';
    }
}

int make_directory_unique(const char *prefix, char *out, size_t capacity) {
    static unsigned long counter;
    for (int attempt = 0; attempt < UNIQUE_ATTEMPTS_MAX; attempt++) {
        if (snprintf(out, capacity, "%s%ld.%lu", prefix, (long)getpid(), counter++) >= (int)capacity) {
            errno = ENAMETOOLONG;
            return -1;
        }
        if (io_mkdir(out, 0755) == 0) return 0;
        if (errno != EEXIST) return -1;
    }
    errno = EEXIST;
    return -1;
}

/* remove_tree below an open folder: every entry of the folder at descriptor
 * (consumed). Links are unlinked, folders entered with O_NOFOLLOW. */
static int remove_below(int descriptor, int depth) {
    DIR *folder = fdopendir(descriptor);
    if (folder == NULL) {
        close(descriptor);
        return -1;
    }
    int result = 0;
    struct dirent *entry;
    while ((entry = readdir(folder)) != NULL) {
        const char *name = entry->d_name;
        if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) continue;
        struct stat status;
        if (fstatat(dirfd(folder), name, &status, AT_SYMLINK_NOFOLLOW) != 0) {
            result = -1;
            continue;
        }
        if (S_ISDIR(status.st_mode) && depth < 64) {
            int child = openat(dirfd(folder), name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (child < 0 || remove_below(child, depth + 1) != 0) result = -1;
            if (unlinkat(dirfd(folder), name, AT_REMOVEDIR) != 0) result = -1;
        } else if (unlinkat(dirfd(folder), name, 0) != 0) {
            result = -1;
        }
    }
    closedir(folder);
    return result;
}

int remove_tree(const char *path) {
    struct stat status;
    if (lstat(path, &status) != 0) return errno == ENOENT ? 0 : -1;
    if (!S_ISDIR(status.st_mode)) return unlink(path);
    int descriptor = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (descriptor < 0) return -1;
    int result = remove_below(descriptor, 0);
    if (rmdir(path) != 0) result = -1;
    return result;
}
