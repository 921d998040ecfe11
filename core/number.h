/* number.h -- doubles to text and back, exactly.
 *
 * Outputs must read back as the very same double and be byte-identical on
 * every run, so one canonical text per double is defined here and used by
 * every writer: the shortest decimal digits that round-trip, in fixed
 * notation when 1e-5 <= |v| < 1e15 ("25000", "0.1", "-12.345"), otherwise in
 * exponent notation ("1e+15", "1.5e-07"). Non-finite values have no text:
 * writers print JSON null for them. */
#ifndef LEDGERSIM_CORE_NUMBER_H
#define LEDGERSIM_CORE_NUMBER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/limits.h"

enum { NUMBER_TEXT_CAPACITY = 32, NUMBER_FIXED_DECIMALS_MAX = 9 };

/* Writes the canonical text of a finite value into out (NUL-terminated) and
 * returns its length. A non-finite value writes "null". Never fails. */
size_t number_format(double value, char out[NUMBER_TEXT_CAPACITY]);

/* Writes the text of "%lld" for value into out (NUMBER_TEXT_CAPACITY
 * bytes are enough), NUL-terminated, and returns its length. */
size_t number_format_integer(int64_t value, char out[NUMBER_TEXT_CAPACITY]);

/* Writes exactly what snprintf(out, capacity, "%.*f", decimals, value) writes
 * (0 <= decimals <= NUMBER_FIXED_DECIMALS_MAX, capacity >=
 * NUMBER_TEXT_CAPACITY), without printf for |value| * 10^decimals < 9.2e18,
 * and returns the length written. */
size_t number_format_fixed(double value, int decimals, char *out, size_t capacity);

/* Parses text[0..length) as a decimal number: optional sign, digits with an
 * optional fraction, optional exponent. Nothing else: no spaces, no "nan",
 * "inf", hex or trailing bytes. The result must be finite. Returns false and
 * leaves *value untouched on any deviation. */
bool number_parse(const char *text, size_t length, double *value) WARN_UNUSED_RESULT;

/* Parses a timestamp: epoch seconds (number_parse rules, >= 0) or ISO-8601
 * UTC "YYYY-MM-DDTHH:MM:SS[.fff]Z". Returns false on any deviation. */
bool number_parse_timestamp(const char *text, size_t length, double *epoch_seconds) WARN_UNUSED_RESULT;

#endif
