/* command_report.c -- `ledgersim report DIR`: the charts and index.html of
 * a run directory (reports/report.h does the work). */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/usage.h"
#include "reports/report.h"

/* Prints the usage of the report command on stream. */
static void report_usage(FILE *stream) {
    fprintf(stream,
            "usage: ledgersim report [--] DIR\n"
            "       ledgersim report --help\n\n"
            "Draws the charts of the run directory DIR (written by `ledgersim run --out DIR`)\n"
            "with gnuplot and writes DIR/reports/: index.html (one file, every chart inside\n"
            "it: open it in a browser or send it alone), the charts as PNG and SVG, the\n"
            "gnuplot scripts (*.gp) and their data files (*.dat).\n"
            "It reads DIR/logs/nav.csv, reconcile.jsonl, exits.jsonl, orders.jsonl,\n"
            "faults.jsonl, marks.csv and DIR/logs/state/*.json; any log may be missing\n"
            "(--trace none writes no reconcile.jsonl or marks.csv: the page says which\n"
            "charts need them and takes its counts from kpis_v7.json).\n"
            "marks.csv (optional), header named: ts, symbol, price; optional event_seq\n"
            "and the kernel's position after the mark: qty (signed, 0 flat), entry_price,\n"
            "tp, sl. Without it a symbol's price line is its exchange position's\n"
            "mark_price in reconcile.jsonl (only while a position is open).\n"
            "The same DIR gives byte-identical files. Earlier charts in DIR/reports are\n"
            "replaced.\n\n"
            "Page: KPIs, the positions ledger, the AUM donut (USDT for the futures NAV plus\n"
            "each off-exchange asset with a value; a negative NAV is a debt, not a slice),\n"
            "NAV and AUM over time with exits, drawdown, trades with their realized PnL,\n"
            "PnL per symbol, exposure and leverage, daily returns, reconcile deltas against\n"
            "their OK/WARN/ERROR bands with the status band, and per symbol the mark with\n"
            "entries, exits and TP/SL levels.\n\n"
            "The gnuplot templates are found in $LEDGERSIM_REPORT_TEMPLATES, else in\n"
            "reports/ beside the executable's bin/ folder, else in ./reports.\n\n"
            "Exit status: 0 written; 2 bad usage, DIR missing or not a run directory,\n"
            "gnuplot not on PATH, or the report could not be written.\n");
}

int command_report(int argc, char **argv) {
    const char *directory = NULL;
    bool options_done = false;
    for (int index = 1; index < argc; index++) {
        const char *argument = argv[index];
        if (!options_done && strcmp(argument, "--") == 0) {
            options_done = true;
            continue;
        }
        if (!options_done && (strcmp(argument, "--help") == 0 || strcmp(argument, "-h") == 0)) {
            report_usage(stdout);
            return EXIT_OK;
        }
        if (!options_done && argument[0] == '-' && argument[1] != '\0') {
            static const char *const options[] = {"--help"};
            usage_unknown_option("report", argument, options, 1);
            return usage_hint("report", "ledgersim report [--] DIR");
        }
        if (directory != NULL) {
            fprintf(stderr, "ledgersim report: one run directory only ('%s' and '%s')\n", directory, argument);
            return EXIT_BAD_INPUT;
        }
        directory = argument;
    }
    if (directory == NULL) {
        fprintf(stderr, "ledgersim report: no run directory given\n");
        return usage_hint("report", "ledgersim report [--] DIR");
    }
    char error[REPORT_ERROR_CAPACITY];
    int result = report_write(directory, error, sizeof error);
    if (result == REPORT_NO_GNUPLOT) {
        fprintf(stderr, "ledgersim report: gnuplot is not on PATH; install gnuplot (gnuplot-nox) to draw the report "
                        "of %s\n",
                directory);
        return EXIT_BAD_INPUT;
    }
    if (result != 0) {
        fprintf(stderr, "ledgersim report: %s\n", error);
        return EXIT_BAD_INPUT;
    }
    printf("%s/reports/index.html\n", directory);
    return EXIT_OK;
}
