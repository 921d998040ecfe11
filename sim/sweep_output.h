/* sweep_output.h -- what a sweep writes and reads back: DIR/sweep.csv and
 * DIR/sweep.json (the totals per grid point, and in the JSON the breakdown
 * per scenario and seed, the command and the inputs' sha256), the shard
 * files of --shard I/N (DIR/shards/shard-I-of-N.json, temp file then
 * rename), and the comparison with a baseline sweep.json.
 *
 * Every count is a sum of integers in plan order, every text is the one
 * given: the same results give the same bytes, sharded or not. */
#ifndef LEDGERSIM_SIM_SWEEP_OUTPUT_H
#define LEDGERSIM_SIM_SWEEP_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>

#include "io/buffer.h"
#include "sim/sweep_plan.h"
#include "sim/sweep_run.h"

enum { SWEEP_OUTPUT_ERROR_CAPACITY = PATH_CAPACITY + 1024, SWEEP_SHARDS_MAX = 100000 };

/* Writes DIR/sweep.csv and DIR/sweep.json (each whole or not at all).
 * False with error. */
bool sweep_write_outputs(const sweep_definition *definition, const sweep_results *results, const char *directory,
                         char *error, size_t error_capacity);

/* Renders sweep.json into out. */
void sweep_render_json(const sweep_definition *definition, const sweep_results *results, buffer *out);

/* Writes DIR/shards/shard-I-of-N.json with the runs of shard I. */
bool sweep_write_shard(const sweep_definition *definition, const sweep_results *results, size_t shard,
                       size_t shard_count, const char *directory, char *error, size_t error_capacity);

/* Reads DIR/shards/: the canonical arguments of the sweep (the strings are
 * kept in *arguments_storage, a cJSON tree the caller frees with
 * cJSON_Delete) and the shard count. False with error (no shard file,
 * shards of several counts). */
bool sweep_read_shard_arguments(const char *directory, void **arguments_storage, const char **arguments,
                                int *argument_count, size_t *shard_count, char *error, size_t error_capacity);

/* Fills results from every shard of DIR/shards/ (shard_count of them) for
 * definition. Returns 0; or 2 with error naming every missing or foreign
 * shard (another plan hash) and the command that reruns each. */
int sweep_read_shards(const sweep_definition *definition, sweep_results *results, const char *directory,
                      size_t shard_count, char *error, size_t error_capacity);

/* Compares the new sweep.json text (rendered) with the baseline file.
 * Prints each changed point "point P (KEY=V ...): NAME old -> new" on
 * stdout. Returns 0 no change, 1 some changed, 2 the baseline is unreadable
 * or of other inputs, grid or options (error says what differs). */
int sweep_compare_baseline(const char *baseline_path, const buffer *rendered, char *error, size_t error_capacity);

#endif
