/* nav.c -- see nav.h. */
#include "core/nav.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

void holdings_init(holdings_book *holdings) { holdings->count = 0; }

bool holdings_set(holdings_book *holdings, const holding *item) {
    size_t index = 0;
    while (index < holdings->count && strcmp(holdings->items[index].asset, item->asset) < 0) index++;
    if (index < holdings->count && strcmp(holdings->items[index].asset, item->asset) == 0) {
        holdings->items[index] = *item;
        return true;
    }
    if (holdings->count == HOLDINGS_MAX) return false;
    memmove(&holdings->items[index + 1], &holdings->items[index],
            (holdings->count - index) * sizeof holdings->items[0]);
    holdings->items[index] = *item;
    holdings->count++;
    return true;
}

double nav_futures(bool has_valid_wallet, double last_valid_wallet, double exchange_unrealized_pnl,
                   double kernel_equity) {
    if (!has_valid_wallet) return kernel_equity;
    assert(last_valid_wallet > 0 && isfinite(last_valid_wallet));
    return last_valid_wallet + exchange_unrealized_pnl;
}

void nav_compute_aum(double nav_total, const holdings_book *holdings, nav_mark_lookup lookup,
                     const void *context, aum_view *view) {
    view->nav_total = nav_total;
    view->futures = nav_total;
    view->total = nav_total;
    view->asset_count = holdings->count;
    for (size_t index = 0; index < holdings->count; index++) {
        const holding *item = &holdings->items[index];
        aum_asset *asset = &view->assets[index];
        memcpy(asset->asset, item->asset, sizeof asset->asset); /* both SYMBOL_CAPACITY */
        asset->qty = item->qty;
        asset->has_avg_cost = item->has_avg_cost;
        asset->avg_cost = item->avg_cost;
        char symbol[SYMBOL_CAPACITY + 4]; /* ASSET + "USDT" */
        size_t asset_length = strlen(item->asset);
        memcpy(symbol, item->asset, asset_length);
        memcpy(symbol + asset_length, "USDT", 5);
        double mark;
        asset->has_usd_value = lookup(context, symbol, &mark) && isfinite(mark);
        asset->usd_value = asset->has_usd_value ? item->qty * mark : 0.0;
        if (asset->has_usd_value) view->total += asset->usd_value;
    }
}
