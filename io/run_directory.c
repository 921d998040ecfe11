/* run_directory.c -- see run_directory.h. */
#include "io/run_directory.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "io/atomic_file.h"

/* Sets dir->error to "cannot WHAT PATH: errno text"; returns -1. */
static int fail(run_directory *dir, const char *what, const char *path) {
    snprintf(dir->error, sizeof dir->error, "cannot %s %s: %s", what, path, strerror(errno));
    return -1;
}

/* Splits path into dir->path (no trailing slash), dir->parent and the
 * sibling names. False (error set) for "", ".", ".." or "/". */
static bool split_path(run_directory *dir, const char *path) {
    size_t length = strlen(path);
    while (length > 1 && path[length - 1] == '/') length--;
    if (length >= sizeof dir->path - 64) {
        snprintf(dir->error, sizeof dir->error, "output directory name too long");
        return false;
    }
    memcpy(dir->path, path, length);
    dir->path[length] = '\0';
    size_t start = length;
    while (start > 0 && dir->path[start - 1] != '/') start--;
    const char *name = dir->path + start;
    if (name[0] == '\0' || strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
        snprintf(dir->error, sizeof dir->error, "%s: the output must be a named folder (not /, . or ..)", path);
        return false;
    }
    if (start == 0)
        snprintf(dir->parent, sizeof dir->parent, ".");
    else
        snprintf(dir->parent, sizeof dir->parent, "%.*s", start > 1 ? (int)start - 1 : 1, dir->path);
    snprintf(dir->staging_prefix, sizeof dir->staging_prefix, "%.*s.%s.staging-", (int)start, dir->path, name);
    snprintf(dir->previous, sizeof dir->previous, "%.*s.%s.previous", (int)start, dir->path, name);
    return true;
}

/* True when path exists (without following a link). */
static bool exists(const char *path) {
    struct stat status;
    return lstat(path, &status) == 0;
}

/* Repairs what a killed run left: the previous generation parked by the
 * fallback goes back to DIR when DIR is missing (else it is stale), and every
 * staging folder of DIR is removed. The lock is held: no live run owns them. */
static int recover(run_directory *dir) {
    if (exists(dir->previous)) {
        if (!exists(dir->path)) {
            if (io_rename(dir->previous, dir->path) != 0) return fail(dir, "restore", dir->previous);
        } else if (remove_tree(dir->previous) != 0) {
            return fail(dir, "remove", dir->previous);
        }
    }
    DIR *parent = opendir(dir->parent);
    if (parent == NULL) return fail(dir, "read", dir->parent);
    const char *prefix = strrchr(dir->staging_prefix, '/');
    prefix = prefix != NULL ? prefix + 1 : dir->staging_prefix;
    size_t prefix_length = strlen(prefix);
    struct dirent *entry;
    int result = 0;
    while ((entry = readdir(parent)) != NULL && result == 0) {
        if (strncmp(entry->d_name, prefix, prefix_length) != 0) continue;
        char stale[RUN_DIRECTORY_PATH_CAPACITY + 256];
        snprintf(stale, sizeof stale, "%s/%s", dir->parent, entry->d_name);
        if (remove_tree(stale) != 0) result = fail(dir, "remove", stale);
    }
    closedir(parent);
    return result;
}

/* 0 when DIR is absent or a folder holding only logs/ and reports/; else
 * -1 with error set (REFUSED). */
static int check_replaceable(run_directory *dir) {
    struct stat status;
    if (lstat(dir->path, &status) != 0) return errno == ENOENT ? 0 : fail(dir, "read", dir->path);
    if (!S_ISDIR(status.st_mode)) {
        snprintf(dir->error, sizeof dir->error, "%s exists and is not a folder: refusing to replace it", dir->path);
        return -1;
    }
    DIR *folder = opendir(dir->path);
    if (folder == NULL) return fail(dir, "read", dir->path);
    struct dirent *entry;
    int result = 0;
    while ((entry = readdir(folder)) != NULL && result == 0) {
        const char *name = entry->d_name;
        if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0 || strcmp(name, "logs") == 0 ||
            strcmp(name, "reports") == 0)
            continue;
        snprintf(dir->error, sizeof dir->error,
                 "%s holds %s, which is not a run's output: refusing to replace the folder (give --out a new or "
                 "a run's folder)",
                 dir->path, name);
        result = -1;
    }
    closedir(folder);
    return result;
}

run_directory_status run_directory_begin(run_directory *dir, const char *path) {
    memset(dir, 0, sizeof *dir);
    dir->lock.descriptor = -1;
    if (!split_path(dir, path)) return RUN_DIRECTORY_REFUSED;
    if (make_directories_tracked(dir->parent, dir->first_created, sizeof dir->first_created) != 0) {
        fail(dir, "create", dir->parent);
        return RUN_DIRECTORY_FAILED;
    }
    char lock_error[FILE_LOCK_ERROR_CAPACITY];
    file_lock_status locked = file_lock_take(&dir->lock, dir->path, lock_error, sizeof lock_error);
    if (locked != FILE_LOCK_TAKEN) {
        snprintf(dir->error, sizeof dir->error, "%s", lock_error);
        return locked == FILE_LOCK_BUSY ? RUN_DIRECTORY_BUSY : RUN_DIRECTORY_FAILED;
    }
    if (recover(dir) != 0) return RUN_DIRECTORY_FAILED;
    if (check_replaceable(dir) != 0) return RUN_DIRECTORY_REFUSED;
    if (make_directory_unique(dir->staging_prefix, dir->staging, sizeof dir->staging) != 0) {
        fail(dir, "create a folder beside", dir->path);
        dir->staging[0] = '\0';
        return RUN_DIRECTORY_FAILED;
    }
    return RUN_DIRECTORY_OK;
}

/* Fsyncs every folder of the staging tree that exists, so that the files'
 * names are durable before the swap makes them DIR's. */
static int sync_staging(run_directory *dir) {
    static const char *const folders[] = {"/logs/state", "/logs", "/reports", ""};
    for (size_t index = 0; index < sizeof folders / sizeof folders[0]; index++) {
        char folder[RUN_DIRECTORY_PATH_CAPACITY + 32];
        snprintf(folder, sizeof folder, "%s%s", dir->staging, folders[index]);
        if (!exists(folder)) continue;
        if (sync_directory(folder) != 0) return fail(dir, "fsync", folder);
    }
    return 0;
}

/* The fallback swap: DIR aside to .NAME.previous, staging to DIR. */
static int swap_in_two_steps(run_directory *dir) {
    if (io_rename(dir->path, dir->previous) != 0) return fail(dir, "move aside", dir->path);
    if (io_rename(dir->staging, dir->path) != 0) {
        int failed = fail(dir, "rename", dir->staging);
        if (rename(dir->previous, dir->path) == 0) return failed; /* back as it was */
        return failed; /* the next begin restores .previous */
    }
    dir->staging[0] = '\0';
    if (sync_directory(dir->parent) != 0) return fail(dir, "fsync", dir->parent);
    remove_tree(dir->previous); /* a failure leaves it to the next begin */
    return 0;
}

int run_directory_publish(run_directory *dir) {
    if (sync_staging(dir) != 0) return -1;
    dir->exchanged_in_one_step = false;
    if (!exists(dir->path)) {
        if (io_rename(dir->staging, dir->path) != 0) return fail(dir, "rename", dir->staging);
        dir->staging[0] = '\0';
        if (sync_directory(dir->parent) != 0) return fail(dir, "fsync", dir->parent);
        return 0;
    }
    if (io_rename_exchange(dir->staging, dir->path) != 0) {
        if (!io_exchange_unsupported(errno)) return fail(dir, "swap in", dir->staging);
        return swap_in_two_steps(dir);
    }
    dir->exchanged_in_one_step = true;
    /* The staging name now holds the previous run: end removes it. */
    if (sync_directory(dir->parent) != 0) return fail(dir, "fsync", dir->parent);
    return 0;
}

void run_directory_end(run_directory *dir) {
    if (dir->staging[0] != '\0') remove_tree(dir->staging);
    dir->staging[0] = '\0';
    file_lock_release(&dir->lock);
    if (!exists(dir->path)) remove_created_directories(dir->parent, dir->first_created);
}
