/* SPDX-License-Identifier: Apache-2.0 */
/* ceremony x509 lint (cmd_x509_lint.c), called by cmd_x509.c. */
#ifndef CE_CEREMONY_CMD_X509_H
#define CE_CEREMONY_CMD_X509_H

/* `ceremony x509 lint FILE [--issuer-cert F] [--profile NAME] [--previous
 * CRL] [--max-days N]`: argv[0] is "lint", verb the x509 verb (for usage
 * messages). Returns the exit status. */
struct cli_verb;
int cmd_x509_lint(const struct cli_verb *verb, int argc, char **argv);

#endif
