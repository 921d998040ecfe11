/* state_files.h -- the JSON text of each state file and log line, from the
 * kernel, per docs/state-files.md. Pure rendering into a json_writer;
 * run_output decides where the bytes go. Objects keyed by symbol are sorted
 * (the kernel keeps every table sorted); numbers are canonical. */
#ifndef LEDGERSIM_IO_STATE_FILES_H
#define LEDGERSIM_IO_STATE_FILES_H

#include "core/kernel.h"
#include "io/json_writer.h"

/* reconcile.jsonl line (without the newline): the latest snapshot. */
void state_render_snapshot(json_writer *writer, const kernel *k);

/* account.json: the snapshot plus published{...} and the reconcile thresholds. */
void state_render_account(json_writer *writer, const kernel *k);

/* nav.json. */
void state_render_nav(json_writer *writer, const kernel *k);

/* kpis_v7.json; extension (may be NULL) adds members to the open object. */
void state_render_kpis(json_writer *writer, const kernel *k, void (*extension)(void *, json_writer *),
                       void *extension_context);

/* positions_state.json (also the positions_state block of state.json). */
void state_render_positions_state(json_writer *writer, const kernel *k);

/* state.json: positions_state, positions_ledger, ledger_consistency;
 * extension (may be NULL) adds members to the open object (the live
 * adapter's `live` block). */
void state_render_state(json_writer *writer, const kernel *k, void (*extension)(void *, json_writer *),
                        void *extension_context);

/* exits.jsonl line for one intent of the last event. */
void state_render_exit(json_writer *writer, const kernel *k, const exit_intent *intent);

#endif
