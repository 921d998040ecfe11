/* run_directory.h -- one generation per run: a run's outputs change as one
 * set (docs/state-files.md).
 *
 * `run` never writes into DIR itself. Under the lock of DIR (io/file_lock,
 * taken before anything is written), it writes every output into a new
 * staging folder beside DIR (PARENT/.NAME.staging-PID.N) and then makes that
 * folder DIR in one step:
 *   - DIR absent: rename(staging, DIR);
 *   - DIR present: renameat2(staging, DIR, RENAME_EXCHANGE), then the old
 *     generation (now at the staging name) is removed;
 *   - a file system without RENAME_EXCHANGE (EINVAL/ENOSYS/EOPNOTSUPP): the
 *     fallback renames DIR to PARENT/.NAME.previous, then staging to DIR.
 *     A crash between those two renames leaves no DIR and the previous run
 *     whole in .NAME.previous; the next run or check on DIR (run_directory_begin)
 *     renames it back before anything else.
 * So DIR holds one whole run at every instant (with the fallback: at every
 * instant but that window, which the next writer repairs), stale reports of
 * an earlier run cannot survive, and a failed run (bad input, a full disk, a
 * kill) leaves DIR exactly as it was. Leftover staging folders of killed runs
 * are removed by the next run on DIR.
 *
 * An existing DIR is replaced only when it looks like a run's output: a
 * folder holding nothing but logs/ and reports/ (or nothing at all); any other
 * entry makes begin refuse, so that `--out ~` cannot delete a home folder. */
#ifndef LEDGERSIM_IO_RUN_DIRECTORY_H
#define LEDGERSIM_IO_RUN_DIRECTORY_H

#include <stdbool.h>

#include "core/limits.h"
#include "io/file_lock.h"

enum { RUN_DIRECTORY_PATH_CAPACITY = 4096, RUN_DIRECTORY_ERROR_CAPACITY = 3 * 4096 };

typedef struct {
    char path[RUN_DIRECTORY_PATH_CAPACITY];          /* DIR, without trailing slashes */
    char parent[RUN_DIRECTORY_PATH_CAPACITY];        /* the folder holding DIR */
    char staging_prefix[RUN_DIRECTORY_PATH_CAPACITY]; /* PARENT/.NAME.staging- */
    char staging[RUN_DIRECTORY_PATH_CAPACITY];       /* where this run writes ("" when none) */
    char previous[RUN_DIRECTORY_PATH_CAPACITY];      /* PARENT/.NAME.previous (the fallback) */
    char first_created[RUN_DIRECTORY_PATH_CAPACITY]; /* the outermost parent folder this run made */
    file_lock lock;
    bool exchanged_in_one_step;                      /* the last publish used RENAME_EXCHANGE */
    char error[RUN_DIRECTORY_ERROR_CAPACITY];
} run_directory;

typedef enum { RUN_DIRECTORY_OK = 0, RUN_DIRECTORY_BUSY = 1, RUN_DIRECTORY_REFUSED = 2, RUN_DIRECTORY_FAILED = -1 }
    run_directory_status;

/* Creates DIR's parents, takes DIR's lock, repairs what a killed run left
 * (a parked previous generation, staging folders), checks that DIR may be
 * replaced, and makes the staging folder (dir->staging), where the caller
 * writes the whole run. BUSY: another process holds the lock (error names
 * its pid); REFUSED: DIR is not a run's output folder; FAILED: an I/O error.
 * On any failure nothing is left but what existed before; call
 * run_directory_end in every case. */
run_directory_status run_directory_begin(run_directory *dir, const char *path) WARN_UNUSED_RESULT;

/* Makes the staging folder DIR (see above). Returns 0, or -1 with error
 * set; DIR then still holds the previous run (or, with the fallback and a
 * failure between its two renames, the next begin restores it). */
int run_directory_publish(run_directory *dir) WARN_UNUSED_RESULT;

/* Removes the staging folder if not published, the parent folders begin
 * created if DIR does not exist, and releases the lock. */
void run_directory_end(run_directory *dir);

#endif
