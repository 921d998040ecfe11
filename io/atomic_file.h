/* atomic_file.h -- files replaced whole or not at all, files and folders
 * created new, and the file-system calls every writer goes through.
 *
 * A state file is written to a temporary file of its own in the same folder
 * (a unique name, created with O_CREAT|O_EXCL|O_NOFOLLOW: never through a
 * path that already exists, a symbolic link included), fsynced, renamed over
 * PATH, and the folder fsynced: a reader (or a crash) sees the old version or
 * the new one, never a torn one.
 *
 * The system calls are routed through io_* wrappers. In a test build
 * (LEDGERSIM_TEST_HOOKS defined: bin/ledgersim-test) they can fail or kill
 * the process at the N-th call (SQLite's countdown) to prove every error path
 * and every crash point; in the release binary the hook is compiled out. */
#ifndef LEDGERSIM_IO_ATOMIC_FILE_H
#define LEDGERSIM_IO_ATOMIC_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "core/limits.h"

/* Replaces path with length bytes of data. Returns 0, or -1 with errno set;
 * on failure path is untouched and no temp file is left. */
int atomic_file_write(const char *path, const void *data, size_t length) WARN_UNUSED_RESULT;

/* atomic_file_write that calls still_current(context) once the temp file
 * is on disk, just before the rename: when it returns false the temp file is
 * removed, path is untouched, and the result is -1 with errno ESTALE (a
 * writer that re-reads what it replaces, to lose no concurrent change). */
typedef bool (*atomic_file_check)(void *context);
int atomic_file_write_checked(const char *path, const void *data, size_t length, atomic_file_check still_current,
                              void *context) WARN_UNUSED_RESULT;

/* Creates path, which must not exist (O_EXCL|O_NOFOLLOW), with length bytes
 * of data, fsynced. Returns 0, or -1 with errno set (a partial file is
 * removed). For files inside a folder this process created (a staging
 * folder), where no rename is needed. */
int file_write_new(const char *path, const void *data, size_t length) WARN_UNUSED_RESULT;

/* Fsyncs the folder holding path (atomic_file_sync_directory) or the
 * folder itself (sync_directory). Returns 0, or -1 with errno set. */
int atomic_file_sync_directory(const char *path) WARN_UNUSED_RESULT;
int sync_directory(const char *directory) WARN_UNUSED_RESULT;

/* Creates path and its parents (mode 0755), like mkdir -p. Returns 0 or -1.
 * The _tracked form also writes into first_created (capacity bytes) the
 * outermost folder it created ("" when all existed), so that a caller that
 * fails later can remove exactly what it made (remove_created_directories). */
int make_directories(const char *path) WARN_UNUSED_RESULT;
int make_directories_tracked(const char *path, char *first_created, size_t capacity) WARN_UNUSED_RESULT;

/* Removes the empty folders from path up to and including first_created
 * (a result of make_directories_tracked); stops at the first that is not
 * empty. Nothing when first_created is "". */
void remove_created_directories(const char *path, const char *first_created);

/* Creates a new folder named prefix + a unique suffix (mode 0755), its name
 * into out (capacity bytes). Returns 0, or -1 with errno set. */
int make_directory_unique(const char *prefix, char *out, size_t capacity) WARN_UNUSED_RESULT;

/* Removes path and everything below it without following any symbolic link
 * (a link is removed, never what it points to). Returns 0, or -1 with errno
 * set (what could be removed is gone). A missing path is 0. */
int remove_tree(const char *path);

/* Wrapped system calls (see io_fault_arm). io_rename_exchange swaps two
 * existing paths in one step (renameat2 RENAME_EXCHANGE); where the file
 * system lacks it, it fails with EINVAL, ENOSYS or EOPNOTSUPP. */
int io_open(const char *path, int flags, mode_t mode) WARN_UNUSED_RESULT;
ssize_t io_write_all(int descriptor, const void *data, size_t length) WARN_UNUSED_RESULT;
int io_fsync(int descriptor) WARN_UNUSED_RESULT;
int io_rename(const char *from, const char *to) WARN_UNUSED_RESULT;
int io_rename_exchange(const char *from, const char *to) WARN_UNUSED_RESULT;
int io_mkdir(const char *path, mode_t mode) WARN_UNUSED_RESULT;

/* True when errno says the file system cannot swap two paths in one step. */
bool io_exchange_unsupported(int error);

/* Test builds only (no-ops in the release binary). Fault injection by
 * countdown: the countdown-th wrapped call of the given kind from now on
 * fails with EIO (kind: "open", "write", "fsync", "rename", "mkdir" or
 * "any"); persistent makes every later call fail too; kill makes that call
 * SIGKILL the process instead. Count 0 disarms. Read once from
 * LEDGERSIM_IO_FAULT="KIND:N[:persistent|:kill]" by io_fault_from_environment;
 * LEDGERSIM_IO_FAULT_LOG=FILE gets a line "KIND N" each time a fault fires
 * (the tests' proof that it did); LEDGERSIM_TEST_NO_EXCHANGE=1 makes
 * io_rename_exchange fail as on a file system without it. */
void io_fault_arm(const char *kind, long countdown, bool persistent, bool kill);
void io_fault_from_environment(void);

/* Test builds only: runs the shell command in LEDGERSIM_TEST_AT_<point> (if
 * set) at that point of a command, so that a test can act at an exact moment
 * (another writer changing a file). No-op in the release binary. */
void io_test_point(const char *point);

#endif
