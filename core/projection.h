/* projection.h -- the account projection of seed 001, exactly.
 *
 * Two parts, as in the seed:
 *  - AccountProjectionV2, the dual ledger: a K block the kernel computes from
 *    the fact stream, an E block the exchange reports, one snapshot per
 *    exchange event, and the reconcile classifier R1..R5;
 *  - the published capital of the V1 AccountProjection: anchored to the
 *    exchange wallet, bridged by settle() between anchors.
 * Every number goes through the seed's _safe(): non-finite becomes 0. The
 * classifier's deltas, worst field and explanation strings are the seed's, to
 * the character. */
#ifndef LEDGERSIM_CORE_PROJECTION_H
#define LEDGERSIM_CORE_PROJECTION_H

#include <stdbool.h>
#include <stddef.h>

#include "core/book.h"
#include "core/config.h"
#include "core/limits.h"
#include "core/rules.h"

typedef enum { RECONCILE_OK = 0, RECONCILE_WARN = 1, RECONCILE_ERROR = 2 } reconcile_status;

typedef struct {
    double capital;          /* seed + realized - fees - funding, clamped */
    double realized_pnl;
    double unrealized_pnl;
    double fees_paid;
    double funding_paid;
    double open_notional;
    double equity;
    double used_margin;
    double available_margin;
    int open_positions;
    double peak_capital;
    double transfers;        /* format 1.1: sum of transfer amounts (in the capital) */
    bool has_transfers;      /* a transfer was applied: only then is `transfers` written, so a
                                version 1 file's outputs stay byte for byte what they were */
} k_block;

/* EPosition: one open position as the exchange reports it. */
typedef struct {
    char symbol[SYMBOL_CAPACITY];
    double qty;              /* signed */
    double entry_price;
    double mark_price;
    double unrealized_pnl;
    double leverage;
    const char *side;        /* "LONG" or "SHORT" (static text) */
} exchange_position;

/* EBlock without its positions: those are the projection's current list. */
typedef struct {
    double wallet_balance;
    double available_margin;
    double used_margin;
    double maint_margin;
    double last_fill_price;
    double last_fill_qty;
    double last_fill_fee;
    double last_fill_realized_pnl;
    double last_funding;
} e_block;

enum { RECONCILE_DELTAS_MAX = RULE_COUNT }; /* one delta per rule at most */

typedef struct {
    reconcile_status status;
    const char *worst_field;                    /* static text (a rule's field); "" when OK */
    size_t delta_count;
    const char *delta_names[RECONCILE_DELTAS_MAX];  /* rules' fields, in the seed's insertion order */
    double delta_values[RECONCILE_DELTAS_MAX];
    size_t explanation_count;
    char explanations[EXPLANATIONS_MAX][EXPLANATION_CAPACITY];
    /* Per rule: not evaluated, or its worst severity in this snapshot (what
     * kpis_v7.json's reconcile.rules counts; see core/rules.h). */
    unsigned char outcomes[RULE_COUNT];         /* rule_outcome values */
} reconcile_result;

/* What the v2 rules read besides the K and E blocks, for one snapshot. The
 * projection keeps it up to date from the facts the kernel hands it; the
 * seed's rules never read it. */
typedef struct {
    double book_realized_pnl;      /* K's own realized PnL, folded by its book from reducing fills */
    bool has_fills;                /* a fill was applied in this run */
    bool has_valid_wallet;
    double last_valid_wallet;      /* the last E wallet > 0 and finite */
    bool invalid_wallet_frame;     /* this event delivered a wallet <= 0 or non-finite */
    bool positions_reported;       /* E sent a position report in this run (this event included) */
    bool registry_synced;          /* this event ran a ledger sync (the only way an orphan goes) */
    size_t orphans_removed;        /* registry entries without a position this event's sync removed */
    char orphan_symbol[SYMBOL_CAPACITY]; /* the first of them ("" when none) */
} reconcile_extras;

/* Everything the classifier reads for one snapshot: classifying the same
 * facts under other thresholds (or the other rule set) needs no kernel run.
 * Pointers are borrowed: valid until the kernel's next event. */
typedef struct {
    const k_block *k;
    const e_block *e;
    const exchange_position *positions; /* E's list, sorted by symbol */
    size_t position_count;
    const position_book *book;          /* K's positions (v2 R3); may be NULL: no K position */
    reconcile_extras extras;
} reconcile_facts;

typedef struct {
    long event_seq;
    char source_event_id[EVENT_ID_CAPACITY];
    double ts;
    k_block k;
    e_block e;
    reconcile_result reconcile;
} account_snapshot;

typedef enum { CAPITAL_SOURCE_SEED, CAPITAL_SOURCE_E_ANCHORED, CAPITAL_SOURCE_K_BRIDGED } capital_source;

/* The V1 AccountSnapshot fields that are published. */
typedef struct {
    double capital;
    double equity;
    double realized_pnl;
    double unrealized_pnl;
    double fees_paid;
    double peak_capital;
    double open_notional;
    int open_positions;
    capital_source source;
    double e_wallet_balance;
    long event_seq;
} published_capital;

typedef struct {
    kernel_config config;               /* copied at init */
    double seed;
    double k_realized;
    double k_fees;
    double k_funding;
    double k_transfers;                 /* format 1.1: sum of transfer amounts */
    bool has_transfers;                 /* a transfer row was applied (see k_block) */
    double peak_capital;
    e_block e;                          /* latest E-facts */
    exchange_position positions[SYMBOLS_MAX]; /* latest exchange positions, sorted */
    size_t position_count;
    long event_seq;
    account_snapshot snapshot;          /* the latest one */
    published_capital published;
    reconcile_extras pending;           /* v2 inputs gathered for the next snapshot */
    reconcile_extras extras;            /* those the latest snapshot was classified with */
} account_projection;

/* Starts a projection at the configured seed capital, with the seed's
 * initial snapshot (event_seq 0, ts 0: no wall clock). */
void projection_init(account_projection *projection, const kernel_config *config);

/* apply_fill of V2, and settle(realized_pnl, fee) of V1. */
void projection_apply_fill(account_projection *projection, double fill_price, double fill_qty,
                           double fee, double realized_pnl);

/* apply_funding of V2, and settle(-amount) of V1. */
void projection_apply_funding(account_projection *projection, double amount);

/* Format 1.1's transfer: money into (amount > 0) or out of the futures
 * wallet that is not trading. K's capital gains it (the seed has no such
 * term); the V1 published capital does not move (its next wallet frame
 * re-anchors it). A non-finite amount counts as 0 (_safe). */
void projection_apply_transfer(account_projection *projection, double amount);

/* apply_balance_update of V2, and anchor_to_exchange of V1 (which ignores a
 * zero or non-finite wallet) with the seq of the snapshot this event builds. */
void projection_apply_balance(account_projection *projection, double wallet_balance,
                              double available_margin, double used_margin, double maint_margin);

/* apply_position_update: replaces the exchange position list (copied;
 * count <= SYMBOLS_MAX, sorted by symbol). */
void projection_apply_positions(account_projection *projection, const exchange_position *positions,
                                size_t count);

/* v2 R2's input: the realized PnL the kernel's own book computed for one
 * fill (book_fill_realized; non-finite counts as 0, as _safe does). */
void projection_observe_book_fill(account_projection *projection, double realized_pnl);

/* v2 R3's input: the event carried an exchange position report. */
void projection_note_position_report(account_projection *projection);

/* v2 R6's input: the event's ledger sync ran and removed orphan_count
 * registry entries that had no position at the sync before (first_orphan:
 * the first of them, borrowed; may be NULL when orphan_count is 0). */
void projection_note_registry_sync(account_projection *projection, size_t orphan_count, const char *first_orphan);

/* build_snapshot: event_seq + 1, the K block from the kernel's book (the
 * seed's slot scan), the E block, the classifier. Also runs V1's
 * observe_slots. Returns the new snapshot (owned by the projection). */
const account_snapshot *projection_build_snapshot(account_projection *projection,
                                                  const char *source_event_id, double ts,
                                                  const position_book *book);

/* k_capital: seed (+ transfers, format 1.1) + realized - fees - funding,
 * clamped to [min, max]. */
double projection_k_capital(const account_projection *projection);

/* The facts the latest snapshot was classified with (book: the one given
 * to projection_build_snapshot; borrowed pointers, see reconcile_facts). */
void projection_facts(const account_projection *projection, const position_book *book, reconcile_facts *facts);

/* The classifier alone: the rule set of config (seed: R1..R5 of the seed's
 * _classify, to the character; v2: see the README) over facts, into result.
 * Pure: the same facts and config always give the same result. */
void projection_classify(const reconcile_facts *facts, const reconcile_config *config, reconcile_result *result);

/* The seed's _safe(): the value when finite, else the default. */
double projection_safe(double value, double fallback);

const char *reconcile_status_name(reconcile_status status);
const char *capital_source_name(capital_source source);

#endif
