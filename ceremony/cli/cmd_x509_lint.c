/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony x509 lint FILE - an existing certificate or CRL checked with the
 * rules ceremony applies before the HSM signs (pkcs11/x509/x509.h lint,
 * docs/x509.md): RFC 5280, and with --profile the ready profile's own; with
 * --issuer-cert the signature, name chaining, AKI and validity against the
 * issuer; a CRL with --previous (cRLNumber greater) and --max-days (the
 * nextUpdate cap, default 365). Prints one line per broken rule with its
 * source; exit 0 clean, 1 a rule broken or the file unreadable.
 */
#include "ceremony/cli/cli.h"
#include "ceremony/cli/cmd_x509.h"
#include "common/err.h"
#include "common/esc.h"
#include "pkcs11/x509/x509.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>

enum { OPT_L_ISSUER = CLI_OPT_KEY, OPT_L_PROFILE, OPT_L_PREVIOUS, OPT_L_MAX_DAYS };

static const struct cli_opt lint_opts[] = {
	{ "issuer-cert", OPT_L_ISSUER, 1 },
	{ "profile", OPT_L_PROFILE, 1 },
	{ "previous", OPT_L_PREVIOUS, 1 },
	{ "max-days", OPT_L_MAX_DAYS, 1 },
	{ NULL, 0, 0 },
};

struct lint_opts {
	const char *file, *issuer, *profile, *previous;
	unsigned int max_days;
};

static int lint_parse(const struct cli_verb *verb, int argc, char **argv, struct lint_opts *o)
{
	struct cli_opts p;
	char *end = NULL;
	long v;
	int c;

	cli_opts_init(&p, verb, argv[0], lint_opts, argc, argv);
	while ((c = cli_opts_next(&p)) > 0) {
		switch (c) {
		case OPT_L_ISSUER: o->issuer = p.value; break;
		case OPT_L_PROFILE: o->profile = p.value; break;
		case OPT_L_PREVIOUS: o->previous = p.value; break;
		case OPT_L_MAX_DAYS:
			errno = 0;
			v = strtol(p.value, &end, 10);
			if (errno != 0 || *end != '\0' || v < 1 || v > 3660)
				return cli_opts_usage(&p, "--max-days '%s': 1 to 3660", p.value);
			o->max_days = (unsigned int)v;
			break;
		default: /* CLI_OPT_OPERAND */
			if (o->file != NULL)
				return cli_opts_usage(&p, "one FILE only");
			o->file = p.value;
		}
	}
	if (c < 0)
		return c;
	if (o->file == NULL)
		return cli_opts_usage(&p, "needs FILE (a certificate or a CRL, PEM)");
	return 0;
}

static void lint_print(const char *file, const struct x509_lint *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		esc_fprintf(stdout, "%s: %s [%s]: %s\n", file, l->f[i].rule, l->f[i].source,
			    l->f[i].msg);
}

/* The certificate x: the rules, and its signature with the issuer's key (its
 * own when self-signed and no issuer is given). */
static int lint_cert(const struct lint_opts *o, X509 *x, const X509 *issuer, struct x509_lint *l)
{
	struct x509_profile prof;
	EVP_PKEY *pub;

	if (o->profile != NULL && x509_profile_ready(o->profile, &prof) < 0)
		return CE_ERR_INVALID;
	x509_lint_cert(x, o->profile != NULL ? &prof : NULL, issuer, l);
	pub = X509_get0_pubkey(issuer != NULL ? issuer : x);
	if (issuer != NULL ||
	    X509_NAME_cmp(X509_get_subject_name(x), X509_get_issuer_name(x)) == 0) {
		if (pub == NULL || X509_verify(x, pub) != 1)
			x509_lint_add(l, "signature", "RFC 5280 4.1.1.3", NULL,
				      "the signature does not verify with the issuer's key");
	}
	ERR_clear_error();
	return 0;
}

static int lint_crl(const struct lint_opts *o, X509_CRL *crl, const X509 *issuer,
		    struct x509_lint *l)
{
	X509_CRL *prev = NULL;
	int r;

	if (o->previous != NULL &&
	    (r = x509_pem_read(o->previous, X509_KIND_CRL, NULL, (void **)&prev)) < 0)
		return r;
	x509_lint_crl(crl, issuer, prev, o->max_days, l);
	if (issuer != NULL && X509_CRL_verify(crl, X509_get0_pubkey(issuer)) != 1)
		x509_lint_add(l, "signature", "RFC 5280 5.1.1.3", NULL,
			      "the CRL's signature does not verify with the issuer's key");
	ERR_clear_error();
	X509_CRL_free(prev);
	return 0;
}

static int lint_do(const struct lint_opts *o, struct x509_lint *l, const char **kind)
{
	X509 *issuer = NULL, *x = NULL;
	X509_CRL *crl = NULL;
	int r;

	if (o->issuer != NULL &&
	    (r = x509_pem_read(o->issuer, X509_KIND_CERT, NULL, (void **)&issuer)) < 0)
		goto out;
	r = x509_pem_read(o->file, X509_KIND_CERT, NULL, (void **)&x);
	if (r == CE_ERR_FORMAT) {
		ce_err_clear();
		r = x509_pem_read(o->file, X509_KIND_CRL, NULL, (void **)&crl);
		if (r == CE_ERR_FORMAT)
			r = ce_err_set(CE_ERR_FORMAT, "%s: neither a certificate nor a CRL (PEM)",
				       o->file);
	}
	if (r < 0)
		goto out;
	*kind = x != NULL ? "certificate" : "CRL";
	r = x != NULL ? lint_cert(o, x, issuer, l) : lint_crl(o, crl, issuer, l);
out:
	X509_free(x);
	X509_CRL_free(crl);
	X509_free(issuer);
	return r;
}

int cmd_x509_lint(const struct cli_verb *verb, int argc, char **argv)
{
	struct lint_opts o;
	struct x509_lint l;
	const char *kind = "?";
	int r;

	memset(&o, 0, sizeof(o));
	memset(&l, 0, sizeof(l));
	r = lint_parse(verb, argc, argv, &o);
	if (r < 0)
		return cli_opts_status(r);
	r = lint_do(&o, &l, &kind);
	if (r < 0)
		return cli_fail(r);
	lint_print(o.file, &l);
	if (l.n > 0) {
		esc_fprintf(stdout, "%s: %zu rule(s) broken\n", o.file, l.n);
		return CLI_EXIT_FAIL;
	}
	esc_fprintf(stdout, "%s: %s OK\n", o.file, kind);
	return CLI_EXIT_OK;
}
