/* suggest.c -- see suggest.h. Optimal string alignment distance (Damerau's
 * adjacent swap counted as one edit: "ckeck" is one edit from "check"), in
 * three rolling rows on the stack. */
#include "core/suggest.h"

#include <assert.h>
#include <string.h>

size_t suggest_distance(const char *a, const char *b) {
    size_t length_a = strlen(a), length_b = strlen(b);
    if (length_a > SUGGEST_NAME_MAX || length_b > SUGGEST_NAME_MAX) return SUGGEST_NAME_MAX + 1;
    size_t rows[3][SUGGEST_NAME_MAX + 1];
    size_t *before = rows[0], *previous = rows[1], *current = rows[2];
    for (size_t j = 0; j <= length_b; j++) previous[j] = j;
    for (size_t i = 1; i <= length_a; i++) {
        current[0] = i;
        for (size_t j = 1; j <= length_b; j++) {
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            size_t best = previous[j - 1] + cost;
            if (previous[j] + 1 < best) best = previous[j] + 1;
            if (current[j - 1] + 1 < best) best = current[j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && before[j - 2] + 1 < best)
                best = before[j - 2] + 1;
            current[j] = best;
        }
        size_t *spare = before;
        before = previous;
        previous = current;
        current = spare;
    }
    assert(previous[length_b] <= (length_a > length_b ? length_a : length_b));
    return previous[length_b];
}

const char *suggest_nearest(const char *name, const char *const *candidates, size_t count) {
    size_t length = strlen(name);
    size_t allowed = length <= 4 ? 1 : length <= 8 ? 2 : 3;
    const char *nearest = NULL;
    size_t nearest_distance = allowed + 1;
    for (size_t index = 0; index < count; index++) {
        if (candidates[index] == NULL) continue;
        size_t distance = suggest_distance(name, candidates[index]);
        if (distance < nearest_distance) {
            nearest = candidates[index];
            nearest_distance = distance;
        }
    }
    assert(nearest == NULL || nearest_distance <= allowed);
    return nearest;
}
