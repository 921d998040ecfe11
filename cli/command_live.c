/* command_live.c -- `ledgersim live`: the live Binance USD-M adapter, and its
 * helpers `live convert` (captured frames to a scenario CSV) and `live sign`
 * (the signature of a payload, to debug a rejected request). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/commands.h"
#include "core/config.h"
#include "io/input_file.h"
#include "io/line_reader.h"
#include "io/scenario_writer.h"
#include "live/libraries.h"
#include "live/normalize.h"
#include "live/pipeline.h"
#include "live/rest.h"
#include "live/session.h"
#include "live/sign.h"

/* Prints the usage of `ledgersim live` to stream (borrowed). */
static void live_usage(FILE *stream) {
    fprintf(stream,
            "usage: ledgersim live [--testnet] [--rest-url URL --ws-url URL] [--symbols SYM,SYM...]\n"
            "                      --out DIR --record FILE.csv [--execute] [--key-file FILE]\n"
            "                      [--set KEY=VALUE]... [--duration-s N] [--quiet]\n"
            "       ledgersim live --print-urls [--testnet | --ws-url URL] [--symbols SYM,...]\n"
            "       ledgersim live convert CAPTURE.jsonl [--set KEY=VALUE]...   (scenario CSV on stdout)\n"
            "       ledgersim live sign [--body BODY] QUERY   (secret from BINANCE_API_SECRET or --key-file)\n\n"
            "Runs the core on the Binance USD-M user data stream and mark prices and writes\n"
            "the state files under DIR continuously. Every normalized event is appended to\n"
            "--record in the scenario format: `ledgersim run FILE.csv` reproduces the state\n"
            "files. Dry run by default: exit intents are logged, not sent; --execute sends\n"
            "them as reduce-only MARKET orders. Keys: BINANCE_API_KEY / BINANCE_API_SECRET,\n"
            "or --key-file FILE (mode 0600; two lines: key, secret). Hedge-mode accounts are\n"
            "refused. SIGINT/SIGTERM close the listenKey and write the state files whole.\n\n"
            "options:\n"
            "  --testnet               Binance futures testnet endpoints (testnet.binancefuture.com,\n"
            "                          fstream.binancefuture.com: the same split routes)\n"
            "  --rest-url URL          REST base (default https://fapi.binance.com)\n"
            "  --ws-url URL            WebSocket base (default wss://fstream.binance.com): the routes\n"
            "                          /private/ws?listenKey=KEY and /market/stream?streams=... are appended\n"
            "  --print-urls            print the two route URLs (listen key as <listenKey>) and exit 0\n"
            "                          without connecting\n"
            "  --symbols LIST          symbols whose mark price is streamed (comma separated)\n"
            "  --set KEY=VALUE         a configuration key (scenario config keys); recorded\n"
            "  --duration-s N          stop after N seconds (default: until a signal)\n"
            "  --keepalive-interval-s N  listenKey keepalive period (default 1800)\n"
            "  --reconnect-initial-ms N  first reconnect delay, doubled up to --reconnect-max-ms\n"
            "  --reconnect-max-ms N    (default 60000)\n"
            "  --recv-window-ms N      recvWindow of signed requests (default 5000)\n"
            "  --market-stall-ms N     watchdog: no frame/pong on the market route this long: reconnect\n"
            "                          (default 10000: ten missed @1s marks)\n"
            "  --private-stall-ms N    the same for the private route (default 200000: the server pings\n"
            "                          every 3 minutes; a ping is sent half-way)\n"
            "  --exit-alert-ms N       an exit not filled this long after its intent is an ALERT\n"
            "                          (live.log, stderr, state.json live.unfilled_exits; default 30000)\n"
            "  --rest-timeout-ms N     one REST request (default 10000)\n"
            "  --quiet                 only warnings and errors on stderr (DIR/live.log has all)\n\n"
            "Exit status: 0 stopped by a signal or --duration-s; 1 the session stopped on an\n"
            "exchange or connection error; 2 bad input or usage (keys, options, hedge mode,\n"
            "a used --out or record); 3 an output error (a state file or the record could\n"
            "not be written).\n");
}

/* Parses a positive integer option value. */
static bool parse_long(const char *text, long minimum, long maximum, long *out) {
    char *end = NULL;
    errno = 0;
    long value = strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || value < minimum || value > maximum) return false;
    *out = value;
    return true;
}

/* Splits KEY=VALUE in place; false without '='. */
static bool split_setting(char *text, const char **key, const char **value) {
    char *equals = strchr(text, '=');
    if (equals == NULL || equals == text) return false;
    *equals = '\0';
    *key = text;
    *value = equals + 1;
    return true;
}

/* Applies --set KEY=VALUE to config; false with a message. */
static bool apply_setting(kernel_config *config, const char *key, const char *value) {
    char reason[CONFIG_REASON_CAPACITY];
    config_set_result result = config_set(config, key, value, reason, sizeof reason);
    if (result == CONFIG_SET_UNKNOWN_KEY) {
        fprintf(stderr, "ledgersim live: %s\n", reason);
        return false;
    }
    if (result == CONFIG_SET_BAD_VALUE) {
        fprintf(stderr, "ledgersim live: --set %s: %s\n", key, reason);
        return false;
    }
    return true;
}

/* Adds the comma-separated symbols of list to options (upper case, deduplicated). */
static bool add_symbols(live_options *options, const char *list) {
    char copy[8192];
    if (strlen(list) >= sizeof copy) return false;
    snprintf(copy, sizeof copy, "%s", list);
    char *save = NULL;
    for (char *item = strtok_r(copy, ",", &save); item != NULL; item = strtok_r(NULL, ",", &save)) {
        size_t length = strlen(item);
        if (length == 0 || length >= SYMBOL_CAPACITY) return false;
        char symbol[SYMBOL_CAPACITY];
        for (size_t index = 0; index <= length; index++) {
            char c = item[index];
            if (c >= 'a' && c <= 'z') c = (char)(c - 'a' + 'A');
            if (c != '\0' && !((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) return false;
            symbol[index] = c;
        }
        bool known = false;
        for (size_t index = 0; index < options->symbol_count; index++)
            if (strcmp(options->symbols[index], symbol) == 0) known = true;
        if (known) continue;
        if (options->symbol_count == SYMBOLS_MAX) return false;
        snprintf(options->symbols[options->symbol_count++], SYMBOL_CAPACITY, "%s", symbol);
    }
    return true;
}

/* `live sign [--key-file FILE] [--body BODY] QUERY`. */
static int command_live_sign(int argc, char **argv) {
    const char *body = NULL, *query = NULL, *key_file = NULL;
    for (int index = 1; index < argc; index++) {
        if (strcmp(argv[index], "--body") == 0 && index + 1 < argc) body = argv[++index];
        else if (strcmp(argv[index], "--key-file") == 0 && index + 1 < argc) key_file = argv[++index];
        else if (strcmp(argv[index], "--help") == 0) {
            printf("usage: ledgersim live sign [--key-file FILE] [--body BODY] QUERY\n"
                   "Prints hex(HMAC-SHA256(secret, QUERY followed by BODY)), the signature Binance\n"
                   "expects, with the secret from BINANCE_API_SECRET (or --key-file).\n");
            return EXIT_OK;
        } else if (query == NULL) query = argv[index];
        else {
            fprintf(stderr, "ledgersim live sign: unexpected argument\n");
            return EXIT_BAD_INPUT;
        }
    }
    if (query == NULL) {
        fprintf(stderr, "ledgersim live sign: a QUERY to sign is required\n");
        return EXIT_BAD_INPUT;
    }
    credentials keys;
    char error[512];
    const char *secret = NULL;
    if (key_file != NULL) {
        if (!credentials_load(&keys, key_file, error, sizeof error)) {
            fprintf(stderr, "ledgersim live sign: %s\n", error);
            return EXIT_BAD_INPUT;
        }
        secret = keys.api_secret;
    } else {
        secret = getenv("BINANCE_API_SECRET");
        if (secret == NULL || secret[0] == '\0') {
            fprintf(stderr, "ledgersim live sign: set BINANCE_API_SECRET (or give --key-file)\n");
            return EXIT_BAD_INPUT;
        }
    }
    char signature[SIGNATURE_HEX_CAPACITY];
    bool ok = live_sign(secret, query, body, signature);
    credentials_wipe(&keys);
    if (!ok) {
        const char *reason = live_libraries_error();
        fprintf(stderr, "ledgersim live sign: %s\n", reason[0] != '\0' ? reason : "HMAC failed");
        return EXIT_FAILED;
    }
    printf("%s\n", signature);
    return EXIT_OK;
}

/* `live convert CAPTURE.jsonl`: frames to a scenario CSV on stdout. */
static int command_live_convert(int argc, char **argv) {
    const char *capture = NULL;
    kernel_config config;
    config_defaults(&config);
    const char *keys[LIVE_CONFIG_ROWS_MAX], *values[LIVE_CONFIG_ROWS_MAX];
    size_t config_count = 0;
    for (int index = 1; index < argc; index++) {
        if (strcmp(argv[index], "--help") == 0) {
            printf("usage: ledgersim live convert CAPTURE.jsonl [--set KEY=VALUE]...\n"
                   "Raw WebSocket frames, one JSON object a line (plain or combined-stream\n"
                   "envelopes), to a scenario CSV on stdout, normalized exactly as `ledgersim live`\n"
                   "does, so that an incident can be replayed with `ledgersim run`. Frames that\n"
                   "cannot be normalized are reported as CAPTURE:LINE on stderr (exit status 2\n"
                   "after the CSV is written).\n");
            return EXIT_OK;
        }
        if (strcmp(argv[index], "--set") == 0 && index + 1 < argc) {
            const char *key, *value;
            if (config_count == LIVE_CONFIG_ROWS_MAX || !split_setting(argv[++index], &key, &value) ||
                !apply_setting(&config, key, value)) {
                fprintf(stderr, "ledgersim live convert: bad --set\n");
                return EXIT_BAD_INPUT;
            }
            keys[config_count] = key;
            values[config_count++] = value;
        } else if (capture == NULL) {
            capture = argv[index];
        } else {
            fprintf(stderr, "ledgersim live convert: unexpected argument '%s'\n", argv[index]);
            return EXIT_BAD_INPUT;
        }
    }
    if (capture == NULL) {
        fprintf(stderr, "ledgersim live convert: CAPTURE.jsonl is required\n");
        return EXIT_BAD_INPUT;
    }
    /* By length (io/line_reader): a NUL is an error naming its line, never the
     * end of one; a named capture must be a regular file (no FIFO's wait, no
     * /dev/zero). */
    char open_error[4096 + 128];
    int input = strcmp(capture, "-") == 0 ? STDIN_FILENO : input_file_open(capture, open_error, sizeof open_error);
    if (input < 0) {
        fprintf(stderr, "ledgersim live convert: %s\n", open_error);
        return EXIT_BAD_INPUT;
    }
    scenario_writer record;
    pipeline flow;
    normalized_event *event = malloc(sizeof *event);
    line_reader lines;
    int status = EXIT_OK;
    if (event == NULL || scenario_writer_open_descriptor(&record, STDOUT_FILENO) != 0 ||
        pipeline_init(&flow, &config, &record, NULL) != 0) {
        fprintf(stderr, "ledgersim live convert: cannot start (memory or stdout)\n");
        free(event);
        if (input != STDIN_FILENO) close(input);
        return EXIT_FAILED;
    }
    for (size_t index = 0; index < config_count; index++)
        if (scenario_writer_config(&record, keys[index], values[index]) != 0) status = EXIT_FAILED;
    /* One frame a line, at most NORMALIZE_FRAME_LIMIT bytes. */
    long line_number = 0, invalid = 0, events = 0;
    bool lines_open = line_reader_open(&lines, input, NORMALIZE_FRAME_LIMIT) == 0;
    if (!lines_open) status = EXIT_FAILED;
    char *text;
    size_t length;
    bool too_long;
    int next = 0;
    while (status == EXIT_OK && (next = line_reader_next(&lines, &text, &length, &too_long)) > 0) {
        line_number = lines.line;
        if (too_long) {
            fprintf(stderr, "%s:%ld: frame longer than %d bytes: skipped\n", capture, line_number,
                    NORMALIZE_FRAME_LIMIT);
            invalid++;
            continue;
        }
        const char *nul = memchr(text, '\0', length);
        if (nul != NULL) {
            fprintf(stderr, "%s:%ld: a NUL byte at column %zu: frame refused\n", capture, line_number,
                    (size_t)(nul - text) + 1);
            invalid++;
            continue;
        }
        while (length > 0 && text[length - 1] == '\r') text[--length] = '\0';
        if (length == 0) continue;
        char report[NORMALIZE_REPORT_CAPACITY];
        frame_kind kind = normalize_frame(&flow.normal, text, length, event, report);
        if (kind == FRAME_INVALID) {
            fprintf(stderr, "%s:%ld: %s\n", capture, line_number, report);
            invalid++;
            continue;
        }
        if (report[0] != '\0') fprintf(stderr, "%s:%ld: %s\n", capture, line_number, report);
        if (kind != FRAME_EVENT) continue;
        if (pipeline_apply(&flow, event) == PIPELINE_FAILED) {
            fprintf(stderr, "%s:%ld: %s\n", capture, line_number, flow.error);
            status = EXIT_FAILED;
        }
        events++;
    }
    if (next < 0) {
        fprintf(stderr, "ledgersim live convert: %s: cannot read: %s\n", capture, strerror(errno));
        status = EXIT_BAD_INPUT;
    }
    if (lines_open) line_reader_close(&lines);
    if (input != STDIN_FILENO) close(input);
    if (scenario_writer_close(&record) != 0 && status == EXIT_OK) {
        fprintf(stderr, "ledgersim live convert: stdout: %s\n", record.error);
        status = EXIT_FAILED;
    }
    fprintf(stderr, "ledgersim live convert: %ld lines, %ld events, %ld duplicates, %ld refused\n", line_number,
            events, flow.duplicates, invalid);
    char unapplied[NORMALIZE_REPORT_CAPACITY];
    if (normalizer_unapplied_summary(&flow.normal, unapplied, sizeof unapplied) > 0)
        fprintf(stderr, "ledgersim live convert: events not applied: %s\n", unapplied);
    pipeline_free(&flow);
    free(event);
    if (status == EXIT_OK && invalid > 0) status = EXIT_BAD_INPUT;
    return status;
}

int command_live(int argc, char **argv) {
    if (argc >= 2 && strcmp(argv[1], "convert") == 0) return command_live_convert(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "sign") == 0) return command_live_sign(argc - 1, argv + 1);
    live_options *options = malloc(sizeof *options);
    if (options == NULL) return EXIT_FAILED;
    live_options_defaults(options);
    bool rest_given = false, ws_given = false;
    int status = EXIT_OK;
    for (int index = 1; index < argc && status == EXIT_OK; index++) {
        const char *argument = argv[index];
        const char *value = index + 1 < argc ? argv[index + 1] : NULL;
        long number = 0;
        if (strcmp(argument, "--help") == 0 || strcmp(argument, "-h") == 0) {
            live_usage(stdout);
            free(options);
            return EXIT_OK;
        } else if (strcmp(argument, "--testnet") == 0) {
            if (!rest_given) snprintf(options->rest_url, sizeof options->rest_url, "https://testnet.binancefuture.com");
            if (!ws_given) snprintf(options->ws_url, sizeof options->ws_url, "wss://fstream.binancefuture.com");
        } else if (strcmp(argument, "--execute") == 0) {
            options->execute = true;
        } else if (strcmp(argument, "--quiet") == 0) {
            options->quiet = true;
        } else if (strcmp(argument, "--print-urls") == 0) {
            options->print_urls = true;
        } else if (value == NULL) {
            fprintf(stderr, "ledgersim live: unknown option or missing value: %s\n", argument);
            status = EXIT_BAD_INPUT;
        } else if (strcmp(argument, "--rest-url") == 0 && strlen(value) < sizeof options->rest_url) {
            snprintf(options->rest_url, sizeof options->rest_url, "%s", value);
            rest_given = true;
            index++;
        } else if (strcmp(argument, "--ws-url") == 0 && strlen(value) < sizeof options->ws_url) {
            snprintf(options->ws_url, sizeof options->ws_url, "%s", value);
            ws_given = true;
            index++;
        } else if (strcmp(argument, "--symbols") == 0) {
            if (!add_symbols(options, value)) {
                fprintf(stderr, "ledgersim live: --symbols: a bad symbol or too many\n");
                status = EXIT_BAD_INPUT;
            }
            index++;
        } else if (strcmp(argument, "--out") == 0) {
            options->out_directory = value;
            index++;
        } else if (strcmp(argument, "--record") == 0) {
            options->record_path = value;
            index++;
        } else if (strcmp(argument, "--key-file") == 0) {
            options->key_file = value;
            index++;
        } else if (strcmp(argument, "--set") == 0) {
            const char *key, *setting;
            if (options->config_count == LIVE_CONFIG_ROWS_MAX || !split_setting(argv[index + 1], &key, &setting)) {
                fprintf(stderr, "ledgersim live: --set KEY=VALUE expected\n");
                status = EXIT_BAD_INPUT;
            } else if (!apply_setting(&options->config, key, setting)) {
                status = EXIT_BAD_INPUT;
            } else {
                options->config_keys[options->config_count] = key;
                options->config_values[options->config_count++] = setting;
            }
            index++;
        } else if (strcmp(argument, "--duration-s") == 0 && parse_long(value, 1, 100L * 365 * 86400, &number)) {
            options->duration_s = (double)number;
            index++;
        } else if (strcmp(argument, "--keepalive-interval-s") == 0 && parse_long(value, 1, 3000, &number)) {
            options->keepalive_interval_s = number;
            index++;
        } else if (strcmp(argument, "--reconnect-initial-ms") == 0 && parse_long(value, 1, 600000, &number)) {
            options->reconnect_initial_ms = number;
            index++;
        } else if (strcmp(argument, "--reconnect-max-ms") == 0 && parse_long(value, 1, 3600000, &number)) {
            options->reconnect_max_ms = number;
            index++;
        } else if (strcmp(argument, "--recv-window-ms") == 0 && parse_long(value, 1, 60000, &number)) {
            options->recv_window_ms = number;
            index++;
        } else if (strcmp(argument, "--market-stall-ms") == 0 && parse_long(value, 100, 86400000, &number)) {
            options->market_stall_ms = number;
            index++;
        } else if (strcmp(argument, "--private-stall-ms") == 0 && parse_long(value, 100, 86400000, &number)) {
            options->private_stall_ms = number;
            index++;
        } else if (strcmp(argument, "--exit-alert-ms") == 0 && parse_long(value, 1, 86400000, &number)) {
            options->exit_alert_ms = number;
            index++;
        } else if (strcmp(argument, "--rest-timeout-ms") == 0 && parse_long(value, 100, 600000, &number)) {
            options->rest_timeout_ms = number;
            index++;
        } else {
            fprintf(stderr, "ledgersim live: unknown option or bad value: %s %s\n", argument, value);
            status = EXIT_BAD_INPUT;
        }
    }
    if (status == EXIT_OK && options->print_urls) {
        status = live_print_urls(options, stdout) ? EXIT_OK : EXIT_BAD_INPUT;
        free(options);
        return status;
    }
    if (status == EXIT_OK && (options->out_directory == NULL || options->record_path == NULL)) {
        fprintf(stderr, "ledgersim live: --out DIR and --record FILE.csv are required\n");
        live_usage(stderr);
        status = EXIT_BAD_INPUT;
    }
    if (status == EXIT_OK && rest_given != ws_given) {
        fprintf(stderr, "ledgersim live: give --rest-url and --ws-url together\n");
        status = EXIT_BAD_INPUT;
    }
    if (status == EXIT_OK && !rest_global_init()) {
        const char *reason = live_libraries_error();
        fprintf(stderr, "ledgersim live: %s\n", reason[0] != '\0' ? reason : "libcurl initialization failed");
        status = EXIT_FAILED;
    }
    if (status == EXIT_OK) status = live_session_run(options);
    free(options);
    return status;
}
