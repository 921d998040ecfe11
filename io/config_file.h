/* config_file.h -- `--config FILE.json`: the same keys as scenario config
 * rows, as flat dotted names ({"reconcile.lot_step": 0.001}) or nested
 * objects ({"reconcile": {"lot_step": 0.001}}); values numbers or strings.
 * Every key it sets is locked: scenario config rows do not override it. */
#ifndef LEDGERSIM_IO_CONFIG_FILE_H
#define LEDGERSIM_IO_CONFIG_FILE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/config.h"

/* Applies and locks every key of path. False with error naming the file and key. */
bool config_file_apply(const char *path, kernel_config *config, char *error, size_t error_capacity) WARN_UNUSED_RESULT;

/* The whole precedence of a command line: defaults, then settings ("KEY=VALUE",
 * --set, each locked), then the file at config_path (may be NULL; its keys
 * locked unless --set locked them first). Scenario config rows come later and
 * only fill unlocked keys. False with error ("--set X: ..." or naming the file). */
bool config_build(kernel_config *config, const char *const *settings, int setting_count, const char *config_path,
                  char *error, size_t error_capacity) WARN_UNUSED_RESULT;

#endif
