/* config_file.c -- see config_file.h. */
#include "io/config_file.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/number.h"
#include "io/json_file.h"

enum { CONFIG_FILE_KEYS_MAX = 256, CONFIG_KEY_CAPACITY = 128 };

/* The keys a --config file has given so far (flat or nested alike). */
typedef struct {
    char keys[CONFIG_FILE_KEYS_MAX][CONFIG_KEY_CAPACITY];
    size_t count;
} seen_keys;

/* False when key was given before (the one duplicate-key rule: a key given
 * twice in one source is an error); else remembers it. */
static bool first_time(seen_keys *seen, const char *key) {
    for (size_t index = 0; index < seen->count; index++)
        if (strcmp(seen->keys[index], key) == 0) return false;
    if (seen->count < CONFIG_FILE_KEYS_MAX) snprintf(seen->keys[seen->count++], CONFIG_KEY_CAPACITY, "%s", key);
    return true;
}

/* Applies the members of object under prefix ("" or "reconcile."). */
static bool apply_members(const char *path, const cJSON *object, const char *prefix, kernel_config *config,
                          char *error, size_t error_capacity, int depth, seen_keys *seen) {
    for (const cJSON *item = object->child; item != NULL; item = item->next) {
        char key[CONFIG_KEY_CAPACITY];
        if (snprintf(key, sizeof key, "%s%s", prefix, item->string) >= (int)sizeof key) {
            snprintf(error, error_capacity, "%s: key '%.60s...' is too long", path, item->string);
            return false;
        }
        if (cJSON_IsObject(item) && depth < 4) {
            char nested[sizeof key + 1];
            snprintf(nested, sizeof nested, "%s.", key);
            if (!apply_members(path, item, nested, config, error, error_capacity, depth + 1, seen)) return false;
            continue;
        }
        if (!first_time(seen, key)) {
            snprintf(error, error_capacity, "%s: config key '%s' is given twice", path, key);
            return false;
        }
        char value[NUMBER_TEXT_CAPACITY + 64];
        if (cJSON_IsNumber(item))
            number_format(item->valuedouble, value);
        else if (cJSON_IsString(item))
            snprintf(value, sizeof value, "%s", item->valuestring);
        else if (cJSON_IsNull(item))
            snprintf(value, sizeof value, "none");
        else {
            snprintf(error, error_capacity, "%s: %s: expected a number or a string", path, key);
            return false;
        }
        char reason[CONFIG_REASON_CAPACITY];
        config_set_result result = config_set(config, key, value, reason, sizeof reason);
        if (result == CONFIG_SET_UNKNOWN_KEY || result == CONFIG_SET_BAD_VALUE) {
            snprintf(error, error_capacity, "%s: %s", path, reason);
            return false;
        }
        (void)config_lock(config, key);
    }
    return true;
}

bool config_file_apply(const char *path, kernel_config *config, char *error, size_t error_capacity) {
    cJSON *root = NULL;
    if (!json_file_load_object(path, &root, "a JSON object of config keys", error, error_capacity)) return false;
    seen_keys *seen = calloc(1, sizeof *seen);
    bool applied = seen != NULL && apply_members(path, root, "", config, error, error_capacity, 0, seen);
    if (seen == NULL) snprintf(error, error_capacity, "%s: out of memory", path);
    free(seen);
    cJSON_Delete(root);
    return applied;
}

bool config_build(kernel_config *config, const char *const *settings, int setting_count, const char *config_path,
                  char *error, size_t error_capacity) {
    config_defaults(config);
    for (int index = 0; index < setting_count; index++) {
        char key[128];
        const char *setting = settings[index];
        const char *equals = strchr(setting, '=');
        if (equals == NULL || equals == setting || (size_t)(equals - setting) >= sizeof key) {
            snprintf(error, error_capacity, "--set %s: expected KEY=VALUE", setting);
            return false;
        }
        memcpy(key, setting, (size_t)(equals - setting));
        key[equals - setting] = '\0';
        for (int earlier = 0; earlier < index; earlier++) {
            size_t length = (size_t)(equals - setting);
            if (strncmp(settings[earlier], key, length) == 0 && settings[earlier][length] == '=') {
                snprintf(error, error_capacity, "--set %s: the key %s is given twice", setting, key);
                return false;
            }
        }
        char reason[CONFIG_REASON_CAPACITY];
        config_set_result result = config_set(config, key, equals + 1, reason, sizeof reason);
        if (result == CONFIG_SET_UNKNOWN_KEY || result == CONFIG_SET_BAD_VALUE) {
            snprintf(error, error_capacity, "--set %s: %s", setting, reason);
            return false;
        }
        (void)config_lock(config, key);
    }
    return config_path == NULL || config_file_apply(config_path, config, error, error_capacity);
}
