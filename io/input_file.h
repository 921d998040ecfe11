/* input_file.h -- opening an input file: regular files only.
 *
 * A FIFO with no writer would block open() forever and /dev/zero never
 * ends; a folder reads as empty. Every reader of a named input (scenario,
 * JSON state and config files, live captures) opens it here: without
 * blocking (O_NONBLOCK), and refuses anything but a regular file, naming it. */
#ifndef LEDGERSIM_IO_INPUT_FILE_H
#define LEDGERSIM_IO_INPUT_FILE_H

#include <stddef.h>
#include <stdio.h>

#include "core/limits.h"

/* Opens path for reading. Returns the descriptor (blocking mode, close on
 * exec), or -1 with errno set and error filled: "PATH: cannot open: REASON"
 * or "PATH: not a regular file (a folder, FIFO or device)" (errno EINVAL). */
int input_file_open(const char *path, char *error, size_t capacity) WARN_UNUSED_RESULT;

/* input_file_open as a stdio stream ("rb"); NULL with error filled. */
FILE *input_file_fopen(const char *path, char *error, size_t capacity) WARN_UNUSED_RESULT;

#endif
