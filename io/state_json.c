/* state_json.c -- see state_json.h. */
#include "io/state_json.h"

#include <cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/number.h"
#include "io/atomic_file.h"
#include "io/buffer.h"
#include "io/json_file.h"

enum {
    EXCERPT_CAPACITY = 48,  /* bytes of user text quoted in one message */
    WHERE_CAPACITY = 128,   /* bytes of "positions[3] (BTCUSDT)" */
};

/* Where a message points: the file and the entry within it. */
typedef struct {
    const char *name;
    char where[WHERE_CAPACITY];   /* empty for the whole document */
    char *error;
    size_t error_capacity;
} parse_context;

/* Copies text into out with control bytes replaced by '?', cut to fit. */
static void sanitize(const char *text, char *out, size_t out_capacity) {
    size_t length = 0;
    for (; text[length] != '\0' && length + 1 < out_capacity; length++) {
        unsigned char byte = (unsigned char)text[length];
        out[length] = byte < 0x20 || byte == 0x7f ? '?' : (char)byte;
    }
    out[length] = '\0';
    if (text[length] != '\0' && out_capacity > 4) memcpy(out + out_capacity - 4, "...", 4);
}

/* Writes "NAME: WHERE: message" into context->error; always returns false so
 * that callers can `return fail(...)`. */
static bool fail(parse_context *context, const char *format, ...) __attribute__((format(printf, 2, 3)));
static bool fail(parse_context *context, const char *format, ...) {
    char message[STATE_JSON_ERROR_CAPACITY];
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(message, sizeof message, format, arguments);
    va_end(arguments);
    if (context->where[0] != '\0')
        snprintf(context->error, context->error_capacity, "%s: %s: %s", context->name, context->where, message);
    else
        snprintf(context->error, context->error_capacity, "%s: %s", context->name, message);
    return false;
}

/* Describes a JSON value for a message ("the string \"abc\"", "true", "a list"). */
static void describe(const cJSON *item, char *out, size_t out_capacity) {
    char excerpt[EXCERPT_CAPACITY];
    if (item == NULL) {
        snprintf(out, out_capacity, "nothing");
    } else if (cJSON_IsString(item)) {
        sanitize(item->valuestring, excerpt, sizeof excerpt);
        snprintf(out, out_capacity, "the string \"%s\"", excerpt);
    } else if (cJSON_IsNumber(item)) {
        char number[NUMBER_TEXT_CAPACITY];
        if (isfinite(item->valuedouble)) {
            number_format(item->valuedouble, number);
            snprintf(out, out_capacity, "the number %s", number);
        } else {
            snprintf(out, out_capacity, "a number too large for a double");
        }
    } else if (cJSON_IsBool(item)) {
        snprintf(out, out_capacity, "%s", cJSON_IsTrue(item) ? "true" : "false");
    } else if (cJSON_IsNull(item)) {
        snprintf(out, out_capacity, "null");
    } else if (cJSON_IsArray(item)) {
        snprintf(out, out_capacity, "a list");
    } else {
        snprintf(out, out_capacity, "an object");
    }
}

/* Fails with "FIELD: expected EXPECTED, got DESCRIPTION". */
static bool fail_type(parse_context *context, const char *field, const char *expected, const cJSON *item) {
    char description[EXCERPT_CAPACITY + 32];
    describe(item, description, sizeof description);
    if (field != NULL) return fail(context, "%s: expected %s, got %s", field, expected, description);
    return fail(context, "expected %s, got %s", expected, description);
}

/* True for a usable symbol: 1..SYMBOL_CAPACITY-1 bytes, no spaces or
 * control bytes (UTF-8 letters are fine: some venues list such symbols). */
static bool symbol_valid(const char *text) {
    size_t length = strlen(text);
    if (length == 0 || length >= SYMBOL_CAPACITY) return false;
    for (size_t index = 0; index < length; index++) {
        unsigned char byte = (unsigned char)text[index];
        if (byte <= 0x20 || byte == 0x7f) return false;
    }
    return true;
}

/* How many members of object are named name (duplicates are an error). */
static size_t member_count(const cJSON *object, const char *name) {
    size_t count = 0;
    for (const cJSON *member = object->child; member != NULL; member = member->next)
        count += member->string != NULL && strcmp(member->string, name) == 0;
    return count;
}

typedef enum { VALUE_ABSENT, VALUE_PRESENT, VALUE_INVALID } value_state;

/* A JSON number or a numeric string (number_parse); null or no item is absent. */
static value_state read_number(const cJSON *item, double *value) {
    if (item == NULL || cJSON_IsNull(item)) return VALUE_ABSENT;
    if (cJSON_IsNumber(item)) {
        if (!isfinite(item->valuedouble)) return VALUE_INVALID;
        *value = item->valuedouble;
        return VALUE_PRESENT;
    }
    if (cJSON_IsString(item) && number_parse(item->valuestring, strlen(item->valuestring), value))
        return VALUE_PRESENT;
    return VALUE_INVALID;
}

/* Reads a numeric field known under several names (aliases, NULL-ended).
 * *present tells whether any was given. Fails on a bad value, a duplicate
 * member, or two aliases that disagree. */
static bool read_number_field(parse_context *context, const cJSON *object, const char *const *names, double *value,
                              bool *present) {
    const char *used = NULL;
    *present = false;
    for (size_t index = 0; names[index] != NULL; index++) {
        const char *name = names[index];
        if (member_count(object, name) > 1) return fail(context, "%s: given more than once", name);
        const cJSON *item = cJSON_GetObjectItemCaseSensitive(object, name);
        double candidate = 0;
        value_state state = read_number(item, &candidate);
        if (state == VALUE_ABSENT) continue;
        if (state == VALUE_INVALID) return fail_type(context, name, "a number or a numeric string", item);
        if (*present && candidate != *value) {
            char first[NUMBER_TEXT_CAPACITY], second[NUMBER_TEXT_CAPACITY];
            number_format(*value, first);
            number_format(candidate, second);
            return fail(context, "%s (%s) and %s (%s) disagree", used, first, name, second);
        }
        if (!*present) {
            *value = candidate;
            used = name;
            *present = true;
        }
    }
    return true;
}

/* An optional timestamp: epoch seconds as a number or text, or ISO-8601 UTC
 * text; NaN when absent. */
static bool read_timestamp_field(parse_context *context, const cJSON *object, const char *name, double *value) {
    *value = NAN;
    if (member_count(object, name) > 1) return fail(context, "%s: given more than once", name);
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(object, name);
    if (item == NULL || cJSON_IsNull(item)) return true;
    if (cJSON_IsNumber(item) && isfinite(item->valuedouble) && item->valuedouble >= 0) {
        *value = item->valuedouble;
        return true;
    }
    if (cJSON_IsString(item) && number_parse_timestamp(item->valuestring, strlen(item->valuestring), value))
        return true;
    return fail_type(context, name, "epoch seconds >= 0 or an ISO-8601 UTC time", item);
}

/* Side text: +1 LONG/BUY, -1 SHORT/SELL, 0 BOTH (no side); false if unknown. */
static bool parse_side_text(const char *text, int *side) {
    if (strcasecmp(text, "LONG") == 0 || strcasecmp(text, "BUY") == 0) *side = 1;
    else if (strcasecmp(text, "SHORT") == 0 || strcasecmp(text, "SELL") == 0) *side = -1;
    else if (strcasecmp(text, "BOTH") == 0) *side = 0;
    else return false;
    return true;
}

static const char *const side_names[] = {"side", "position_side", "positionSide", NULL};
static const char *const quantity_names[] = {"qty", "positionAmt", NULL};
static const char *const entry_price_names[] = {"entry_price", "avg_entry_price", "entryPrice", NULL};

/* Reads the side aliases into *side (+1, -1, or 0 when none gives one). */
static bool read_side_field(parse_context *context, const cJSON *object, int *side) {
    const char *used = NULL;
    *side = 0;
    for (size_t index = 0; side_names[index] != NULL; index++) {
        const char *name = side_names[index];
        if (member_count(object, name) > 1) return fail(context, "%s: given more than once", name);
        const cJSON *item = cJSON_GetObjectItemCaseSensitive(object, name);
        if (item == NULL || cJSON_IsNull(item)) continue;
        if (!cJSON_IsString(item)) return fail_type(context, name, "LONG, SHORT, BUY or SELL", item);
        int candidate;
        if (!parse_side_text(item->valuestring, &candidate)) {
            char excerpt[EXCERPT_CAPACITY];
            sanitize(item->valuestring, excerpt, sizeof excerpt);
            return fail(context, "%s: unknown side \"%s\" (expected LONG, SHORT, BUY or SELL)", name, excerpt);
        }
        if (candidate == 0) continue;
        if (*side != 0 && candidate != *side)
            return fail(context, "%s and %s disagree (%s vs %s)", used, name, *side > 0 ? "LONG" : "SHORT",
                        candidate > 0 ? "LONG" : "SHORT");
        if (*side == 0) {
            *side = candidate;
            used = name;
        }
    }
    return true;
}

/* Reads the "symbol" member into symbol; key (the member name when keyed by
 * symbol, else NULL) supplies it or must match it. */
static bool read_symbol(parse_context *context, const cJSON *object, const char *key, char symbol[SYMBOL_CAPACITY]) {
    char excerpt[EXCERPT_CAPACITY];
    if (key != NULL) {
        if (!symbol_valid(key)) {
            sanitize(key, excerpt, sizeof excerpt);
            return fail(context, "key \"%s\" is not a symbol (1 to %d bytes, no spaces)", excerpt,
                        SYMBOL_CAPACITY - 1);
        }
        snprintf(symbol, SYMBOL_CAPACITY, "%s", key);
    }
    if (member_count(object, "symbol") > 1) return fail(context, "symbol: given more than once");
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(object, "symbol");
    if (item == NULL || cJSON_IsNull(item)) {
        if (key == NULL) return fail(context, "no symbol");
        return true;
    }
    if (!cJSON_IsString(item)) return fail_type(context, "symbol", "a string", item);
    if (!symbol_valid(item->valuestring)) {
        sanitize(item->valuestring, excerpt, sizeof excerpt);
        return fail(context, "symbol \"%s\" is not a symbol (1 to %d bytes, no spaces)", excerpt,
                    SYMBOL_CAPACITY - 1);
    }
    if (key != NULL && strcmp(key, item->valuestring) != 0) {
        sanitize(item->valuestring, excerpt, sizeof excerpt);
        return fail(context, "symbol \"%s\" differs from its key", excerpt);
    }
    snprintf(symbol, SYMBOL_CAPACITY, "%s", item->valuestring);
    return true;
}

/* Names the entry for messages: "positions[2] (BTCUSDT)", "BTCUSDT". */
static void set_where(parse_context *context, const char *container, const char *key, size_t index,
                      const char *symbol) {
    char excerpt[EXCERPT_CAPACITY];
    if (key != NULL) {
        sanitize(key, excerpt, sizeof excerpt);
        if (container[0] != '\0')
            snprintf(context->where, sizeof context->where, "%s.%s", container, excerpt);
        else
            snprintf(context->where, sizeof context->where, "%s", excerpt);
    } else if (symbol != NULL && symbol[0] != '\0') {
        snprintf(context->where, sizeof context->where, "%s[%zu] (%s)", container, index, symbol);
    } else {
        snprintf(context->where, sizeof context->where, "%s[%zu]", container, index);
    }
}

/* Reads one position object. *open is false for a flat entry (qty 0). */
static bool parse_position(parse_context *context, const cJSON *item, const char *container, const char *key,
                           size_t index, position_view *view, bool *open) {
    *open = false;
    memset(view, 0, sizeof *view);
    if (!cJSON_IsObject(item)) return fail_type(context, NULL, "an object (one position)", item);
    if (!read_symbol(context, item, key, view->symbol)) return false;
    set_where(context, container, key, index, view->symbol);
    int side;
    double quantity = 0, entry_price = 0;
    bool has_quantity, has_entry_price;
    if (!read_side_field(context, item, &side) ||
        !read_number_field(context, item, quantity_names, &quantity, &has_quantity) ||
        !read_number_field(context, item, entry_price_names, &entry_price, &has_entry_price) ||
        !read_timestamp_field(context, item, "created_ts", &view->created_ts) ||
        !read_timestamp_field(context, item, "updated_ts", &view->updated_ts))
        return false;
    if (!has_quantity) return fail(context, "no qty (or positionAmt)");
    if (quantity == 0) return true;
    if (side == 0) side = quantity > 0 ? 1 : -1;
    if (side > 0 && quantity < 0) {
        char text[NUMBER_TEXT_CAPACITY];
        number_format(quantity, text);
        return fail(context, "qty %s is negative but the side is LONG", text);
    }
    view->side = side > 0 ? SIDE_LONG : SIDE_SHORT;
    view->qty = fabs(quantity);
    view->entry_price = has_entry_price ? entry_price : 0;
    *open = true;
    return true;
}

/* Parses length bytes of text as one JSON document. Returns the tree (the
 * caller frees it with cJSON_Delete) or NULL with the byte offset, line and
 * column of the error in context->error. */
static cJSON *parse_document(parse_context *context, const char *text, size_t length) {
    if (length > STATE_FILE_BYTES_MAX) {
        fail(context, "%zu bytes: larger than the %d MiB limit of a state file", length,
             STATE_FILE_BYTES_MAX / (1024 * 1024));
        return NULL;
    }
    size_t bad_offset = 0;
    const char *problem = NULL;
    if (!json_text_check(text, length, &bad_offset, &problem)) {
        fail(context, "JSON parse error at byte offset %zu: %s", bad_offset, problem);
        return NULL;
    }
    /* cJSON wants the NUL inside the length to accept the end of input. */
    char *copy = malloc(length + 1);
    if (copy == NULL) {
        fail(context, "out of memory reading %zu bytes", length);
        return NULL;
    }
    if (length > 0) memcpy(copy, text, length);
    copy[length] = '\0';
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(copy, length + 1, &end, 1);
    if (root == NULL) {
        size_t offset = end != NULL && end >= copy ? (size_t)(end - copy) : 0;
        if (offset > length) offset = length;
        size_t line = 1, column = 1;
        for (size_t index = 0; index < offset; index++) {
            if (copy[index] == '\n') {
                line++;
                column = 1;
            } else {
                column++;
            }
        }
        size_t blank = 0;
        while (blank < length && strchr(" \t\r\n", copy[blank]) != NULL) blank++;
        if (blank == length) {
            fail(context, "JSON parse error at byte offset %zu: the file holds no JSON value", offset);
        } else if (offset >= length) {
            fail(context, "JSON parse error at byte offset %zu (line %zu, column %zu): unexpected end of "
                          "the file (truncated?)", offset, line, column);
        } else if (json_nesting_exceeded(copy, offset + 1)) {
            fail(context, "JSON parse error at byte offset %zu (line %zu, column %zu): nested deeper than %d levels",
                 offset, line, column, CJSON_NESTING_LIMIT);
        } else {
            char excerpt[24];
            size_t excerpt_length = length - offset < sizeof excerpt - 1 ? length - offset : sizeof excerpt - 1;
            char raw[24];
            memcpy(raw, copy + offset, excerpt_length);
            raw[excerpt_length] = '\0';
            sanitize(raw, excerpt, sizeof excerpt);
            fail(context, "JSON parse error at byte offset %zu (line %zu, column %zu), near \"%s\"", offset, line,
                 column, excerpt);
        }
    }
    free(copy);
    return root;
}

bool state_json_parse_positions(const char *name, const char *text, size_t length, position_view *positions,
                                size_t *count, char *error, size_t error_capacity) {
    parse_context context = {.name = name, .error = error, .error_capacity = error_capacity};
    *count = 0;
    cJSON *root = parse_document(&context, text, length);
    if (root == NULL) return false;
    bool ok = true;
    const cJSON *list = root;
    const char *container = "";
    if (cJSON_IsObject(root) && cJSON_GetObjectItemCaseSensitive(root, "positions") != NULL) {
        list = cJSON_GetObjectItemCaseSensitive(root, "positions");
        container = "positions";
        if (member_count(root, "positions") > 1)
            ok = fail(&context, "positions: given more than once");
        else if (!cJSON_IsArray(list) && !cJSON_IsObject(list))
            ok = fail_type(&context, "positions", "a list or an object keyed by symbol", list);
    } else if (!cJSON_IsArray(root) && !cJSON_IsObject(root)) {
        ok = fail_type(&context, NULL, "{\"positions\": [...]}, a list, or an object keyed by symbol", root);
    }
    bool keyed = cJSON_IsObject(list);
    size_t index = 0;
    for (const cJSON *item = ok ? list->child : NULL; item != NULL && ok; item = item->next, index++) {
        const char *key = keyed ? item->string : NULL;
        set_where(&context, container, key, index, NULL);
        position_view view;
        bool open;
        ok = parse_position(&context, item, container, key, index, &view, &open);
        if (!ok || !open) continue;
        for (size_t earlier = 0; earlier < *count && ok; earlier++)
            if (strcmp(positions[earlier].symbol, view.symbol) == 0)
                ok = fail(&context, "a second open position for %s", view.symbol);
        if (ok && *count == SYMBOLS_MAX)
            ok = fail(&context, "more than %d open positions (the limit)", SYMBOLS_MAX);
        if (ok) positions[(*count)++] = view;
    }
    cJSON_Delete(root);
    return ok;
}

/* Reads one registry entry (the value of member key). */
static bool parse_registry_entry(parse_context *context, const cJSON *item, const char *key, registry_entry *entry) {
    memset(entry, 0, sizeof *entry);
    if (!cJSON_IsObject(item)) return fail_type(context, NULL, "an object (one TP/SL entry)", item);
    if (!read_symbol(context, item, key, entry->symbol)) return false;
    int side;
    bool has_entry_price, has_tp, has_sl;
    if (!read_side_field(context, item, &side)) return false;
    if (side == 0) return fail(context, "no side (LONG or SHORT)");
    if (!read_number_field(context, item, entry_price_names, &entry->entry_price, &has_entry_price)) return false;
    if (!has_entry_price) return fail(context, "no entry_price");
    static const char *const tp_names[] = {"tp", NULL};
    static const char *const sl_names[] = {"sl", NULL};
    if (!read_number_field(context, item, tp_names, &entry->tp, &has_tp) ||
        !read_number_field(context, item, sl_names, &entry->sl, &has_sl) ||
        !read_timestamp_field(context, item, "created_ts", &entry->created_ts) ||
        !read_timestamp_field(context, item, "updated_ts", &entry->updated_ts))
        return false;
    entry->side = side > 0 ? SIDE_LONG : SIDE_SHORT;
    entry->has_tp = has_tp;
    entry->has_sl = has_sl;
    if (!has_tp) entry->tp = 0;
    if (!has_sl) entry->sl = 0;
    return true;
}

bool state_json_parse_registry(const char *name, const char *text, size_t length, tp_sl_registry *registry,
                               char *error, size_t error_capacity) {
    parse_context context = {.name = name, .error = error, .error_capacity = error_capacity};
    registry_init(registry);
    cJSON *root = parse_document(&context, text, length);
    if (root == NULL) return false;
    bool ok = true;
    if (!cJSON_IsObject(root)) ok = fail_type(&context, NULL, "an object keyed by symbol", root);
    for (const cJSON *item = ok ? root->child : NULL; item != NULL && ok; item = item->next) {
        set_where(&context, "", item->string, 0, NULL);
        registry_entry entry;
        ok = parse_registry_entry(&context, item, item->string, &entry);
        if (ok && registry_find(registry, entry.symbol) != NULL)
            ok = fail(&context, "%s is given more than once", entry.symbol);
        if (ok && !registry_upsert(registry, &entry))
            ok = fail(&context, "more than %d entries (the limit)", SYMBOLS_MAX);
    }
    cJSON_Delete(root);
    return ok;
}

/* Reads the whole file at path into content (limit STATE_FILE_BYTES_MAX,
 * io/json_file's reader). Returns 0, 1 when the file does not exist, or -1
 * with the reason in error. */
static int read_whole_file(const char *path, buffer *content, char *error, size_t error_capacity) {
    switch (json_file_read(path, content, error, error_capacity)) {
    case JSON_FILE_OK: return 0;
    case JSON_FILE_MISSING: return 1;
    case JSON_FILE_TOO_LARGE:
        snprintf(error, error_capacity, "%s: larger than the %d MiB limit of a state file", path,
                 STATE_FILE_BYTES_MAX / (1024 * 1024));
        return -1;
    default: return -1;
    }
}

bool state_json_load_positions(const char *path, position_view *positions, size_t *count, char *error,
                               size_t error_capacity) {
    buffer content;
    buffer_init(&content, STATE_FILE_BYTES_MAX);
    *count = 0;
    int status = read_whole_file(path, &content, error, error_capacity);
    if (status == 1) snprintf(error, error_capacity, "%s: cannot open: %s", path, strerror(ENOENT));
    bool ok = status == 0 && state_json_parse_positions(path, content.data != NULL ? content.data : "",
                                                        content.length, positions, count, error,
                                                        error_capacity);
    buffer_free(&content);
    return ok;
}

bool state_json_load_registry(const char *path, tp_sl_registry *registry, bool *found, char *error,
                              size_t error_capacity) {
    buffer content;
    buffer_init(&content, STATE_FILE_BYTES_MAX);
    registry_init(registry);
    int status = read_whole_file(path, &content, error, error_capacity);
    if (found != NULL) *found = status != 1;
    bool ok = status == 1 ||
              (status == 0 && state_json_parse_registry(path, content.data != NULL ? content.data : "",
                                                        content.length, registry, error, error_capacity));
    buffer_free(&content);
    return ok;
}

/* The members a registry entry and a ledger entry share, after their own:
 * tp and sl (null when absent) and the two timestamps. */
static void render_levels(json_writer *writer, bool has_tp, double tp, bool has_sl, double sl, double created_ts,
                          double updated_ts) {
    JSON_KEY(writer, "tp");
    json_optional_number(writer, has_tp, tp);
    JSON_KEY(writer, "sl");
    json_optional_number(writer, has_sl, sl);
    JSON_KEY(writer, "created_ts");
    json_number(writer, created_ts);
    JSON_KEY(writer, "updated_ts");
    json_number(writer, updated_ts);
}

/* One registry entry's object {side, entry_price, tp, sl, created_ts, updated_ts}. */
static void render_registry_entry(json_writer *writer, const registry_entry *entry) {
    json_object_begin(writer);
    JSON_KEY(writer, "side");
    json_string(writer, position_side_name(entry->side));
    JSON_KEY(writer, "entry_price");
    json_number(writer, entry->entry_price);
    render_levels(writer, entry->has_tp, entry->tp, entry->has_sl, entry->sl, entry->created_ts, entry->updated_ts);
    json_object_end(writer);
}

void state_json_render_registry(json_writer *writer, const tp_sl_registry *registry) {
    json_object_begin(writer);
    for (size_t index = 0; index < registry->count; index++) {
        json_key(writer, registry->entries[index].symbol);
        render_registry_entry(writer, &registry->entries[index]);
    }
    json_object_end(writer);
}

/* Index just past the string literal starting at text[at] ('"'). */
static size_t skip_string(const char *text, size_t at, size_t length) {
    for (at++; at < length && text[at] != '"'; at++)
        if (text[at] == '\\') at++;
    return at + 1;
}

static size_t skip_space(const char *text, size_t at, size_t length) {
    while (at < length && (text[at] == ' ' || text[at] == '\t' || text[at] == '\n' || text[at] == '\r')) at++;
    return at;
}

/* Index just past the JSON value starting at text[at] (valid JSON). */
static size_t skip_value(const char *text, size_t at, size_t length) {
    if (at >= length) return length;
    if (text[at] == '"') return skip_string(text, at, length);
    if (text[at] == '{' || text[at] == '[') {
        int depth = 0;
        while (at < length) {
            char byte = text[at];
            if (byte == '"') {
                at = skip_string(text, at, length);
                continue;
            }
            if (byte == '{' || byte == '[') depth++;
            if ((byte == '}' || byte == ']') && --depth == 0) return at + 1;
            at++;
        }
        return length;
    }
    while (at < length && strchr(",}] \t\r\n", text[at]) == NULL) at++;
    return at;
}

/* The text span of the value of each member of the top-level object in
 * text (valid JSON: cJSON parsed it), in file order, which is cJSON's order
 * of root->child. Returns how many were found (at most capacity). */
static size_t member_values(const char *text, size_t length, size_t (*spans)[2], size_t capacity) {
    size_t at = skip_space(text, 0, length), count = 0;
    if (at >= length || text[at] != '{') return 0;
    at = skip_space(text, at + 1, length);
    while (at < length && text[at] == '"' && count < capacity) {
        at = skip_space(text, skip_string(text, at, length), length);
        if (at >= length || text[at] != ':') break;
        at = skip_space(text, at + 1, length);
        spans[count][0] = at;
        at = skip_value(text, at, length);
        spans[count++][1] = at;
        at = skip_space(text, at, length);
        if (at < length && text[at] == ',') at = skip_space(text, at + 1, length);
    }
    return count;
}

bool state_json_render_registry_keeping(buffer *out, const tp_sl_registry *registry, const char *original,
                                        size_t original_length) {
    cJSON *root = original_length > 0 ? cJSON_ParseWithLength(original, original_length) : NULL;
    size_t (*spans)[2] = calloc(SYMBOLS_MAX + 1, sizeof *spans);
    size_t member_count = 0;
    if (root != NULL && spans != NULL && cJSON_IsObject(root))
        member_count = member_values(original, original_length, spans, SYMBOLS_MAX + 1);
    json_writer writer;
    json_writer_init(&writer, out, true);
    json_object_begin(&writer);
    for (size_t index = 0; index < registry->count; index++) {
        const registry_entry *entry = &registry->entries[index];
        json_key(&writer, entry->symbol);
        size_t member = 0;
        const cJSON *item = root != NULL ? root->child : NULL;
        for (; item != NULL && member < member_count; item = item->next, member++)
            if (item->string != NULL && strcmp(item->string, entry->symbol) == 0) break;
        if (item != NULL && member < member_count)
            json_raw_value(&writer, original + spans[member][0], spans[member][1] - spans[member][0]);
        else
            render_registry_entry(&writer, entry);
    }
    json_object_end(&writer);
    buffer_append(out, "\n", 1);
    bool ok = spans != NULL && !buffer_failed(out);
    free(spans);
    cJSON_Delete(root);
    return ok;
}

void state_json_render_ledger(json_writer *writer, const position_ledger *ledger) {
    json_object_begin(writer);
    for (size_t index = 0; index < ledger->count; index++) {
        const ledger_entry *entry = &ledger->entries[index];
        json_key(writer, entry->symbol);
        json_object_begin(writer);
        JSON_KEY(writer, "side");
        json_string(writer, position_side_name(entry->side));
        JSON_KEY(writer, "qty");
        json_number(writer, entry->qty);
        JSON_KEY(writer, "entry_price");
        json_number(writer, entry->entry_price);
        render_levels(writer, entry->has_tp, entry->tp, entry->has_sl, entry->sl, entry->created_ts,
                      entry->updated_ts);
        json_object_end(writer);
    }
    json_object_end(writer);
}

bool state_json_save_registry(const char *path, const tp_sl_registry *registry, char *error,
                              size_t error_capacity) {
    buffer text;
    buffer_init(&text, STATE_FILE_BYTES_MAX);
    json_writer writer;
    json_writer_init(&writer, &text, true);
    state_json_render_registry(&writer, registry);
    buffer_append(&text, "\n", 1);
    bool ok = true;
    if (buffer_failed(&text)) {
        snprintf(error, error_capacity, "%s: cannot render the registry (out of memory)", path);
        ok = false;
    } else if (atomic_file_write(path, text.data, text.length) != 0) {
        snprintf(error, error_capacity, "%s: cannot write: %s", path, strerror(errno));
        ok = false;
    }
    buffer_free(&text);
    return ok;
}
