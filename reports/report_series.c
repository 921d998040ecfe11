/* report_series.c -- decimated series, sampled markers and number text for
 * the report (see report_internal.h). */
#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/number.h"
#include "reports/report_internal.h"

void series_init(series *target, size_t value_count, size_t tracked_count) {
    assert(value_count <= SERIES_VALUES_MAX && tracked_count <= SERIES_TRACKED_MAX);
    assert(tracked_count <= value_count);
    memset(target, 0, sizeof *target);
    target->value_count = value_count;
    target->tracked_count = tracked_count;
    target->rows_per_bucket = 1;
}

void series_free(series *target) {
    free(target->buckets);
    target->buckets = NULL;
    target->bucket_count = 0;
}

/* Starts an empty bucket whose first row is row (bucket_fold adds it). */
static void bucket_start(series_bucket *bucket, const series_row *row) {
    memset(bucket, 0, sizeof *bucket);
    bucket->first = *row;
    bucket->worst_tag = row->tag;
}

/* Folds one row into bucket: last, extremes per tracked value, first gap,
 * worst tag. Ties keep the earlier row. */
static void bucket_fold(series_bucket *bucket, const series_row *row, size_t tracked_count) {
    bool all_missing = true;
    for (size_t column = 0; column < tracked_count; column++) {
        double value = row->values[column];
        if (!isfinite(value)) continue;
        all_missing = false;
        if (!bucket->has_extreme[column]) {
            bucket->low[column] = *row;
            bucket->high[column] = *row;
            bucket->has_extreme[column] = true;
            continue;
        }
        if (value < bucket->low[column].values[column]) bucket->low[column] = *row;
        if (value > bucket->high[column].values[column]) bucket->high[column] = *row;
    }
    if (all_missing && tracked_count > 0 && !bucket->has_gap) {
        bucket->has_gap = true;
        bucket->gap = *row;
    }
    if (row->tag > bucket->worst_tag) bucket->worst_tag = row->tag;
    bucket->last = *row;
    bucket->rows++;
}

/* Merges bucket later into bucket earlier (adjacent, earlier first). */
static void bucket_merge(series_bucket *earlier, const series_bucket *later, size_t tracked_count) {
    for (size_t column = 0; column < tracked_count; column++) {
        if (!later->has_extreme[column]) continue;
        if (!earlier->has_extreme[column]) {
            earlier->low[column] = later->low[column];
            earlier->high[column] = later->high[column];
            earlier->has_extreme[column] = true;
            continue;
        }
        if (later->low[column].values[column] < earlier->low[column].values[column])
            earlier->low[column] = later->low[column];
        if (later->high[column].values[column] > earlier->high[column].values[column])
            earlier->high[column] = later->high[column];
    }
    if (!earlier->has_gap && later->has_gap) {
        earlier->has_gap = true;
        earlier->gap = later->gap;
    }
    if (later->worst_tag > earlier->worst_tag) earlier->worst_tag = later->worst_tag;
    earlier->last = later->last;
    earlier->rows += later->rows;
}

/* Halves the bucket count by merging neighbours; doubles rows_per_bucket. */
static void series_merge_pairs(series *target) {
    assert(target->bucket_count % 2 == 0);
    size_t half = target->bucket_count / 2;
    for (size_t index = 0; index < half; index++) {
        series_bucket merged = target->buckets[2 * index];
        bucket_merge(&merged, &target->buckets[2 * index + 1], target->tracked_count);
        target->buckets[index] = merged;
    }
    target->bucket_count = half;
    target->rows_per_bucket *= 2;
}

bool series_add(series *target, double x, const double *values, int tag) {
    if (target->allocation_failed) return false;
    if (target->buckets == NULL) {
        target->buckets = calloc(SERIES_BUCKETS_MAX, sizeof *target->buckets);
        if (target->buckets == NULL) {
            target->allocation_failed = true;
            return false;
        }
    }
    series_row row;
    memset(&row, 0, sizeof row);
    row.index = target->rows;
    row.x = x;
    for (size_t column = 0; column < SERIES_VALUES_MAX; column++)
        row.values[column] = column < target->value_count ? values[column] : NAN;
    row.tag = tag;
    for (size_t column = 0; column < target->tracked_count; column++) {
        double value = row.values[column];
        if (!isfinite(value)) continue;
        if (!target->has_range || value < target->value_min) target->value_min = value;
        if (!target->has_range || value > target->value_max) target->value_max = value;
        target->has_range = true;
    }
    if (target->rows == 0) target->x_first = x;
    target->x_last = x;
    series_bucket *current = target->bucket_count > 0 ? &target->buckets[target->bucket_count - 1] : NULL;
    if (current == NULL || current->rows >= target->rows_per_bucket) {
        if (target->bucket_count == SERIES_BUCKETS_MAX) series_merge_pairs(target);
        current = &target->buckets[target->bucket_count - 1];
        if (target->bucket_count == 0 || current->rows >= target->rows_per_bucket) {
            current = &target->buckets[target->bucket_count++];
            bucket_start(current, &row);
        }
    }
    bucket_fold(current, &row, target->tracked_count);
    target->rows++;
    return true;
}

bool series_has_values(const series *source, size_t column) {
    if (column >= source->tracked_count) return false;
    for (size_t index = 0; index < source->bucket_count; index++)
        if (source->buckets[index].has_extreme[column]) return true;
    return false;
}

void report_append_number(buffer *out, double value) {
    if (!isfinite(value)) {
        buffer_append_text(out, "NaN");
        return;
    }
    char text[NUMBER_TEXT_CAPACITY];
    number_format(value + 0.0, text);
    buffer_append_text(out, text);
}

/* Appends one row as a data-file line. */
static void series_write_row(const series *source, const series_row *row, buffer *out) {
    report_append_number(out, row->x);
    for (size_t column = 0; column < source->value_count; column++) {
        buffer_append_text(out, " ");
        report_append_number(out, row->values[column]);
    }
    buffer_append_format(out, " %d\n", row->tag);
}

/* series_write, skipping rows whose value filter_column is NaN when that
 * is below value_count (SERIES_VALUES_MAX: keep every row). */
static void series_write_filtered(const series *source, size_t filter_column, buffer *out) {
    enum { CANDIDATES_MAX = 3 + 2 * SERIES_TRACKED_MAX };
    for (size_t index = 0; index < source->bucket_count; index++) {
        const series_bucket *bucket = &source->buckets[index];
        const series_row *candidates[CANDIDATES_MAX];
        size_t count = 0;
        candidates[count++] = &bucket->first;
        for (size_t column = 0; column < source->tracked_count; column++) {
            if (!bucket->has_extreme[column]) continue;
            candidates[count++] = &bucket->low[column];
            candidates[count++] = &bucket->high[column];
        }
        if (bucket->has_gap) candidates[count++] = &bucket->gap;
        candidates[count++] = &bucket->last;
        /* Insertion sort by row index (at most CANDIDATES_MAX items). */
        for (size_t outer = 1; outer < count; outer++) {
            const series_row *moving = candidates[outer];
            size_t inner = outer;
            while (inner > 0 && candidates[inner - 1]->index > moving->index) {
                candidates[inner] = candidates[inner - 1];
                inner--;
            }
            candidates[inner] = moving;
        }
        for (size_t position = 0; position < count; position++) {
            if (position > 0 && candidates[position]->index == candidates[position - 1]->index) continue;
            if (filter_column < source->value_count && isnan(candidates[position]->values[filter_column])) continue;
            series_write_row(source, candidates[position], out);
        }
    }
}

void series_write(const series *source, buffer *out) { series_write_filtered(source, SERIES_VALUES_MAX, out); }

void series_write_defined(const series *source, size_t column, buffer *out) {
    assert(column < source->value_count);
    series_write_filtered(source, column, out);
}

void series_write_strip(const series *source, buffer *out, double x_end) {
    size_t index = 0;
    while (index < source->bucket_count) {
        /* One band per run of buckets with the same worst tag. */
        const series_bucket *first = &source->buckets[index];
        size_t next = index + 1;
        while (next < source->bucket_count && source->buckets[next].worst_tag == first->worst_tag) next++;
        double to = next < source->bucket_count ? source->buckets[next].first.x : source->buckets[next - 1].last.x;
        if (next == source->bucket_count && isfinite(x_end) && x_end > to) to = x_end;
        report_append_number(out, first->first.x);
        buffer_append_text(out, " ");
        report_append_number(out, to);
        buffer_append_format(out, " %d\n", first->worst_tag);
        index = next;
    }
}

void markers_init(marker_sample *sample) {
    sample->count = 0;
    sample->stride = 1;
    sample->offered = 0;
}

report_marker *markers_offer(marker_sample *sample, const report_marker *marker) {
    long ordinal = sample->offered++;
    if (ordinal % sample->stride != 0) return NULL;
    if (sample->count == MARKERS_MAX) {
        /* Keep every other kept marker: ordinals that are multiples of 2 * stride. */
        size_t kept = 0;
        for (size_t index = 0; index < sample->count; index++)
            if (sample->items[index].ordinal % (2 * sample->stride) == 0) sample->items[kept++] = sample->items[index];
        sample->count = kept;
        sample->stride *= 2;
        if (ordinal % sample->stride != 0) return NULL;
    }
    report_marker *slot = &sample->items[sample->count++];
    *slot = *marker;
    slot->ordinal = ordinal;
    return slot;
}

void report_append_grouped(buffer *out, double value, int decimals) {
    if (!isfinite(value)) {
        buffer_append_text(out, "n/a");
        return;
    }
    assert(decimals >= 0 && decimals <= 4); /* 1e-4 >= 1e-5: number_format stays in fixed notation */
    double scale = pow(10.0, decimals);
    double rounded = round(value * scale) / scale + 0.0;
    if (fabs(rounded) >= 1e15) {
        report_append_number(out, rounded);
        return;
    }
    char text[NUMBER_TEXT_CAPACITY];
    number_format(rounded, text);
    const char *digits = text;
    if (*digits == '-') {
        buffer_append_text(out, "-");
        digits++;
    }
    const char *point = strchr(digits, '.');
    size_t integer_length = point != NULL ? (size_t)(point - digits) : strlen(digits);
    for (size_t index = 0; index < integer_length; index++) {
        if (index > 0 && (integer_length - index) % 3 == 0) buffer_append_text(out, ",");
        buffer_append(out, &digits[index], 1);
    }
    /* Pad the fraction to exactly decimals digits ("12.5" -> "12.50"). */
    size_t fraction_length = point != NULL ? strlen(point + 1) : 0;
    if (decimals > 0) {
        buffer_append_text(out, ".");
        if (fraction_length > 0) buffer_append(out, point + 1, fraction_length);
        for (size_t pad = fraction_length; pad < (size_t)decimals; pad++) buffer_append_text(out, "0");
    }
}
