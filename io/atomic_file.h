/* atomic_file.h -- files replaced whole or not at all, and the file-system
 * calls every writer goes through.
 *
 * A state file is written to PATH.tmp in the same folder, fsynced, renamed
 * over PATH, and the folder fsynced: a reader (or a crash) sees the old
 * version or the new one, never a torn one. The system calls are routed
 * through io_* wrappers so that a test build can fail the N-th call (SQLite's
 * countdown) and prove every error path. */
#ifndef LEDGERSIM_IO_ATOMIC_FILE_H
#define LEDGERSIM_IO_ATOMIC_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "core/limits.h"

/* Replaces path with length bytes of data. Returns 0, or -1 with errno set;
 * on failure path is untouched and no temp file is left. */
int atomic_file_write(const char *path, const void *data, size_t length) WARN_UNUSED_RESULT;

/* The parts of atomic_file_write, for a set of files that should change
 * together: prepare writes and fsyncs PATH.tmp (path untouched; on failure
 * no temp is left); commit renames it over path; sync_directory fsyncs the
 * folder holding path (once, after the last commit); discard removes a
 * prepared temp. Returns 0, or -1 with errno set. */
int atomic_file_prepare(const char *path, const void *data, size_t length) WARN_UNUSED_RESULT;
int atomic_file_commit(const char *path) WARN_UNUSED_RESULT;
int atomic_file_sync_directory(const char *path) WARN_UNUSED_RESULT;
void atomic_file_discard(const char *path);

/* Creates path and its parents (mode 0755), like mkdir -p. Returns 0 or -1. */
int make_directories(const char *path) WARN_UNUSED_RESULT;

/* Wrapped system calls (see io_fault_arm). */
int io_open(const char *path, int flags, mode_t mode) WARN_UNUSED_RESULT;
ssize_t io_write_all(int descriptor, const void *data, size_t length) WARN_UNUSED_RESULT;
int io_fsync(int descriptor) WARN_UNUSED_RESULT;
int io_rename(const char *from, const char *to) WARN_UNUSED_RESULT;

/* Fault injection by countdown: the countdown-th wrapped call of the given
 * kind from now on fails with EIO (kind: "open", "write", "fsync", "rename"
 * or "any"); persistent makes every later call fail too. Count 0 disarms.
 * Read once from LEDGERSIM_IO_FAULT="KIND:N[:persistent]" by io_fault_from_environment. */
void io_fault_arm(const char *kind, long countdown, bool persistent);
void io_fault_from_environment(void);

#endif
