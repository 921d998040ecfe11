/* utf8.h -- UTF-8 validation of input text (issue 15: invalid UTF-8
 * anywhere in an input is an error naming the file and the place, never
 * copied raw into JSON output that JSON parsers reject). */
#ifndef LEDGERSIM_IO_UTF8_H
#define LEDGERSIM_IO_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* True when text[0..length) is well-formed UTF-8 (RFC 3629: no overlong
 * form, no surrogate, nothing above U+10FFFF). Otherwise false with the byte
 * offset of the first bad sequence in *bad_offset (may be NULL). */
bool utf8_valid(const char *text, size_t length, size_t *bad_offset);

#endif
