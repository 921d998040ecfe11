/* account_setup.c -- see account_setup.h. */
#include "live/account_setup.h"

#include <assert.h>
#include <cJSON.h>
#include <stdio.h>
#include <string.h>

#include "core/number.h"

account_setup_verdict account_setup_multi_assets(const char *json, char message[ACCOUNT_SETUP_MESSAGE_CAPACITY]) {
    message[0] = '\0';
    cJSON *root = cJSON_Parse(json);
    const cJSON *mode = cJSON_GetObjectItemCaseSensitive(root, "multiAssetsMargin");
    account_setup_verdict verdict = ACCOUNT_SETUP_OK;
    if (!cJSON_IsBool(mode)) {
        snprintf(message, ACCOUNT_SETUP_MESSAGE_CAPACITY, "GET /fapi/v1/multiAssetsMargin: no multiAssetsMargin in "
                 "the answer");
        verdict = ACCOUNT_SETUP_MALFORMED;
    } else if (cJSON_IsTrue(mode)) {
        snprintf(message, ACCOUNT_SETUP_MESSAGE_CAPACITY,
                 "refused: the account is in multi-assets mode (multiAssetsMargin true): margin and PnL are shared "
                 "across assets and ledgersim keeps a USDT ledger only. Switch to single-asset mode (POST "
                 "/fapi/v1/multiAssetsMargin multiAssetsMargin=false, or Preferences > Asset Mode in the app) and "
                 "start again");
        verdict = ACCOUNT_SETUP_REFUSED;
    }
    cJSON_Delete(root);
    return verdict;
}

/* The wallet balance of an asset entry; false when unreadable. */
static bool wallet_of(const cJSON *entry, double *wallet) {
    const cJSON *balance = cJSON_GetObjectItemCaseSensitive(entry, "walletBalance");
    return cJSON_IsString(balance) && number_parse(balance->valuestring, strlen(balance->valuestring), wallet);
}

account_setup_verdict account_setup_assets(const char *json, char message[ACCOUNT_SETUP_MESSAGE_CAPACITY]) {
    message[0] = '\0';
    cJSON *root = cJSON_Parse(json);
    const cJSON *assets = cJSON_GetObjectItemCaseSensitive(root, "assets");
    if (!cJSON_IsArray(assets)) {
        cJSON_Delete(root);
        snprintf(message, ACCOUNT_SETUP_MESSAGE_CAPACITY, "GET /fapi/v2/account: no assets array in the answer");
        return ACCOUNT_SETUP_MALFORMED;
    }
    account_setup_verdict verdict = ACCOUNT_SETUP_OK;
    size_t used = 0;
    const cJSON *entry = NULL;
    cJSON_ArrayForEach(entry, assets) {
        const cJSON *asset = cJSON_GetObjectItemCaseSensitive(entry, "asset");
        double wallet = 0;
        if (!cJSON_IsString(asset) || !wallet_of(entry, &wallet) || wallet == 0) continue;
        if (strcmp(asset->valuestring, "BNFCR") == 0) {
            snprintf(message, ACCOUNT_SETUP_MESSAGE_CAPACITY,
                     "refused: the account holds BNFCR (EEA credits mode): its margin, PnL and commissions are in "
                     "BNFCR, not USDT, so the USDT wallet this ledger reconciles is empty. Not supported yet: use an "
                     "account in USDT single-asset mode");
            verdict = ACCOUNT_SETUP_REFUSED;
            break;
        }
        if (strcmp(asset->valuestring, "USDT") == 0) continue;
        int written = snprintf(message + used, ACCOUNT_SETUP_MESSAGE_CAPACITY - used, "%s%.20s %.24s",
                               used == 0 ? "assets not in this USDT ledger: " : ", ", asset->valuestring,
                               cJSON_GetObjectItemCaseSensitive(entry, "walletBalance")->valuestring);
        if (written < 0 || (size_t)written >= ACCOUNT_SETUP_MESSAGE_CAPACITY - used) break;
        used += (size_t)written;
    }
    cJSON_Delete(root);
    assert(strlen(message) < ACCOUNT_SETUP_MESSAGE_CAPACITY);
    return verdict;
}
