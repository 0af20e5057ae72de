/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/cli/cmd_replay.h - the narrative of `ceremony replay`, for the
 * verbs that show it elsewhere (the printed attestation, cmd_print.c).
 */
#ifndef CE_CEREMONY_CLI_CMD_REPLAY_H
#define CE_CEREMONY_CLI_CMD_REPLAY_H

#include <stdio.h>

/* Every event of the transcript at path told as one line to f (colour: ANSI
 * highlights), exactly as `ceremony replay` tells it after its verdict. Run
 * verify_transcript first: this checks nothing. Returns 0 or the errors of
 * verify_lines_each (CE_ERR_IO, CE_ERR_FORMAT, CE_ERR_TOO_LARGE,
 * CE_ERR_NOMEM). */
int replay_narrative(const char *path, FILE *f, int colour)
	__attribute__((warn_unused_result));

#endif
