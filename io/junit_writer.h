/* junit_writer.h -- JUnit XML for CI test reporters (GitLab, Jenkins,
 * GitHub actions): `ledgersim check --junit FILE` and `ledgersim fuzz
 * --junit FILE`.
 *
 * The file is <testsuites> holding one <testsuite> per scenario file (or per
 * fuzz run) and one <testcase> per check in it (an expect row, a seed). A
 * failed check carries <failure message="FILE:LINE: ..."> with the
 * expected and the actual value; a file that could not be read carries
 * <error>. The counts of each element are those of its children. Text is
 * escaped for XML 1.0: markup characters as entities, control characters
 * and malformed UTF-8 as U+FFFD, so any input gives a well-formed file.
 *
 * Usage: junit_writer_init; per suite, junit_case()... then
 * junit_suite_end(); at the end junit_writer_save() (atomic: the file is
 * replaced whole or not at all) and junit_writer_free(). Errors of memory
 * are sticky and reported by save. */
#ifndef LEDGERSIM_IO_JUNIT_WRITER_H
#define LEDGERSIM_IO_JUNIT_WRITER_H

#include <stdbool.h>
#include <stddef.h>

#include "io/buffer.h"

typedef enum { JUNIT_PASSED, JUNIT_FAILED, JUNIT_ERROR } junit_outcome;

/* One <testcase>; every text is borrowed for the call. */
typedef struct {
    const char *classname;   /* the suite's file, as reporters group by it */
    const char *name;        /* e.g. "line 12: k.capital = 10000" */
    const char *file;        /* file="" attribute (GitLab, GitHub); NULL: none */
    long line;               /* line="" attribute; 0: none */
    junit_outcome outcome;
    const char *message;     /* failure/error message="" (FILE:LINE: ...); NULL when passed */
    const char *type;        /* failure/error type="" (e.g. "expectation"); NULL: none */
} junit_case_record;

typedef struct {
    buffer suites;           /* finished <testsuite> elements */
    buffer cases;            /* <testcase> elements of the suite being built */
    long suite_counts[3];    /* by junit_outcome, the open suite */
    long total_counts[3];    /* by junit_outcome, every finished suite */
    double total_seconds;
    long suite_count;
} junit_writer;

/* Prepares an empty document (cannot fail). */
void junit_writer_init(junit_writer *writer);

/* Frees the memory held; the writer may be initialised again. */
void junit_writer_free(junit_writer *writer);

/* Adds one testcase to the suite being built. */
void junit_case(junit_writer *writer, const junit_case_record *record);

/* Closes the suite being built as <testsuite name="name" file="file"
 * time="seconds"> (seconds < 0: no time attribute) with the cases added
 * since the last suite. */
void junit_suite_end(junit_writer *writer, const char *name, const char *file, double seconds);

/* Writes the document to path, named name on <testsuites>, atomically.
 * Returns false with error filled (the path and the reason) when memory ran
 * out or the file cannot be written; path is then untouched. */
bool junit_writer_save(junit_writer *writer, const char *path, const char *name, char *error,
                       size_t error_capacity);

#endif
