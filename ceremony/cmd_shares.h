/*
 * ceremony/cmd_shares.h - the subcommands of `ceremony shares`.
 */
#ifndef CE_CEREMONY_CMD_SHARES_H
#define CE_CEREMONY_CMD_SHARES_H

#include <stdio.h>

/* `ceremony shares card --out PATH [--holder NAME] [--label TEXT]`: one
 * mnemonic line on stdin -> a printable PDF share card. argv[0] is "card".
 * Returns the exit status: 0, 1 (error printed), 2 (usage). */
int shares_cmd_card(int argc, char **argv);

/* Usage of `ceremony shares card`. */
void shares_cmd_card_help(FILE *f);

#endif
