/* limits.h -- every bound the core enforces, in one place.
 *
 * The core streams: its memory is fixed by these numbers, not by the length of
 * the input. Each limit is enforced with a clear error where input crosses it
 * (see the README, "Limits"). */
#ifndef LEDGERSIM_CORE_LIMITS_H
#define LEDGERSIM_CORE_LIMITS_H

enum {
    SYMBOL_CAPACITY = 32,        /* bytes, NUL included: symbols are <= 31 bytes */
    EVENT_ID_CAPACITY = 64,      /* bytes, NUL included: event ids are <= 63 bytes */
    SYMBOLS_MAX = 256,           /* distinct symbols (kernel book, exchange, registry) */
    EVENT_ROWS_MAX = 512,        /* rows in one grouped exchange event */
    DEDUP_WINDOW_IDS = 65536,    /* most recent distinct event ids remembered */
    ATR_PERIOD_MAX = 1000,       /* bars in the ATR window */
    HOLDINGS_MAX = 64,           /* off-exchange assets */
    EXPLANATIONS_MAX = 8,        /* one per rule at most (seed R1..R5; v2: two for R1 and R3, one each R2, R4-R6) */
    /* bytes of one explanation string: the longest label (41) plus "%.4f"
     * of the largest double (314 characters), as the seed prints it whole */
    EXPLANATION_CAPACITY = 384,
    NAV_DAYS_MAX = 100000        /* UTC days kept for the Sharpe ratio */
};

#if defined(__GNUC__) || defined(__clang__)
#define WARN_UNUSED_RESULT __attribute__((warn_unused_result))
#else
#define WARN_UNUSED_RESULT
#endif

#endif
