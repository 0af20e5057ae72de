/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/cli/cmd_shares.h - the `shares` verb (ceremony/cli/cmd_shares.c) and its
 * sub-verbs split, combine and card.
 */
#ifndef CE_CEREMONY_CMD_SHARES_H
#define CE_CEREMONY_CMD_SHARES_H

#include <stdio.h>

struct cli_verb;

/* `ceremony shares card --out PATH [--holder NAME] [--label TEXT]`: one
 * mnemonic line on stdin -> a printable PDF share card. argv[0] == "card";
 * parent (borrowed) is the `shares` verb, named in usage errors. Returns the
 * exit status (0, 1 failure printed, 2 usage). Defined in
 * ceremony/cli/cmd_shares_card.c; called by cmd_shares.c only (calls go one
 * way). */
int shares_cmd_card(const struct cli_verb *parent, int argc, char **argv);

/* Usage of `ceremony shares card` (ceremony/cli/cmd_shares_card.c). */
void shares_cmd_card_help(FILE *f);

#endif
