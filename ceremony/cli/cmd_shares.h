/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/cli/cmd_shares.h - the `shares` verb (ceremony/cli/cmd_shares.c) and its
 * sub-verbs split, combine and card.
 */
#ifndef CE_CEREMONY_CMD_SHARES_H
#define CE_CEREMONY_CMD_SHARES_H

#include <stdio.h>

/* `ceremony shares card --out PATH [--holder NAME] [--label TEXT]`: one
 * mnemonic line on stdin -> a printable PDF share card. argv[0] == "card".
 * Returns the exit status (0, 1 failure printed, 2 usage). Defined in
 * ceremony/cli/cmd_shares_card.c. */
int shares_cmd_card(int argc, char **argv);

/* Usage of `ceremony shares card` (ceremony/cli/cmd_shares_card.c). */
void shares_cmd_card_help(FILE *f);

#endif
