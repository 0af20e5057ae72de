/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/transcript/jtext.h - text the tool does not control, as a JSON
 * string (docs/transcript-format.md section 2, "Strings").
 *
 * jansson refuses a string that is not UTF-8 (json_string returns NULL, and
 * json_pack "s" fails). Token labels, models, manufacturers and serials, a
 * module's strings, file names and values quoted from a transcript can be
 * anything a token, a file system or an attacker gives. Recorded with
 * json_string, one such byte made `ceremony run` stop with "out of memory"
 * (at its start, or after C_InitToken had wiped a token whose old label was
 * in Latin-1), and made `hsm --json` and `verify --json` drop the key.
 *
 * jtext keeps a UTF-8 string as it is (JSON escapes controls by its own
 * rules) and turns any other into the escaped text common/esc.h prints on a
 * terminal: "\xHH" for each byte that is not part of well-formed UTF-8, "\\"
 * for a backslash, and the same escapes of controls. The value then reads
 * the same in the transcript, the JSON output and on the screen.
 */
#ifndef CE_CEREMONY_TRANSCRIPT_JTEXT_H
#define CE_CEREMONY_TRANSCRIPT_JTEXT_H

#include <jansson.h>

/* A new JSON string of s as above. NULL only when s is NULL or memory runs
 * out. */
json_t *jtext(const char *s);

#endif
