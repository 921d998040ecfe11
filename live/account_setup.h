/* account_setup.h -- the margin setups ledgersim can keep a USDT ledger of,
 * read at start from the exchange's own answers (pure parsing).
 *
 *  - Multi-assets mode (GET /fapi/v1/multiAssetsMargin, {"multiAssetsMargin":
 *    true}): margin is shared across assets and PnL may settle in any of
 *    them, so a USDT-only ledger is wrong: refused, switch to single-asset
 *    mode. https://developers.binance.com/docs/derivatives/usds-margined-futures/account/rest-api/Get-Current-Multi-Assets-Mode
 *  - A BNFCR account (EEA credits mode: the account's margin and
 *    commissions are in the BNFCR asset, not USDT): the wallet this ledger
 *    reconciles holds nothing: refused, until it is supported.
 *    https://developers.binance.com/docs/derivatives/usds-margined-futures/account/rest-api/Account-Information-V2
 *  - Other assets with a balance (USDC, BNB, ...) are listed, once, as not
 *    in this ledger; positions margined in them are left out by the
 *    normalizer (normalize.h). */
#ifndef LEDGERSIM_LIVE_ACCOUNT_SETUP_H
#define LEDGERSIM_LIVE_ACCOUNT_SETUP_H

#include <stdbool.h>
#include <stddef.h>

enum { ACCOUNT_SETUP_MESSAGE_CAPACITY = 512 };

typedef enum {
    ACCOUNT_SETUP_OK = 0,
    ACCOUNT_SETUP_REFUSED,     /* message says why and what to switch */
    ACCOUNT_SETUP_MALFORMED    /* message names what could not be read */
} account_setup_verdict;

/* Reads GET /fapi/v1/multiAssetsMargin. */
account_setup_verdict account_setup_multi_assets(const char *json, char message[ACCOUNT_SETUP_MESSAGE_CAPACITY]);

/* Reads the assets of GET /fapi/v2/account: refused with a BNFCR balance;
 * OK otherwise, with message listing the other assets that hold a wallet
 * balance ("" when none). */
account_setup_verdict account_setup_assets(const char *json, char message[ACCOUNT_SETUP_MESSAGE_CAPACITY]);

#endif
