/* nav.h -- futures NAV and AUM with off-exchange holdings (seed 000).
 *
 * nav_total stays the pure futures NAV: the last valid (> 0, finite) wallet
 * balance plus the exchange positions' unrealized PnL, or the kernel's equity
 * before any valid balance. AUM adds off-exchange holdings valued at the
 * kernel's mark of ASSET+USDT; an asset without a mark has a null value and
 * adds nothing. No reserves, no treasury. */
#ifndef LEDGERSIM_CORE_NAV_H
#define LEDGERSIM_CORE_NAV_H

#include <stdbool.h>
#include <stddef.h>

#include "core/limits.h"

typedef struct {
    char asset[SYMBOL_CAPACITY];
    double qty;
    bool has_avg_cost;
    double avg_cost;
} holding;

typedef struct {
    holding items[HOLDINGS_MAX];   /* sorted by asset */
    size_t count;
} holdings_book;

typedef struct {
    char asset[SYMBOL_CAPACITY];
    double qty;
    bool has_usd_value;
    double usd_value;
    bool has_avg_cost;
    double avg_cost;
} aum_asset;

typedef struct {
    double nav_total;              /* futures NAV */
    double futures;                /* = nav_total */
    aum_asset assets[HOLDINGS_MAX];
    size_t asset_count;
    double total;                  /* futures + valued assets */
} aum_view;

void holdings_init(holdings_book *holdings);
/* Adds or replaces the holding of item->asset. False when the book is full. */
bool holdings_set(holdings_book *holdings, const holding *item) WARN_UNUSED_RESULT;

/* The futures NAV from its inputs (see the header comment). */
double nav_futures(bool has_valid_wallet, double last_valid_wallet, double exchange_unrealized_pnl,
                   double kernel_equity);

/* Values holdings at mark(ASSET+USDT) and fills view. lookup returns false
 * when there is no finite mark. */
typedef bool (*nav_mark_lookup)(const void *context, const char *symbol, double *mark);
void nav_compute_aum(double nav_total, const holdings_book *holdings, nav_mark_lookup lookup,
                     const void *context, aum_view *view);

#endif
