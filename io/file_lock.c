/* file_lock.c -- see file_lock.h. */
#include "io/file_lock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/atomic_file.h"

enum { LOCK_ATTEMPTS_MAX = 20 };

/* ".NAME.lock" beside target into lock->path. False when too long. */
static bool lock_path_for(file_lock *lock, const char *target) {
    size_t length = strlen(target);
    while (length > 1 && target[length - 1] == '/') length--;
    size_t folder_length = length;
    while (folder_length > 0 && target[folder_length - 1] != '/') folder_length--;
    int written = snprintf(lock->path, sizeof lock->path, "%.*s.%.*s.lock", (int)folder_length, target,
                           (int)(length - folder_length), target + folder_length);
    return written < (int)sizeof lock->path;
}

/* The pid holding a write lock on descriptor's file, or 0 when none does now. */
static pid_t lock_holder(int descriptor) {
    struct flock query = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
    if (fcntl(descriptor, F_GETLK, &query) != 0 || query.l_type == F_UNLCK) return 0;
    return query.l_pid;
}

/* True when descriptor's file is still the one at path (not unlinked and
 * replaced by a holder that finished between our open and our lock). */
static bool still_linked(int descriptor, const char *path) {
    struct stat opened, named;
    return fstat(descriptor, &opened) == 0 && lstat(path, &named) == 0 && opened.st_dev == named.st_dev &&
           opened.st_ino == named.st_ino;
}

file_lock_status file_lock_take(file_lock *lock, const char *target, char *error, size_t error_capacity) {
    lock->descriptor = -1;
    if (!lock_path_for(lock, target)) {
        snprintf(error, error_capacity, "%s: name too long", target);
        return FILE_LOCK_ERROR;
    }
    for (int attempt = 0; attempt < LOCK_ATTEMPTS_MAX; attempt++) {
        /* O_NOFOLLOW: a link planted at the lock's name is refused, not followed. */
        int descriptor = io_open(lock->path, O_RDWR | O_CREAT | O_NOFOLLOW, 0644);
        if (descriptor < 0) {
            snprintf(error, error_capacity, "%s: cannot create its lock %s: %s", target, lock->path,
                     strerror(errno));
            return FILE_LOCK_ERROR;
        }
        struct flock request = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
        if (fcntl(descriptor, F_SETLK, &request) == 0) {
            if (still_linked(descriptor, lock->path)) {
                lock->descriptor = descriptor;
                return FILE_LOCK_TAKEN;
            }
            close(descriptor); /* the holder before us removed it: take the new one */
            continue;
        }
        int saved = errno;
        pid_t holder = (saved == EACCES || saved == EAGAIN) ? lock_holder(descriptor) : 0;
        close(descriptor);
        if (saved != EACCES && saved != EAGAIN) {
            snprintf(error, error_capacity, "%s: cannot lock %s: %s", target, lock->path, strerror(saved));
            return FILE_LOCK_ERROR;
        }
        if (holder > 0) {
            snprintf(error, error_capacity, "%s is being written by process %ld (lock %s): try again when it ends",
                     target, (long)holder, lock->path);
            return FILE_LOCK_BUSY;
        }
        /* Released between our attempt and the query: try again. */
    }
    snprintf(error, error_capacity, "%s is being written by another process (lock %s)", target, lock->path);
    return FILE_LOCK_BUSY;
}

void file_lock_release(file_lock *lock) {
    if (lock->descriptor < 0) return;
    /* Unlinked while held: a process that opened it before sees it unlinked
     * after taking it (still_linked) and starts over. */
    if (still_linked(lock->descriptor, lock->path)) unlink(lock->path);
    close(lock->descriptor);
    lock->descriptor = -1;
}
