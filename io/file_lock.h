/* file_lock.h -- one writer at a time: an advisory lock beside what is
 * written.
 *
 * The lock is a POSIX record lock (fcntl F_SETLK) on ".NAME.lock" in the
 * folder that holds NAME (a run's DIR, a TP/SL registry). It is taken before
 * anything is written and never waited for: a second process fails at once,
 * and F_GETLK names the holder's pid. The kernel releases it when the holder
 * dies, so a killed writer leaves no stale lock; the lock file is removed by
 * the holder when it is done (after checking that the file it locked is still
 * the one at that path, so that two processes can never both hold "the"
 * lock through two different files). */
#ifndef LEDGERSIM_IO_FILE_LOCK_H
#define LEDGERSIM_IO_FILE_LOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "core/limits.h"

enum { FILE_LOCK_PATH_CAPACITY = 4096 + 64, FILE_LOCK_ERROR_CAPACITY = 4096 + 256 };

typedef struct {
    int descriptor;                     /* -1 when not held */
    char path[FILE_LOCK_PATH_CAPACITY]; /* the lock file */
} file_lock;

typedef enum { FILE_LOCK_TAKEN = 0, FILE_LOCK_BUSY = 1, FILE_LOCK_ERROR = -1 } file_lock_status;

/* Takes the lock of target (the path of what will be written; its folder
 * must exist). FILE_LOCK_BUSY when another process holds it: error says
 * "TARGET is being written by process PID". FILE_LOCK_ERROR with error set
 * when the lock file cannot be made. */
file_lock_status file_lock_take(file_lock *lock, const char *target, char *error, size_t error_capacity)
    WARN_UNUSED_RESULT;

/* Removes the lock file and releases the lock (no-op when not held). */
void file_lock_release(file_lock *lock);

#endif
