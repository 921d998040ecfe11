/* command_ledger.c -- `ledgersim ledger`: the position ledger of a live
 * executor's own files (seed 002).
 *
 * Merges positions_state.json with position_tp_sl.json (io/state_json),
 * prints the ledger with its consistency status (or JSON), says which exit
 * would fire at given marks (core/exits), and with --sync seeds missing TP/SL,
 * drops stale entries and rewrites the registry atomically. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/commands.h"
#include "core/config.h"
#include "core/exits.h"
#include "core/ledger.h"
#include "core/limits.h"
#include "core/number.h"
#include "io/atomic_file.h"
#include "io/buffer.h"
#include "io/file_lock.h"
#include "io/json_file.h"
#include "io/json_writer.h"
#include "io/state_json.h"

enum {
    SYNC_ATTEMPTS_MAX = 3,      /* --sync starts over at most this often when the file changes under it */
    COLUMN_COUNT_MAX = 8,       /* symbol side qty entry tp sl mark exit */
    CELL_CAPACITY = 32          /* bytes of one table cell: a symbol or a number */
};
_Static_assert((int)CELL_CAPACITY >= (int)SYMBOL_CAPACITY && (int)CELL_CAPACITY >= (int)NUMBER_TEXT_CAPACITY,
               "a table cell holds a symbol and a number");

typedef struct {
    char symbol[SYMBOL_CAPACITY];
    double price;
} mark_price;

/* Everything one invocation holds; about 150 KiB, so it lives on the heap. */
typedef struct {
    const char *positions_path;
    const char *tp_sl_path;
    mark_price marks[SYMBOLS_MAX];
    size_t mark_count;
    bool sync;
    bool json;
    bool has_ts;
    double ts;                    /* epoch seconds stamped on seeded entries */
    kernel_config config;
    position_view positions[SYMBOLS_MAX];
    size_t position_count;
    tp_sl_registry registry;
    bool registry_found;
    position_ledger ledger;
    ledger_consistency consistency;
    ledger_sync_report sync_report;
    exit_scanner scanner;
    exit_intent intents[SYMBOLS_MAX];
    size_t intent_count;
} ledger_session;

/* Prints the help text (with the fallback percentages of the defaults). */
static void print_help(FILE *stream) {
    kernel_config defaults;
    config_defaults(&defaults);
    char tp_percent[NUMBER_TEXT_CAPACITY], sl_percent[NUMBER_TEXT_CAPACITY];
    number_format(defaults.tp_percent, tp_percent);
    number_format(defaults.sl_percent, sl_percent);
    fprintf(stream,
            "usage: ledgersim ledger --positions FILE [--tp-sl FILE] [--mark SYMBOL=PRICE]...\n"
            "                        [--sync [--ts EPOCH]] [--json]\n"
            "       ledgersim ledger --help\n"
            "\n"
            "Checks a live executor's position ledger (seed 002): merges its positions\n"
            "state file with its TP/SL registry, prints the ledger (symbol, side, qty,\n"
            "entry, tp, sl) and a consistency line, e.g.\n"
            "    consistency: GREEN (positions 2, ledger 2, with tp/sl 2)\n"
            "\n"
            "  --positions FILE   logs/state/positions_state.json, in any shape the executor\n"
            "                     has written: {\"positions\": [...]}, a bare list, or an\n"
            "                     object keyed by symbol; side, position_side or positionSide\n"
            "                     (LONG/SHORT, BUY/SELL); unsigned qty with a side, or signed\n"
            "                     qty/positionAmt (the sign gives the side when there is none);\n"
            "                     entry_price, avg_entry_price or entryPrice; numbers or numeric\n"
            "                     strings; created_ts/updated_ts optional. A position with qty 0\n"
            "                     is flat and skipped; one without a valid entry price counts as\n"
            "                     a position but stays out of the ledger.\n"
            "  --tp-sl FILE       logs/state/position_tp_sl.json, {SYM: {side, entry_price, tp,\n"
            "                     sl, created_ts, updated_ts}}, tp/sl may be null. A missing\n"
            "                     file is an empty registry; so is leaving --tp-sl out.\n"
            "  --mark SYM=PRICE   a mark price (repeatable). The table gains the mark and the\n"
            "                     exit that would fire: LONG takes profit when mark >= tp and\n"
            "                     stops out when mark <= sl; SHORT when mark <= tp or\n"
            "                     mark >= sl; a missing tp or sl never fires.\n"
            "  --sync             syncs the registry with the positions and rewrites the\n"
            "                     --tp-sl file (required) atomically: seeds TP/SL for each\n"
            "                     position without an entry and removes entries whose\n"
            "                     symbol has no position, printing what changed (\"seeded\n"
            "                     BTCUSDT tp=... sl=...\", \"removed ETHUSDT\"). No price bars are\n"
            "                     available here, so seeding always uses the percentage\n"
            "                     fallback of the default configuration: LONG tp = entry x\n"
            "                     (1 + %s), sl = entry x (1 - %s); SHORT tp = entry x\n"
            "                     (1 - %s), sl = entry x (1 + %s). ATR seeding needs bar\n"
            "                     rows: `ledgersim run`. Entries that exist, even with a null\n"
            "                     tp or sl, are kept as they are.\n"
            "  --ts EPOCH         created_ts/updated_ts of seeded entries (epoch seconds or\n"
            "                     ISO-8601 UTC); default: the current time.\n"
            "  --json             prints JSON instead of the table: {positions_ledger{SYM:\n"
            "                     {side, qty, entry_price, tp, sl, created_ts, updated_ts}},\n"
            "                     ledger_consistency{status, num_positions, num_ledger,\n"
            "                     num_tp_sl}, exits[{symbol, side, qty, reason, mark, tp, sl}],\n"
            "                     and with --sync, sync{file, seeded[{symbol, tp, sl}],\n"
            "                     removed[]}}.\n"
            "  --help             prints this text.\n"
            "\n"
            "Consistency: GREEN when every position is in the ledger with both tp and sl;\n"
            "YELLOW when some lack tp or sl (or stay out of the ledger); RED when positions\n"
            "exist and the ledger is empty.\n"
            "\n"
            "--sync keeps every entry it does not remove byte for byte as the file had it\n"
            "(unknown fields included), holds the registry's lock (.NAME.lock beside it),\n"
            "and starts over if the file changes before its rename (3 attempts).\n"
            "\n"
            "Exit status: 0 green, 1 yellow, 3 red, 2 bad input or usage (the message names\n"
            "the file, and the byte offset of a JSON syntax error; a registry that fails to\n"
            "parse is never rewritten), 3 also when --sync cannot write the registry, another\n"
            "process holds it (its pid is named), or it keeps changing.\n",
            tp_percent, sl_percent, tp_percent, sl_percent);
}

/* Reports a usage error on stderr; returns EXIT_BAD_INPUT. */
static int usage_error(const char *message, const char *detail) {
    fprintf(stderr, "ledgersim ledger: %s%s\n", message, detail);
    fprintf(stderr, "usage: ledgersim ledger --positions FILE [--tp-sl FILE] [--mark SYMBOL=PRICE]... "
                    "[--sync [--ts EPOCH]] [--json]   (see --help)\n");
    return EXIT_BAD_INPUT;
}

/* Parses "SYMBOL=PRICE" into session->marks; false on a malformed or
 * repeated mark. */
static bool add_mark(ledger_session *session, const char *text) {
    const char *equals = strchr(text, '=');
    if (equals == NULL) return false;
    size_t symbol_length = (size_t)(equals - text);
    if (symbol_length == 0 || symbol_length >= SYMBOL_CAPACITY) return false;
    for (size_t index = 0; index < symbol_length; index++)
        if ((unsigned char)text[index] <= 0x20 || text[index] == 0x7f) return false;
    double price;
    if (!number_parse(equals + 1, strlen(equals + 1), &price) || price <= 0) return false;
    for (size_t index = 0; index < session->mark_count; index++)
        if (strlen(session->marks[index].symbol) == symbol_length &&
            memcmp(session->marks[index].symbol, text, symbol_length) == 0)
            return false;
    if (session->mark_count == SYMBOLS_MAX) return false;
    mark_price *mark = &session->marks[session->mark_count++];
    memcpy(mark->symbol, text, symbol_length);
    mark->symbol[symbol_length] = '\0';
    mark->price = price;
    return true;
}

/* mark_lookup over the session's --mark list. */
static bool lookup_mark(const void *context, const char *symbol, double *mark) {
    const ledger_session *session = context;
    for (size_t index = 0; index < session->mark_count; index++) {
        if (strcmp(session->marks[index].symbol, symbol) != 0) continue;
        *mark = session->marks[index].price;
        return isfinite(*mark);
    }
    return false;
}

/* The value of option name at argv[*index] ("--name VALUE" or
 * "--name=VALUE"), advancing *index; NULL when argv[*index] is another
 * option. *missing tells a matching option that lacks its value. */
static const char *option_value(int argc, char **argv, int *index, const char *name, bool *missing) {
    const char *argument = argv[*index];
    size_t length = strlen(name);
    *missing = false;
    if (strncmp(argument, name, length) != 0) return NULL;
    if (argument[length] == '=') return argument + length + 1;
    if (argument[length] != '\0') return NULL;
    if (*index + 1 >= argc) {
        *missing = true;
        return NULL;
    }
    return argv[++*index];
}

/* Fills session from the arguments. Returns -1 to go on, or an exit status. */
static int parse_arguments(ledger_session *session, int argc, char **argv) {
    for (int index = 1; index < argc; index++) {
        const char *argument = argv[index];
        const char *value;
        bool missing = false;
        if (strcmp(argument, "--help") == 0 || strcmp(argument, "-h") == 0) {
            print_help(stdout);
            return EXIT_OK;
        } else if (strcmp(argument, "--sync") == 0) {
            session->sync = true;
        } else if (strcmp(argument, "--json") == 0) {
            session->json = true;
        } else if ((value = option_value(argc, argv, &index, "--positions", &missing)) != NULL) {
            if (value[0] == '\0') return usage_error("--positions needs a file", "");
            session->positions_path = value;
        } else if (!missing && (value = option_value(argc, argv, &index, "--tp-sl", &missing)) != NULL) {
            if (value[0] == '\0') return usage_error("--tp-sl needs a file", "");
            session->tp_sl_path = value;
        } else if (!missing && (value = option_value(argc, argv, &index, "--mark", &missing)) != NULL) {
            if (!add_mark(session, value))
                return usage_error("--mark wants SYMBOL=PRICE (price > 0, each symbol once): ", value);
        } else if (!missing && (value = option_value(argc, argv, &index, "--ts", &missing)) != NULL) {
            if (!number_parse_timestamp(value, strlen(value), &session->ts))
                return usage_error("--ts wants epoch seconds or an ISO-8601 UTC time: ", value);
            session->has_ts = true;
        } else if (missing) {
            return usage_error("missing value for ", argument);
        } else if (argument[0] == '-') {
            return usage_error("unknown option ", argument);
        } else {
            return usage_error("unexpected argument ", argument);
        }
    }
    if (session->positions_path == NULL) return usage_error("--positions FILE is required", "");
    if (session->sync && session->tp_sl_path == NULL)
        return usage_error("--sync needs --tp-sl FILE (the registry it rewrites)", "");
    if (session->has_ts && !session->sync) return usage_error("--ts only applies with --sync", "");
    return -1;
}

/* The current time in epoch seconds (the stamp of seeded entries). */
static double current_time(void) {
    struct timespec now;
    if (clock_gettime(CLOCK_REALTIME, &now) != 0) return (double)time(NULL);
    return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

/* Writes number into out, or "-" when absent. */
static void cell_number(char out[NUMBER_TEXT_CAPACITY], bool present, double value) {
    if (present && isfinite(value))
        number_format(value, out);
    else
        snprintf(out, NUMBER_TEXT_CAPACITY, "-");
}

/* The exit intent of symbol, or NULL. */
static const exit_intent *find_intent(const ledger_session *session, const char *symbol) {
    for (size_t index = 0; index < session->intent_count; index++)
        if (strcmp(session->intents[index].symbol, symbol) == 0) return &session->intents[index];
    return NULL;
}

/* True when the ledger holds symbol. */
static bool ledger_holds(const position_ledger *ledger, const char *symbol) {
    for (size_t index = 0; index < ledger->count; index++)
        if (strcmp(ledger->entries[index].symbol, symbol) == 0) return true;
    return false;
}

/* Prints what --sync changed (text mode). */
static void print_sync_text(const ledger_session *session) {
    const ledger_sync_report *report = &session->sync_report;
    for (size_t index = 0; index < report->seeded_count; index++) {
        const registry_entry *entry = registry_find(&session->registry, report->seeded[index]);
        char tp[NUMBER_TEXT_CAPACITY], sl[NUMBER_TEXT_CAPACITY];
        cell_number(tp, entry != NULL && entry->has_tp, entry != NULL ? entry->tp : 0);
        cell_number(sl, entry != NULL && entry->has_sl, entry != NULL ? entry->sl : 0);
        printf("seeded %s tp=%s sl=%s (percentage fallback: no bars)\n", report->seeded[index], tp, sl);
    }
    for (size_t index = 0; index < report->removed_count; index++)
        printf("removed %s\n", report->removed[index]);
    printf("wrote %s (%zu entries; seeded %zu, removed %zu)\n\n", session->tp_sl_path, session->registry.count,
           report->seeded_count, report->removed_count);
}

/* Prints the ledger table, the positions left out of it, and the badge. */
static void print_table(const ledger_session *session) {
    bool with_marks = session->mark_count > 0;
    size_t columns = with_marks ? 8 : 6;
    static const char *const headers[COLUMN_COUNT_MAX] = {"SYMBOL", "SIDE", "QTY", "ENTRY", "TP", "SL", "MARK",
                                                          "EXIT"};
    size_t rows = session->ledger.count;
    /* cells[row][column]; row 0 is the header. */
    typedef char cell[CELL_CAPACITY];
    cell(*cells)[COLUMN_COUNT_MAX] = calloc(rows + 1, sizeof *cells);
    if (cells == NULL) {
        fprintf(stderr, "ledgersim ledger: out of memory\n");
        return;
    }
    size_t widths[COLUMN_COUNT_MAX] = {0};
    for (size_t column = 0; column < columns; column++) snprintf(cells[0][column], sizeof cells[0][column], "%s",
                                                                  headers[column]);
    for (size_t row = 0; row < rows; row++) {
        const ledger_entry *entry = &session->ledger.entries[row];
        cell *line = cells[row + 1];
        snprintf(line[0], sizeof line[0], "%s", entry->symbol);
        snprintf(line[1], sizeof line[1], "%s", position_side_name(entry->side));
        cell_number(line[2], true, entry->qty);
        cell_number(line[3], true, entry->entry_price);
        cell_number(line[4], entry->has_tp, entry->tp);
        cell_number(line[5], entry->has_sl, entry->sl);
        if (with_marks) {
            double mark = 0;
            bool has_mark = lookup_mark(session, entry->symbol, &mark);
            cell_number(line[6], has_mark, mark);
            const exit_intent *intent = find_intent(session, entry->symbol);
            snprintf(line[7], sizeof line[7], "%s", intent != NULL ? exit_reason_name(intent->reason) : "-");
        }
    }
    for (size_t row = 0; row <= rows; row++)
        for (size_t column = 0; column < columns; column++) {
            size_t length = strlen(cells[row][column]);
            if (length > widths[column]) widths[column] = length;
        }
    for (size_t row = 0; row <= rows; row++) {
        for (size_t column = 0; column < columns; column++) {
            if (column + 1 == columns)
                printf("%s\n", cells[row][column]);
            else
                printf("%-*s  ", (int)widths[column], cells[row][column]);
        }
    }
    free(cells);
    if (rows == 0) printf("(the ledger is empty)\n");
    for (size_t index = 0; index < session->position_count; index++) {
        const position_view *position = &session->positions[index];
        if (ledger_holds(&session->ledger, position->symbol)) continue;
        char entry_price[NUMBER_TEXT_CAPACITY];
        cell_number(entry_price, true, position->entry_price);
        printf("not in the ledger: %s %s (entry price %s is not valid)\n", position->symbol,
               position_side_name(position->side), entry_price);
    }
    char upper[8];
    const char *name = consistency_name(session->consistency.status);
    size_t length = 0;
    for (; name[length] != '\0' && length + 1 < sizeof upper; length++)
        upper[length] = (char)toupper((unsigned char)name[length]);
    upper[length] = '\0';
    printf("consistency: %s (positions %zu, ledger %zu, with tp/sl %zu)\n", upper,
           session->consistency.num_positions, session->consistency.num_ledger, session->consistency.num_tp_sl);
}

/* Writes the --json document into out. */
static void render_json(const ledger_session *session, buffer *out) {
    json_writer writer;
    json_writer_init(&writer, out, true);
    json_object_begin(&writer);
    json_key(&writer, "positions_ledger");
    state_json_render_ledger(&writer, &session->ledger);
    json_key(&writer, "ledger_consistency");
    json_object_begin(&writer);
    json_key(&writer, "status");
    json_string(&writer, consistency_name(session->consistency.status));
    json_key(&writer, "num_positions");
    json_integer(&writer, (int64_t)session->consistency.num_positions);
    json_key(&writer, "num_ledger");
    json_integer(&writer, (int64_t)session->consistency.num_ledger);
    json_key(&writer, "num_tp_sl");
    json_integer(&writer, (int64_t)session->consistency.num_tp_sl);
    json_object_end(&writer);
    json_key(&writer, "exits");
    json_array_begin(&writer);
    for (size_t index = 0; index < session->intent_count; index++) {
        const exit_intent *intent = &session->intents[index];
        json_object_begin(&writer);
        json_key(&writer, "symbol");
        json_string(&writer, intent->symbol);
        json_key(&writer, "side");
        json_string(&writer, position_side_name(intent->side));
        json_key(&writer, "qty");
        json_number(&writer, intent->qty);
        json_key(&writer, "reason");
        json_string(&writer, exit_reason_name(intent->reason));
        json_key(&writer, "mark");
        json_number(&writer, intent->mark);
        json_key(&writer, "tp");
        json_optional_number(&writer, intent->has_tp, intent->tp);
        json_key(&writer, "sl");
        json_optional_number(&writer, intent->has_sl, intent->sl);
        json_object_end(&writer);
    }
    json_array_end(&writer);
    if (session->sync) {
        const ledger_sync_report *report = &session->sync_report;
        json_key(&writer, "sync");
        json_object_begin(&writer);
        json_key(&writer, "file");
        json_string(&writer, session->tp_sl_path);
        json_key(&writer, "seeded");
        json_array_begin(&writer);
        for (size_t index = 0; index < report->seeded_count; index++) {
            const registry_entry *entry = registry_find(&session->registry, report->seeded[index]);
            json_object_begin(&writer);
            json_key(&writer, "symbol");
            json_string(&writer, report->seeded[index]);
            json_key(&writer, "tp");
            json_optional_number(&writer, entry != NULL && entry->has_tp, entry != NULL ? entry->tp : 0);
            json_key(&writer, "sl");
            json_optional_number(&writer, entry != NULL && entry->has_sl, entry != NULL ? entry->sl : 0);
            json_object_end(&writer);
        }
        json_array_end(&writer);
        json_key(&writer, "removed");
        json_array_begin(&writer);
        for (size_t index = 0; index < report->removed_count; index++) json_string(&writer, report->removed[index]);
        json_array_end(&writer);
        json_object_end(&writer);
    }
    json_object_end(&writer);
    buffer_append(out, "\n", 1);
}

/* The registry as read by one sync attempt, for the re-check before the rename. */
typedef struct {
    const char *path;
    buffer content;       /* the bytes read (empty when the file did not exist) */
    bool found;
} registry_snapshot;

/* Reads path into snapshot (which the caller frees). Returns 0, or an exit
 * status with the reason printed. */
static int read_registry_text(registry_snapshot *snapshot, const char *path) {
    char error[STATE_JSON_ERROR_CAPACITY];
    snapshot->path = path;
    buffer_init(&snapshot->content, STATE_FILE_BYTES_MAX);
    json_file_status status = json_file_read(path, &snapshot->content, error, sizeof error);
    snapshot->found = status != JSON_FILE_MISSING;
    if (status == JSON_FILE_OK || status == JSON_FILE_MISSING) return -1;
    if (status == JSON_FILE_TOO_LARGE)
        snprintf(error, sizeof error, "%s: larger than the %d MiB limit of a state file", path,
                 STATE_FILE_BYTES_MAX / (1024 * 1024));
    fprintf(stderr, "ledgersim ledger: %s\nledgersim ledger: %s left as it is\n", error, path);
    return EXIT_BAD_INPUT;
}

/* atomic_file_check: true when the registry file still holds exactly what
 * this attempt read (the executor did not write it meanwhile). */
static bool registry_unchanged(void *context) {
    const registry_snapshot *snapshot = context;
    io_test_point("SYNC_BEFORE_RENAME"); /* tests: another writer acts here */
    registry_snapshot now;
    char error[STATE_JSON_ERROR_CAPACITY];
    buffer_init(&now.content, STATE_FILE_BYTES_MAX);
    json_file_status status = json_file_read(snapshot->path, &now.content, error, sizeof error);
    bool same = (status == JSON_FILE_MISSING && !snapshot->found) ||
                (status == JSON_FILE_OK && snapshot->found && now.content.length == snapshot->content.length &&
                 (now.content.length == 0 ||
                  memcmp(now.content.data, snapshot->content.data, now.content.length) == 0));
    buffer_free(&now.content);
    return same;
}

/* One --sync attempt: reads and parses the registry, syncs it with the
 * positions, and replaces the file if nobody changed it meanwhile. Kept
 * entries are written byte for byte as read. Returns -1 when written, 0 when
 * the file changed under it (try again), or an exit status (printed). */
static int sync_attempt(ledger_session *session) {
    registry_snapshot snapshot;
    int status = read_registry_text(&snapshot, session->tp_sl_path);
    char error[STATE_JSON_ERROR_CAPACITY];
    registry_init(&session->registry); /* a missing file is an empty registry (seed 002 1.3) */
    if (status < 0 && snapshot.found && !state_json_parse_registry(session->tp_sl_path, snapshot.content.data != NULL ?
                                                 snapshot.content.data : "", snapshot.content.length,
                                                 &session->registry, error, sizeof error)) {
        fprintf(stderr, "ledgersim ledger: %s\nledgersim ledger: %s left as it is\n", error, session->tp_sl_path);
        status = EXIT_BAD_INPUT;
    }
    session->registry_found = snapshot.found;
    buffer text;
    buffer_init(&text, STATE_FILE_BYTES_MAX);
    if (status < 0) {
        double ts = session->has_ts ? session->ts : current_time();
        ledger_sync(&session->registry, &session->ledger, session->positions, session->position_count, NULL,
                    &session->config, ts, true, true, &session->sync_report);
        if (!state_json_render_registry_keeping(&text, &session->registry, snapshot.content.data,
                                                snapshot.content.length)) {
            fprintf(stderr, "ledgersim ledger: %s: cannot render the registry (out of memory)\n",
                    session->tp_sl_path);
            status = EXIT_OUTPUT_ERROR;
        }
    }
    if (status < 0 && atomic_file_write_checked(session->tp_sl_path, text.data, text.length, registry_unchanged,
                                                &snapshot) != 0) {
        if (errno == ESTALE)
            status = 0;
        else {
            fprintf(stderr, "ledgersim ledger: %s: cannot write: %s\n", session->tp_sl_path, strerror(errno));
            status = EXIT_OUTPUT_ERROR;
        }
    }
    buffer_free(&text);
    buffer_free(&snapshot.content);
    return status;
}

/* --sync under the registry's lock (io/file_lock: a second sync fails at
 * once, naming the holder), starting over when the executor rewrote the
 * file between the read and the rename. Returns -1 when written, or an exit
 * status (printed). */
static int sync_registry(ledger_session *session) {
    file_lock lock;
    char error[FILE_LOCK_ERROR_CAPACITY];
    if (file_lock_take(&lock, session->tp_sl_path, error, sizeof error) != FILE_LOCK_TAKEN) {
        fprintf(stderr, "ledgersim ledger: %s\n", error);
        return EXIT_OUTPUT_ERROR;
    }
    int status = 0;
    for (int attempt = 0; attempt < SYNC_ATTEMPTS_MAX && status == 0; attempt++) status = sync_attempt(session);
    if (status == 0) {
        fprintf(stderr,
                "ledgersim ledger: %s changed while it was being synced, %d times: left as it is (is an executor "
                "writing it? try again)\n",
                session->tp_sl_path, SYNC_ATTEMPTS_MAX);
        status = EXIT_OUTPUT_ERROR;
    }
    file_lock_release(&lock);
    return status;
}

/* Loads, merges (and syncs), scans and prints. Returns the exit status. */
static int run_ledger(ledger_session *session) {
    char error[STATE_JSON_ERROR_CAPACITY];
    if (!state_json_load_positions(session->positions_path, session->positions, &session->position_count, error,
                                   sizeof error)) {
        fprintf(stderr, "ledgersim ledger: %s\n", error);
        return EXIT_BAD_INPUT;
    }
    registry_init(&session->registry);
    config_defaults(&session->config);
    if (session->sync) {
        int status = sync_registry(session);
        if (status >= 0) return status;
    } else {
        if (session->tp_sl_path != NULL &&
            !state_json_load_registry(session->tp_sl_path, &session->registry, &session->registry_found, error,
                                      sizeof error)) {
            fprintf(stderr, "ledgersim ledger: %s\n", error);
            return EXIT_BAD_INPUT;
        }
        ledger_build(&session->ledger, session->positions, session->position_count, &session->registry);
    }
    if (session->tp_sl_path != NULL && !session->registry_found && !session->sync)
        fprintf(stderr, "ledgersim ledger: note: %s does not exist: an empty registry\n", session->tp_sl_path);
    for (size_t index = 0; index < session->mark_count; index++)
        if (!ledger_holds(&session->ledger, session->marks[index].symbol))
            fprintf(stderr, "ledgersim ledger: --mark %s: no ledger entry for it (ignored)\n",
                    session->marks[index].symbol);
    session->consistency = ledger_check_consistency(session->position_count, &session->ledger);
    exits_init(&session->scanner);
    session->intent_count = exits_scan(&session->scanner, &session->ledger, lookup_mark, session, session->intents);
    if (session->json) {
        buffer out;
        buffer_init(&out, STATE_FILE_BYTES_MAX);
        render_json(session, &out);
        bool failed = buffer_failed(&out);
        if (!failed) fwrite(out.data, 1, out.length, stdout);
        buffer_free(&out);
        if (failed) {
            fprintf(stderr, "ledgersim ledger: cannot render JSON (out of memory)\n");
            return EXIT_BAD_INPUT;
        }
    } else {
        if (session->sync) print_sync_text(session);
        print_table(session);
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "ledgersim ledger: cannot write to standard output\n");
        return EXIT_BAD_INPUT;
    }
    switch (session->consistency.status) {
    case CONSISTENCY_GREEN: return EXIT_OK;
    case CONSISTENCY_YELLOW: return EXIT_FAILED;
    default: return EXIT_RED;
    }
}

/* `ledgersim ledger ...`: argv[0] is "ledger". Returns the exit status. */
int command_ledger(int argc, char **argv) {
    ledger_session *session = calloc(1, sizeof *session);
    if (session == NULL) {
        fprintf(stderr, "ledgersim ledger: out of memory\n");
        return EXIT_BAD_INPUT;
    }
    int status = parse_arguments(session, argc, argv);
    if (status < 0) status = run_ledger(session);
    free(session);
    return status;
}
