/* run_output.c -- see run_output.h. */
#include "io/run_output.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/number.h"
#include "io/atomic_file.h"
#include "io/json_writer.h"
#include "io/number_cache.h"
#include "io/state_files.h"
#include "io/state_json.h"

enum {
    /* Write a log's pending bytes past this: large enough that writes are
     * few, small enough that the logs' buffers (up to four in a run) stay a
     * small part of the 16 MiB a 10M-row run may use. */
    LOG_FLUSH_BYTES = 256 << 10,
    LOG_PENDING_LIMIT = 4 << 20,    /* the most a log holds before a flush */
    STATE_FILE_LIMIT = 64 << 20     /* the largest state file */
};

static const char *const log_names[LOG_COUNT] = {"reconcile.jsonl", "nav.csv", "exits.jsonl", "faults.jsonl",
                                                 "orders.jsonl", "marks.csv"};

/* Sets out->error from a printf format plus errno's text. */
static int fail(run_output *out, const char *what, const char *path) {
    snprintf(out->error, sizeof out->error, "cannot %s %s: %s", what, path, strerror(errno));
    return -1;
}

/* DIR/logs/NAME into path. */
static void log_path(const run_output *out, log_stream stream, char *path) {
    snprintf(path, PATH_CAPACITY, "%s/logs/%s", out->directory, log_names[stream]);
}

/* DIR/logs/state and the names its replacement uses in live mode. */
static void state_folder_paths(const run_output *out, char *folder, char *prefix, char *previous) {
    snprintf(folder, PATH_CAPACITY, "%s/logs/state", out->directory);
    snprintf(prefix, PATH_CAPACITY, "%s/logs/.state-", out->directory);
    snprintf(previous, PATH_CAPACITY, "%s/logs/.state.previous", out->directory);
}

/* Live mode, at open: a state folder parked by a killed fallback swap goes
 * back (or, when the state folder exists, away), and staging folders of a
 * killed writer are removed. The lock is held. */
static int recover_state_folder(run_output *out) {
    char folder[PATH_CAPACITY], prefix[PATH_CAPACITY], previous[PATH_CAPACITY];
    state_folder_paths(out, folder, prefix, previous);
    struct stat status;
    if (lstat(previous, &status) == 0) {
        if (lstat(folder, &status) != 0) {
            if (io_rename(previous, folder) != 0) return fail(out, "restore", previous);
        } else if (remove_tree(previous) != 0) {
            return fail(out, "remove", previous);
        }
    }
    char logs[PATH_CAPACITY];
    snprintf(logs, sizeof logs, "%s/logs", out->directory);
    DIR *listing = opendir(logs);
    if (listing == NULL) return fail(out, "read", logs);
    struct dirent *entry;
    while ((entry = readdir(listing)) != NULL) {
        if (strncmp(entry->d_name, ".state-", 7) != 0) continue;
        char stale[PATH_CAPACITY + 256];
        snprintf(stale, sizeof stale, "%s/%s", logs, entry->d_name);
        remove_tree(stale);
    }
    closedir(listing);
    return 0;
}

int run_output_open(run_output *out, const char *directory, trace_mode trace, bool live) {
    memset(out, 0, sizeof *out);
    out->lock.descriptor = -1;
    for (int stream = 0; stream < LOG_COUNT; stream++) {
        out->logs[stream].descriptor = -1;
        buffer_init(&out->logs[stream].pending, LOG_PENDING_LIMIT);
    }
    buffer_init(&out->scratch, STATE_FILE_LIMIT);
    /* Room for the longest file name below it ("/logs/.state-PID.N/positions_state.json"). */
    if (strlen(directory) + 96 >= sizeof out->directory) {
        snprintf(out->error, sizeof out->error, "output directory name too long");
        return -1;
    }
    snprintf(out->directory, sizeof out->directory, "%s", directory);
    out->trace = trace;
    out->live = live;
    char path[PATH_CAPACITY];
    snprintf(path, sizeof path, "%s/logs", directory);
    if (make_directories(path) < 0) return fail(out, "create", path);
    if (live) {
        /* One writer: the lock of DIR, as `run` takes it (io/file_lock);
         * then the repair of a killed swap, before logs/state is made. */
        char lock_error[FILE_LOCK_ERROR_CAPACITY];
        if (file_lock_take(&out->lock, directory, lock_error, sizeof lock_error) != FILE_LOCK_TAKEN) {
            snprintf(out->error, sizeof out->error, "%s", lock_error);
            return -1;
        }
        if (recover_state_folder(out) != 0) return -1;
    }
    snprintf(path, sizeof path, "%s/logs/state", directory);
    if (make_directories(path) < 0) return fail(out, "create", path);
    for (int stream = 0; stream < LOG_COUNT; stream++) {
        if ((stream == LOG_RECONCILE || stream == LOG_MARKS) && trace == TRACE_NONE) continue;
        log_path(out, stream, path);
        /* Replay mode writes into a folder of its own (io/run_directory):
         * each log is created new, never through a path that exists. */
        if (!live) unlink(path);
        int flags = O_WRONLY | O_CREAT | O_NOFOLLOW | (live ? O_APPEND : O_EXCL);
        out->logs[stream].descriptor = io_open(path, flags, 0644);
        if (out->logs[stream].descriptor < 0) return fail(out, "open", path);
        /* Appending to a live nav.csv that already has its header row. */
        if (live && lseek(out->logs[stream].descriptor, 0, SEEK_END) > 0) out->logs[stream].written = true;
    }
    return 0;
}

/* Writes a log's pending bytes to its file. */
static int log_flush(run_output *out, log_stream stream) {
    log_file *log = &out->logs[stream];
    if (log->pending.length == 0) return 0;
    if (io_write_all(log->descriptor, log->pending.data, log->pending.length) < 0) {
        char path[PATH_CAPACITY];
        log_path(out, stream, path);
        return fail(out, "write", path);
    }
    buffer_reset(&log->pending);
    return 0;
}

/* Checks the pending buffer after an append and flushes when large (live:
 * always). A large one flushes every log: a log written seldom (exits) never
 * holds more than what came between two flushes of a busy one, so the memory
 * of a run does not grow with its length. */
static int log_appended(run_output *out, log_stream stream) {
    log_file *log = &out->logs[stream];
    if (buffer_failed(&log->pending)) {
        snprintf(out->error, sizeof out->error, "%s: a line exceeds %d bytes or memory ran out",
                 log_names[stream], LOG_PENDING_LIMIT);
        return -1;
    }
    log->written = true;
    if (out->live) return log_flush(out, stream);
    if (log->pending.length < LOG_FLUSH_BYTES) return 0;
    for (int other = 0; other < LOG_COUNT; other++)
        if (log_flush(out, (log_stream)other) < 0) return -1;
    return 0;
}

/* One nav.csv or marks.csv row, built in place and appended whole: at most
 * eight numbers, an integer and a symbol, each cell with its separator. */
enum { CSV_ROW_CAPACITY = 8 * (NUMBER_TEXT_CAPACITY + 1) + 24 + SYMBOL_CAPACITY + 16 };

typedef struct {
    char text[CSV_ROW_CAPACITY];
    size_t length;
} csv_row;

/* Appends the canonical text of value; an empty cell, not "null", stands
 * for a missing number in CSV. */
static void row_number(csv_row *row, double value) {
    assert(row->length + NUMBER_TEXT_CAPACITY <= CSV_ROW_CAPACITY);
    char *at = row->text + row->length;
    size_t length = number_cache_format(value, at);
    if (!(length == 4 && memcmp(at, "null", 4) == 0)) row->length += length;
}

/* Appends text of length bytes (fits: callers append symbols and names). */
static void row_text(csv_row *row, const char *text, size_t length) {
    assert(row->length + length <= CSV_ROW_CAPACITY);
    memcpy(row->text + row->length, text, length);
    row->length += length;
}

/* Appends the text of "%ld". */
static void row_integer(csv_row *row, long value) {
    assert(row->length + NUMBER_TEXT_CAPACITY <= CSV_ROW_CAPACITY);
    row->length += number_format_integer(value, row->text + row->length);
}

/* marks.csv: one row per mark fact of the event just closed. */
static int append_marks(run_output *out, const kernel *k) {
    buffer *line = &out->logs[LOG_MARKS].pending;
    if (!out->logs[LOG_MARKS].written) buffer_append_text(line, "ts,event_seq,symbol,price,qty,entry_price,tp,sl\n");
    /* Every row starts with the event's "ts,event_seq,". */
    csv_row prefix; /* not "= {0}": that clears the whole text, once per event */
    prefix.length = 0;
    row_number(&prefix, k->projection.snapshot.ts);
    row_text(&prefix, ",", 1);
    row_integer(&prefix, k->projection.snapshot.event_seq);
    row_text(&prefix, ",", 1);
    for (size_t index = 0; index < k->marked_count; index++) {
        const char *symbol = k->marked_symbols[index];
        const book_position *position = book_find_hinted(&k->book, symbol, k->mark_hints[index]);
        const registry_entry *levels = registry_find(&k->registry, symbol);
        assert(position != NULL && position->has_mark);
        csv_row row;
        memcpy(row.text, prefix.text, prefix.length);
        row.length = prefix.length;
        row_text(&row, symbol, strlen(symbol));
        row_text(&row, ",", 1);
        row_number(&row, position->mark);
        row_text(&row, ",", 1);
        row_number(&row, position->qty);
        row_text(&row, ",", 1);
        row_number(&row, position->entry_price);
        row_text(&row, ",", 1);
        if (levels != NULL && levels->has_tp) row_number(&row, levels->tp);
        row_text(&row, ",", 1);
        if (levels != NULL && levels->has_sl) row_number(&row, levels->sl);
        row_text(&row, "\n", 1);
        buffer_append(line, row.text, row.length);
        if (log_appended(out, LOG_MARKS) < 0) return -1;
    }
    return 0;
}

int run_output_event(run_output *out, const kernel *k) {
    const account_snapshot *snapshot = &k->projection.snapshot;
    if (out->trace == TRACE_FULL) {
        json_writer writer;
        json_writer_init(&writer, &out->logs[LOG_RECONCILE].pending, false);
        state_render_snapshot(&writer, k);
        buffer_append(&out->logs[LOG_RECONCILE].pending, "\n", 1);
        if (log_appended(out, LOG_RECONCILE) < 0) return -1;
    }
    buffer *line = &out->logs[LOG_NAV].pending;
    if (!out->logs[LOG_NAV].written)
        buffer_append_text(line, "ts,event_seq,nav_total,aum_total,k_capital,k_equity,e_wallet_balance,status\n");
    csv_row row;
    row.length = 0;
    row_number(&row, snapshot->ts);
    row_text(&row, ",", 1);
    row_integer(&row, snapshot->event_seq);
    row_text(&row, ",", 1);
    row_number(&row, k->aum.nav_total);
    row_text(&row, ",", 1);
    row_number(&row, k->aum.total);
    row_text(&row, ",", 1);
    row_number(&row, snapshot->k.capital);
    row_text(&row, ",", 1);
    row_number(&row, snapshot->k.equity);
    row_text(&row, ",", 1);
    row_number(&row, snapshot->e.wallet_balance);
    row_text(&row, ",", 1);
    const char *status = reconcile_status_name(snapshot->reconcile.status);
    row_text(&row, status, strlen(status));
    row_text(&row, "\n", 1);
    buffer_append(line, row.text, row.length);
    if (log_appended(out, LOG_NAV) < 0) return -1;
    if (out->trace == TRACE_FULL && k->marked_count > 0 && append_marks(out, k) < 0) return -1;
    for (size_t index = 0; index < k->intent_count; index++) {
        json_writer writer;
        json_writer_init(&writer, &out->logs[LOG_EXITS].pending, false);
        state_render_exit(&writer, k, &k->intents[index]);
        buffer_append(&out->logs[LOG_EXITS].pending, "\n", 1);
        if (log_appended(out, LOG_EXITS) < 0) return -1;
    }
    return 0;
}

int run_output_fault(run_output *out, long event_seq, const char *kind, const char *symbol,
                     const char *params_json) {
    buffer *line = &out->logs[LOG_FAULTS].pending;
    buffer_append_format(line, "{\"event_seq\":%ld,\"kind\":", event_seq);
    json_append_string_literal(line, kind);
    buffer_append_text(line, ",\"symbol\":");
    if (symbol != NULL && symbol[0] != '\0')
        json_append_string_literal(line, symbol);
    else
        buffer_append_text(line, "null");
    buffer_append_text(line, ",\"params\":");
    buffer_append_text(line, params_json);
    buffer_append_text(line, "}\n");
    return log_appended(out, LOG_FAULTS);
}

int run_output_order(run_output *out, const order_record *order) {
    json_writer writer;
    json_writer_init(&writer, &out->logs[LOG_ORDERS].pending, false);
    json_object_begin(&writer);
    json_key(&writer, "ts"); json_number(&writer, order->ts);
    json_key(&writer, "symbol"); json_string(&writer, order->symbol);
    json_key(&writer, "side"); json_string(&writer, order->side > 0 ? "BUY" : "SELL");
    json_key(&writer, "qty"); json_number(&writer, order->qty);
    json_key(&writer, "status"); json_string(&writer, order->filled ? "FILLED" : "REJECTED");
    json_key(&writer, "price"); json_optional_number(&writer, order->filled, order->price);
    json_key(&writer, "fee"); json_optional_number(&writer, order->filled, order->fee);
    json_key(&writer, "realized_pnl"); json_optional_number(&writer, order->filled, order->realized_pnl);
    json_key(&writer, "reason"); json_string(&writer, order->reason != NULL ? order->reason : "");
    json_object_end(&writer);
    buffer_append(&out->logs[LOG_ORDERS].pending, "\n", 1);
    return log_appended(out, LOG_ORDERS);
}

typedef void (*state_renderer)(json_writer *writer, const kernel *k);

/* Renders one state file into scratch and creates folder/NAME with it. */
static int write_state_file(run_output *out, const char *folder, const char *name, const kernel *k,
                            state_renderer render) {
    char path[PATH_CAPACITY + 64];
    snprintf(path, sizeof path, "%s/%s", folder, name);
    buffer_reset(&out->scratch);
    json_writer writer;
    json_writer_init(&writer, &out->scratch, true);
    if (render != NULL)
        render(&writer, k);
    else if (strstr(path, "/kpis_v7.json") != NULL)
        state_render_kpis(&writer, k, out->extension, out->extension_context);
    else
        state_render_state(&writer, k, out->state_extension, out->state_extension_context);
    buffer_append(&out->scratch, "\n", 1);
    if (buffer_failed(&out->scratch)) {
        snprintf(out->error, sizeof out->error, "%s: larger than %d bytes or out of memory", path, STATE_FILE_LIMIT);
        return -1;
    }
    unlink(path); /* replay into a reused folder (fuzzing); then created new */
    if (file_write_new(path, out->scratch.data, out->scratch.length) < 0) return fail(out, "write", path);
    return 0;
}

static void render_registry(json_writer *writer, const kernel *k) { state_json_render_registry(writer, &k->registry); }

enum { STATE_FILE_COUNT = 6 };

/* Writes the six state files into folder. */
static int write_state_set(run_output *out, const char *folder, const kernel *k) {
    static const struct {
        const char *name;
        state_renderer render;  /* NULL: kpis_v7.json or state.json, which take an extension */
    } files[STATE_FILE_COUNT] = {
        {"account.json", state_render_account}, {"nav.json", state_render_nav}, {"kpis_v7.json", NULL},
        {"positions_state.json", state_render_positions_state}, {"position_tp_sl.json", render_registry},
        {"state.json", NULL}};
    for (int index = 0; index < STATE_FILE_COUNT; index++)
        if (write_state_file(out, folder, files[index].name, k, files[index].render) < 0) return -1;
    if (sync_directory(folder) < 0) return fail(out, "fsync", folder);
    return 0;
}

/* Live mode: flushes and fsyncs every log, so that the logs are never
 * behind the state files that follow them. */
static int sync_logs(run_output *out) {
    for (int stream = 0; stream < LOG_COUNT; stream++) {
        if (out->logs[stream].descriptor < 0) continue;
        if (log_flush(out, (log_stream)stream) < 0) return -1;
        if (io_fsync(out->logs[stream].descriptor) < 0) {
            char path[PATH_CAPACITY];
            log_path(out, (log_stream)stream, path);
            return fail(out, "fsync", path);
        }
    }
    return 0;
}

/* Live mode: makes staging DIR/logs/state in one step (RENAME_EXCHANGE, or
 * the two-rename fallback that parks the old set at .state.previous, which
 * the next open restores after a crash), then removes the old set. */
static int swap_state_folder(run_output *out, char *staging) {
    char folder[PATH_CAPACITY], prefix[PATH_CAPACITY], previous[PATH_CAPACITY];
    state_folder_paths(out, folder, prefix, previous);
    struct stat status;
    if (lstat(folder, &status) != 0) {
        if (io_rename(staging, folder) != 0) return fail(out, "rename", staging);
        staging[0] = '\0';
    } else if (io_rename_exchange(staging, folder) == 0) {
        /* staging now holds the old set: removed below */
    } else if (!io_exchange_unsupported(errno)) {
        return fail(out, "swap in", staging);
    } else {
        if (io_rename(folder, previous) != 0) return fail(out, "move aside", folder);
        if (io_rename(staging, folder) != 0) {
            int failed = fail(out, "rename", staging);
            if (rename(previous, folder) != 0) { /* the next open restores it */ }
            return failed;
        }
        snprintf(staging, PATH_CAPACITY, "%s", previous);
    }
    char logs[PATH_CAPACITY];
    snprintf(logs, sizeof logs, "%s/logs", out->directory);
    if (sync_directory(logs) < 0) return fail(out, "fsync", logs);
    return 0;
}

/* Replay mode writes the six files straight into the run's own folder: the
 * whole run becomes visible at once (io/run_directory). Live mode writes
 * them into a new folder beside logs/state, after the logs are on disk, and
 * swaps it in whole: a reader or a crash sees the old set or the new one. */
int run_output_state(run_output *out, const kernel *k) {
    if (!out->live) {
        char folder[PATH_CAPACITY];
        snprintf(folder, sizeof folder, "%s/logs/state", out->directory);
        return write_state_set(out, folder, k);
    }
    char folder[PATH_CAPACITY], prefix[PATH_CAPACITY], previous[PATH_CAPACITY], staging[PATH_CAPACITY];
    state_folder_paths(out, folder, prefix, previous);
    if (sync_logs(out) < 0) return -1;
    if (make_directory_unique(prefix, staging, sizeof staging) < 0) return fail(out, "create a folder in", prefix);
    int result = write_state_set(out, staging, k);
    if (result == 0) result = swap_state_folder(out, staging);
    if (staging[0] != '\0') remove_tree(staging);
    return result;
}

int run_output_commit(run_output *out) {
    for (int stream = 0; stream < LOG_COUNT; stream++) {
        log_file *log = &out->logs[stream];
        if (log->descriptor < 0) continue;
        char path[PATH_CAPACITY];
        log_path(out, stream, path);
        if (log_flush(out, stream) < 0) return -1;
        if (io_fsync(log->descriptor) < 0) return fail(out, "fsync", path);
        if (close(log->descriptor) < 0) {
            log->descriptor = -1;
            return fail(out, "close", path);
        }
        log->descriptor = -1;
    }
    return 0;
}

/* Replay mode, a run that did not commit: removes what it wrote, so that a
 * caller writing into a folder of its own (fuzzing) finds nothing left. */
static void remove_uncommitted(const run_output *out) {
    static const char *const state_names[STATE_FILE_COUNT] = {"account.json", "nav.json", "kpis_v7.json",
                                                              "positions_state.json", "position_tp_sl.json",
                                                              "state.json"};
    char path[PATH_CAPACITY + 64];
    for (int stream = 0; stream < LOG_COUNT; stream++) {
        log_path(out, (log_stream)stream, path);
        unlink(path);
    }
    for (int index = 0; index < STATE_FILE_COUNT; index++) {
        snprintf(path, sizeof path, "%s/logs/state/%s", out->directory, state_names[index]);
        unlink(path);
    }
}

void run_output_close(run_output *out) {
    bool opened = false;
    for (int stream = 0; stream < LOG_COUNT; stream++) {
        log_file *log = &out->logs[stream];
        if (log->descriptor >= 0) {
            close(log->descriptor);
            log->descriptor = -1;
            opened = true;
        }
        buffer_free(&log->pending);
    }
    if (opened && !out->live) remove_uncommitted(out);
    buffer_free(&out->scratch);
    file_lock_release(&out->lock);
}
