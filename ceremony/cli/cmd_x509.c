/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony x509 self-sign|csr|issue|crl - X.509 with a token key, for tests
 * and scripting (the ceremony runner calls pkcs11/x509/x509.h directly).
 *
 * Our PKCS#11 layer loads the module and logs in with the user PIN (read from
 * --pin-fd N or, without it, from the terminal with echo off; never argv or
 * the environment); OpenSSL's pkcs11-provider then signs with that login
 * (pkcs11/x509/ossl.h). Every output is verified before it is written, written
 * once (never overwritten, never half-written), and its SHA-256 fingerprint
 * printed: "sha256:<hex>  <file>". When the provider cannot share the login
 * (a remote module through p11-kit-client), the key is used through our
 * PKCS#11 layer instead (pkcs11/x509/ossl.h: p11_ossl_key_from_p11), with a note.
 */
#include "ceremony/cli/cli.h"
#include "ceremony/cli/cmd_x509.h"
#include "ceremony/model/script_time.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/secmem.h"
#include "pkcs11/x509/ossl.h"
#include "pkcs11/p11.h"
#include "pkcs11/x509/x509.h"
#include "shares/ui/ui.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define X509_PIN_MAX_BYTES 256
#define X509_MAX_REVOKED 1024
#define X509_DAY_SECONDS 86400L
#define X509_CLI_MAX_URLS 8
#define X509_CLI_MAX_RDN 32

enum x509_cmd { CMD_SELF_SIGN, CMD_CSR, CMD_ISSUE, CMD_CRL, CMD_LINT };

struct x509_opts {
	enum x509_cmd cmd;
	const char *module;
	const char *key;
	const char *subject;
	const char *out;
	const char *issuer_cert;
	const char *csr;
	const char *key_usage;
	const char *eku;
	const char *profile;  /* issue: a ready profile (x509_profile_ready) */
	/* issue: profile fields from repeated options (borrowed from argv) */
	struct x509_policy policies[X509_CLI_MAX_URLS];
	size_t n_policies;
	const char *crl_urls[X509_CLI_MAX_URLS], *ocsp_urls[X509_CLI_MAX_URLS];
	const char *ca_issuers_urls[X509_CLI_MAX_URLS];
	size_t n_crl_urls, n_ocsp_urls, n_ca_issuers_urls;
	const char *sig_alg;   /* issue: expected signature algorithm */
	time_t not_after;      /* issue, self-sign: explicit notAfter instead of --days */
	const char *nc_permitted[X509_CLI_MAX_URLS], *nc_excluded[X509_CLI_MAX_URLS];
	size_t n_nc_permitted, n_nc_excluded;
	int ocsp_nocheck;      /* 1: add it, -1: leave it out, 0: the profile's */
	int eku_critical;      /* 1: EKU critical, -1: not, 0: the profile's */
	int ski_method;        /* 1: sha1, 2: sha256, 0: the profile's */
	struct x509_name_attr rdn[X509_CLI_MAX_RDN]; /* --rdn, in order */
	size_t n_rdn;
	const char *previous; /* crl: the previous CRL */
	long max_days;        /* crl: nextUpdate cap, 0: 365 */
	long days;
	long path_len;
	int ca;
	int pin_fd;
	uint64_t crl_number;
	int have_number;
	struct x509_revoked *revoked; /* owned */
	size_t n_revoked;
};

static void x509_help(FILE *f)
{
	fprintf(f,
		"usage: ceremony x509 self-sign --key URI --subject DN --days N [--pathlen N]\n"
		"                     --out FILE [--module PATH] [--pin-fd N]\n"
		"       ceremony x509 self-sign --profile NAME --key URI --subject DN\n"
		"                     (--days N | --not-after TIME) [issue's profile options]\n"
		"                     --out FILE [--module PATH] [--pin-fd N]\n"
		"       ceremony x509 csr --key URI --subject DN --out FILE [--module PATH]\n"
		"                     [--pin-fd N]\n"
		"       ceremony x509 issue --key URI --issuer-cert FILE --csr FILE --days N\n"
		"                     [--profile NAME] [--ca [--pathlen N]] [--key-usage LIST]\n"
		"                     [--eku LIST] [--policy OID[=CPS]]... [--crl-url URL]...\n"
		"                     [--ocsp-url URL]... [--ca-issuers-url URL]...\n"
		"                     [--signature-algorithm NAME] [--not-after TIME]\n"
		"                     [--subject DN] [--permitted NAME]... [--excluded NAME]...\n"
		"                     [--ocsp-nocheck|--no-ocsp-nocheck] [--ski-method M]\n"
		"                     [--eku-critical|--eku-not-critical] [--rdn [+]TYPE=VALUE]...\n"
		"                     --out FILE [--module PATH] [--pin-fd N]\n"
		"       ceremony x509 crl --key URI --issuer-cert FILE --days N --number N\n"
		"                     [--revoke SERIAL[:REASON[:TIME]]]... [--previous CRL]\n"
		"                     [--max-days N] --out FILE [--module PATH] [--pin-fd N]\n"
		"       ceremony x509 lint FILE [--issuer-cert FILE] [--profile NAME]\n"
		"                     [--previous CRL] [--max-days N]\n\n"
		"Certificates, CSRs and CRLs signed by a token key through OpenSSL's\n"
		"pkcs11-provider, which uses our login (the PIN never reaches OpenSSL).\n"
		"Every output is verified (signature, and that it carries the right key)\n"
		"before it is written; outputs are never overwritten. Prints\n"
		"\"sha256:<fingerprint of the DER>  <file>\".\n\n"
		"  self-sign  self-signed CA certificate: CA:TRUE (critical), keyUsage\n"
		"             keyCertSign+cRLSign (critical), SKI, AKI, 16-byte random serial;\n"
		"             with --profile (or --not-after), the ready profile (root-ca by\n"
		"             default) with issue's options as overrides, its rules checked\n"
		"  csr        PKCS#10 request for the key\n"
		"  issue      certificate from a CSR (its signature checked first), signed\n"
		"             by the key whose certificate is --issuer-cert\n"
		"  crl        version 2 CRL with cRLNumber and AKI\n"
		"  lint       check an existing certificate or CRL with the rules ceremony\n"
		"             applies before the HSM signs (docs/x509.md); exit 1 if any\n"
		"             rule is broken\n\n"
		"Every certificate and CRL is linted before the HSM signs (built, signed\n"
		"with a throwaway software key of the same type, checked), and again\n"
		"after (signature, extensions equal to the linted ones).\n\n"
		"options:\n"
		"  --key URI          the signing key: 'pkcs11:token=RootCA;object=root-key'\n"
		"  --module PATH      a PKCS#11 library or p11-kit .module file (default: the\n"
		"                     modules registered with p11-kit)\n"
		"  --pin-fd N         read the user PIN (one line) from file descriptor N;\n"
		"                     default: ask on the terminal, echo off\n"
		"  --subject DN       \"/C=FR/O=Example TSP/CN=Example Root CA\"\n"
		"  --days N           validity (certificates) or nextUpdate (CRL), in days\n"
		"  --pathlen N        pathLenConstraint of a CA certificate\n"
		"  --ca               issue a CA certificate (default: end entity)\n"
		"  --key-usage LIST   e.g. digitalSignature,nonRepudiation (default: CA\n"
		"                     keyCertSign,cRLSign; end entity digitalSignature)\n"
		"  --eku LIST         extendedKeyUsage, e.g. serverAuth,clientAuth\n"
		"  --number N         cRLNumber\n"
		"  --profile NAME     issue, self-sign: a ready profile (root-ca, sub-ca,\n"
		"                     ocsp-responder, tsu, cross, end-entity); options given\n"
		"                     override it\n"
		"  --policy OID[=CPS] certificatePolicies entry (with its CPS URI); repeatable\n"
		"  --crl-url URL      cRLDistributionPoints URL; repeatable\n"
		"  --ocsp-url URL     authorityInfoAccess OCSP URL; repeatable\n"
		"  --ca-issuers-url URL  authorityInfoAccess caIssuers URL; repeatable\n"
		"  --signature-algorithm NAME  issue: the algorithm the signature must use\n"
		"                     (ecdsa-with-SHA384, sha256WithRSAEncryption...)\n"
		"  --not-after TIME   issue, self-sign: explicit notAfter\n"
		"                     (YYYY-MM-DD[THH:MM:SSZ], UTC) instead of --days\n"
		"  --permitted NAME   nameConstraints permitted subtree (dns:x, email:x, uri:x,\n"
		"                     ip:10.0.0.0/8); repeatable\n"
		"  --excluded NAME    nameConstraints excluded subtree; repeatable\n"
		"  --ocsp-nocheck, --no-ocsp-nocheck  add or leave out id-pkix-ocsp-nocheck\n"
		"  --ski-method M     subjectKeyIdentifier: sha1 (RFC 5280) or sha256 (RFC 7093)\n"
		"  --eku-critical, --eku-not-critical  extendedKeyUsage criticality\n"
		"  --rdn [+]TYPE=VALUE  issue, self-sign: the subject as an ordered list, one\n"
		"                     attribute each (C=FR, O=..., CN=...); a leading '+' joins\n"
		"                     the previous RDN (multi-valued); instead of --subject\n"
		"  --previous CRL     crl, lint: the previous CRL (cRLNumber must grow)\n"
		"  --max-days N       crl, lint: nextUpdate cap in days (default 365)\n"
		"  --revoke S[:R[:T]] revoke serial S (hex), CRLReason R (0-10 but 7,\n"
		"                     default 0: none), at unix time T (default: now)\n"
		"  --out FILE         output PEM (must not exist)\n");
}

/* Option parsers below return 0 or a negative CLI_OPTS_* (printed). */
static int parse_long(const struct cli_opts *p, const char *s, const char *what, long lo,
		      long hi, long *out)
{
	char *end = NULL;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
		return cli_opts_usage(p, "%s '%s': a number from %ld to %ld", what, s, lo, hi);
	*out = v;
	return 0;
}

static int parse_revoke(const struct cli_opts *p, struct x509_opts *o, char *spec)
{
	struct x509_revoked *rv;
	char *reason, *when;
	long v;
	int r;

	if (o->n_revoked == X509_MAX_REVOKED)
		return cli_opts_usage(p, "at most %d --revoke", X509_MAX_REVOKED);
	if (o->revoked == NULL) {
		o->revoked = calloc(X509_MAX_REVOKED, sizeof(*o->revoked));
		if (o->revoked == NULL) {
			ce_err_print(CE_ERR_NOMEM);
			return CLI_OPTS_FAIL;
		}
	}
	rv = &o->revoked[o->n_revoked];
	reason = strchr(spec, ':');
	when = reason != NULL ? strchr(reason + 1, ':') : NULL;
	if (reason != NULL)
		*reason++ = '\0';
	if (when != NULL)
		*when++ = '\0';
	rv->serial_hex = spec;
	rv->reason = 0;
	rv->when = time(NULL);
	if (reason != NULL && *reason != '\0') {
		if ((r = parse_long(p, reason, "--revoke reason", 0, 10, &v)) != 0)
			return r;
		rv->reason = (int)v;
	}
	if (when != NULL && *when != '\0') {
		if ((r = parse_long(p, when, "--revoke time", 1, LONG_MAX, &v)) != 0)
			return r;
		rv->when = (time_t)v;
	}
	o->n_revoked++;
	return 0;
}

enum {
	OPT_CA = CLI_OPT_KEY, OPT_MODULE, OPT_KEY, OPT_SUBJECT, OPT_OUT, OPT_ISSUER_CERT, OPT_CSR,
	OPT_KEY_USAGE, OPT_EKU, OPT_DAYS, OPT_PATHLEN, OPT_PIN_FD, OPT_NUMBER, OPT_REVOKE,
	OPT_PROFILE, OPT_PREVIOUS, OPT_MAX_DAYS, OPT_POLICY, OPT_CRL_URL, OPT_OCSP_URL,
	OPT_CA_ISSUERS_URL, OPT_SIG_ALG, OPT_NOT_AFTER, OPT_PERMITTED, OPT_EXCLUDED,
	OPT_OCSP_NOCHECK, OPT_NO_OCSP_NOCHECK, OPT_SKI_METHOD, OPT_EKU_CRITICAL,
	OPT_EKU_NOT_CRITICAL, OPT_RDN
};

/* One table for every sub-verb: an option a sub-verb does not use is
 * accepted and ignored. */
static const struct cli_opt x509_opts_table[] = {
	{ "ca", OPT_CA, 0 },
	{ "module", OPT_MODULE, 1 },
	{ "key", OPT_KEY, 1 },
	{ "subject", OPT_SUBJECT, 1 },
	{ "out", OPT_OUT, 1 },
	{ "issuer-cert", OPT_ISSUER_CERT, 1 },
	{ "csr", OPT_CSR, 1 },
	{ "key-usage", OPT_KEY_USAGE, 1 },
	{ "eku", OPT_EKU, 1 },
	{ "days", OPT_DAYS, 1 },
	{ "pathlen", OPT_PATHLEN, 1 },
	{ "pin-fd", OPT_PIN_FD, 1 },
	{ "number", OPT_NUMBER, 1 },
	{ "revoke", OPT_REVOKE, 1 },
	{ "profile", OPT_PROFILE, 1 },
	{ "previous", OPT_PREVIOUS, 1 },
	{ "max-days", OPT_MAX_DAYS, 1 },
	{ "policy", OPT_POLICY, 1 },
	{ "crl-url", OPT_CRL_URL, 1 },
	{ "ocsp-url", OPT_OCSP_URL, 1 },
	{ "ca-issuers-url", OPT_CA_ISSUERS_URL, 1 },
	{ "signature-algorithm", OPT_SIG_ALG, 1 },
	{ "not-after", OPT_NOT_AFTER, 1 },
	{ "permitted", OPT_PERMITTED, 1 },
	{ "excluded", OPT_EXCLUDED, 1 },
	{ "ocsp-nocheck", OPT_OCSP_NOCHECK, 0 },
	{ "no-ocsp-nocheck", OPT_NO_OCSP_NOCHECK, 0 },
	{ "ski-method", OPT_SKI_METHOD, 1 },
	{ "eku-critical", OPT_EKU_CRITICAL, 0 },
	{ "eku-not-critical", OPT_EKU_NOT_CRITICAL, 0 },
	{ "rdn", OPT_RDN, 1 },
	{ NULL, 0, 0 },
};

/* A repeated URL option into list[*n]. */
static int url_add(const struct cli_opts *p, const char *what, const char *val,
		   const char **list, size_t *n)
{
	if (*n >= X509_CLI_MAX_URLS)
		return cli_opts_usage(p, "%s: at most %d", what, X509_CLI_MAX_URLS);
	list[(*n)++] = val;
	return 0;
}

/* p's option c (its value: p->value) into o. */
static int x509_opt_set(const struct cli_opts *p, struct x509_opts *o, int c)
{
	const char **slot = NULL;
	char *val = p->value;
	long v;
	int r;

	switch (c) {
	case OPT_CA:
		o->ca = 1;
		return 0;
	case OPT_MODULE: slot = &o->module; break;
	case OPT_KEY: slot = &o->key; break;
	case OPT_SUBJECT: slot = &o->subject; break;
	case OPT_OUT: slot = &o->out; break;
	case OPT_ISSUER_CERT: slot = &o->issuer_cert; break;
	case OPT_CSR: slot = &o->csr; break;
	case OPT_KEY_USAGE: slot = &o->key_usage; break;
	case OPT_EKU: slot = &o->eku; break;
	case OPT_PROFILE: slot = &o->profile; break;
	case OPT_PREVIOUS: slot = &o->previous; break;
	case OPT_MAX_DAYS:
		return parse_long(p, val, "--max-days", 1, 3660, &o->max_days);
	case OPT_POLICY: {
		char *eq = strchr(val, '=');

		if (o->n_policies >= X509_CLI_MAX_URLS)
			return cli_opts_usage(p, "--policy: at most %d", X509_CLI_MAX_URLS);
		if (eq != NULL)
			*eq = '\0';
		o->policies[o->n_policies].oid = val;
		o->policies[o->n_policies].cps = eq != NULL ? eq + 1 : NULL;
		o->n_policies++;
		return 0;
	}
	case OPT_SIG_ALG: slot = &o->sig_alg; break;
	case OPT_NOT_AFTER:
		if (script_time_parse(val, &o->not_after) < 0)
			return cli_opts_usage(p, "--not-after '%s': YYYY-MM-DD or "
					      "YYYY-MM-DDTHH:MM:SSZ (UTC)", val);
		return 0;
	case OPT_CRL_URL:
		return url_add(p, "--crl-url", val, o->crl_urls, &o->n_crl_urls);
	case OPT_OCSP_URL:
		return url_add(p, "--ocsp-url", val, o->ocsp_urls, &o->n_ocsp_urls);
	case OPT_CA_ISSUERS_URL:
		return url_add(p, "--ca-issuers-url", val, o->ca_issuers_urls,
			       &o->n_ca_issuers_urls);
	case OPT_PERMITTED:
		return url_add(p, "--permitted", val, o->nc_permitted, &o->n_nc_permitted);
	case OPT_EXCLUDED:
		return url_add(p, "--excluded", val, o->nc_excluded, &o->n_nc_excluded);
	case OPT_OCSP_NOCHECK:
	case OPT_NO_OCSP_NOCHECK:
		o->ocsp_nocheck = c == OPT_OCSP_NOCHECK ? 1 : -1;
		return 0;
	case OPT_EKU_CRITICAL:
	case OPT_EKU_NOT_CRITICAL:
		o->eku_critical = c == OPT_EKU_CRITICAL ? 1 : -1;
		return 0;
	case OPT_RDN: {
		struct x509_name_attr *a = &o->rdn[o->n_rdn];
		char *eq;

		if (o->n_rdn >= X509_CLI_MAX_RDN)
			return cli_opts_usage(p, "--rdn: at most %d", X509_CLI_MAX_RDN);
		a->same_rdn = val[0] == '+';
		if (a->same_rdn && o->n_rdn == 0)
			return cli_opts_usage(p, "--rdn '%s': the first attribute has no RDN to "
					      "join", val);
		if (a->same_rdn)
			val++;
		eq = strchr(val, '=');
		if (eq == NULL || eq == val || eq[1] == '\0')
			return cli_opts_usage(p, "--rdn '%s': TYPE=VALUE", val);
		*eq = '\0';
		a->type = val;
		a->value = eq + 1;
		o->n_rdn++;
		return 0;
	}
	case OPT_SKI_METHOD:
		if (strcmp(val, "sha1") != 0 && strcmp(val, "sha256") != 0)
			return cli_opts_usage(p, "--ski-method '%s': sha1 (RFC 5280 4.2.1.2) or "
					      "sha256 (RFC 7093 2)", val);
		o->ski_method = strcmp(val, "sha1") == 0 ? 1 : 2;
		return 0;
	case OPT_DAYS:
		return parse_long(p, val, "--days", 1, 36525, &o->days);
	case OPT_PATHLEN:
		return parse_long(p, val, "--pathlen", 0, 64, &o->path_len);
	case OPT_PIN_FD:
		if ((r = parse_long(p, val, "--pin-fd", 0, INT_MAX, &v)) != 0)
			return r;
		o->pin_fd = (int)v;
		return 0;
	case OPT_NUMBER:
		if ((r = parse_long(p, val, "--number", 0, LONG_MAX, &v)) != 0)
			return r;
		o->crl_number = (uint64_t)v;
		o->have_number = 1;
		return 0;
	case OPT_REVOKE:
		return parse_revoke(p, o, val);
	default: /* CLI_OPT_OPERAND */
		return cli_opts_usage(p, "unexpected argument '%s'", val);
	}
	*slot = val;
	return 0;
}

/* The sub-verb's options: argv[0] is its name. */
static int x509_parse(int argc, char **argv, struct x509_opts *o)
{
	struct cli_opts p;
	int c, r;

	o->days = -1;
	o->path_len = -1;
	o->pin_fd = -1;
	cli_opts_init(&p, &cli_verb_x509, argv[0], x509_opts_table, argc, argv);
	while ((c = cli_opts_next(&p)) > 0)
		if ((r = x509_opt_set(&p, o, c)) != 0)
			return r;
	if (c < 0)
		return c;
	if (o->key == NULL || o->out == NULL)
		return cli_opts_usage(&p, "needs --key and --out");
	if (o->n_rdn > 0 && o->subject != NULL)
		return cli_opts_usage(&p, "give --subject or --rdn, not both");
	if (o->n_rdn > 0 && o->cmd != CMD_ISSUE && o->cmd != CMD_SELF_SIGN)
		return cli_opts_usage(&p, "--rdn is for issue and self-sign");
	if ((o->cmd == CMD_SELF_SIGN || o->cmd == CMD_CSR) && o->subject == NULL &&
	    o->n_rdn == 0)
		return cli_opts_usage(&p, "needs --subject");
	if (o->cmd != CMD_CSR && o->days < 0 &&
	    !((o->cmd == CMD_ISSUE || o->cmd == CMD_SELF_SIGN) && o->not_after != 0))
		return cli_opts_usage(&p, "needs --days");
	if (o->not_after != 0 &&
	    ((o->cmd != CMD_ISSUE && o->cmd != CMD_SELF_SIGN) || o->days >= 0))
		return cli_opts_usage(&p, "--not-after is for issue and self-sign, instead of "
				      "--days");
	if ((o->cmd == CMD_ISSUE || o->cmd == CMD_CRL) && o->issuer_cert == NULL)
		return cli_opts_usage(&p, "needs --issuer-cert");
	if (o->cmd == CMD_ISSUE && o->csr == NULL)
		return cli_opts_usage(&p, "needs --csr");
	if (o->cmd == CMD_CRL && !o->have_number)
		return cli_opts_usage(&p, "needs --number");
	if (o->cmd == CMD_ISSUE && !o->ca && o->profile == NULL && o->path_len >= 0)
		return cli_opts_usage(&p, "--pathlen needs --ca");
	return 0;
}

/* The user PIN into secmem: from --pin-fd, else from the terminal (echo
 * off). *pin is owned by the caller (secmem_free). */
static int pin_read(int fd, char **pin, size_t *len)
{
	int r = CE_ERR_INTERNAL;
	char *p = NULL;
	int tty = -1;

	*pin = NULL;
	p = secmem_alloc(X509_PIN_MAX_BYTES);
	if (p == NULL) {
		r = CE_ERR_MLOCK;
		goto out;
	}
	if (fd < 0) {
		tty = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
		if (tty < 0) {
			r = ce_err_set(CE_ERR_TTY, "no terminal to ask the user PIN on: use --pin-fd N");
			goto out;
		}
		/* echo off under the share-entry guard: every signal restores it */
		r = shares_ui_secret_line_read(tty, "User PIN: ", p, X509_PIN_MAX_BYTES, len);
	} else {
		r = buf_read_secret_line(fd, p, X509_PIN_MAX_BYTES, len);
	}
	if (r == 0)
		r = ce_err_set(CE_ERR_PIN, "no PIN given (end of input)");
	if (r < 0)
		goto out;
	*pin = p;
	p = NULL; /* transferred */
	r = 0;
out:
	if (tty >= 0)
		close(tty);
	secmem_free(p);
	return r;
}

/* issue's profile: the ready one named by --profile with the options given
 * as overrides, or the legacy one from --ca/--key-usage/--eku. */
static int issue_profile(const struct x509_opts *o, time_t now, struct x509_profile *p)
{
	int r;

	memset(p, 0, sizeof(*p));
	if (o->profile != NULL) {
		r = x509_profile_ready(o->profile, p);
		if (r < 0)
			return r;
		if (o->ca)
			p->ca = 1;
		if (o->path_len >= 0)
			p->path_len = (int)o->path_len;
	} else {
		p->ca = o->ca;
		p->path_len = (int)o->path_len;
	}
	p->subject = o->subject;
	p->subject_attrs = o->n_rdn > 0 ? o->rdn : NULL;
	p->n_subject_attrs = o->n_rdn;
	p->not_before = now;
	p->validity_days = o->not_after != 0 ? 0 : (unsigned int)o->days;
	p->not_after = o->not_after;
	p->sig_alg = o->sig_alg;
	if (o->key_usage != NULL)
		p->key_usage = o->key_usage;
	if (o->eku != NULL)
		p->ext_key_usage = o->eku;
	p->policies = o->policies;
	p->n_policies = o->n_policies;
	p->crl_urls = o->crl_urls;
	p->n_crl_urls = o->n_crl_urls;
	p->ocsp_urls = o->ocsp_urls;
	p->n_ocsp_urls = o->n_ocsp_urls;
	p->ca_issuers_urls = o->ca_issuers_urls;
	p->n_ca_issuers_urls = o->n_ca_issuers_urls;
	p->nc_permitted = o->nc_permitted;
	p->n_nc_permitted = o->n_nc_permitted;
	p->nc_excluded = o->nc_excluded;
	p->n_nc_excluded = o->n_nc_excluded;
	if (o->ocsp_nocheck != 0)
		p->ocsp_nocheck = o->ocsp_nocheck > 0;
	if (o->eku_critical != 0)
		p->eku_critical = o->eku_critical > 0;
	if (o->ski_method != 0)
		p->ski_method = o->ski_method == 2 ? X509_SKI_SHA256 : X509_SKI_SHA1;
	return 0;
}

/* self-sign: with --profile or --not-after, the ready profile (root-ca by
 * default) with the options as overrides (x509_self_sign); else the legacy
 * root (x509_ca_self_sign). */
static int self_sign(const struct p11_ossl_key *k, struct x509_opts *o, time_t now, X509 **cert)
{
	struct x509_ca_params cp = { .subject = o->subject, .not_before = now,
				     .not_after = now + o->days * X509_DAY_SECONDS,
				     .path_len = (int)o->path_len };
	struct x509_profile p;
	int r;

	if (o->profile == NULL && o->not_after == 0 && o->n_rdn == 0)
		return x509_ca_self_sign(k, &cp, cert);
	if (o->profile == NULL)
		o->profile = "root-ca";
	r = issue_profile(o, now, &p);
	if (r < 0)
		return r;
	return x509_self_sign(k, &p, cert);
}

/* x509 crl: the CRL's parameters from the options (and --previous), signed
 * by k. *crl owned by the caller. */
static int crl_do(const struct x509_opts *o, const struct p11_ossl_key *k, X509 *issuer,
		  struct p11_ossl *ossl, time_t now, X509_CRL **crl)
{
	struct x509_crl_params p = { .this_update = now,
				     .next_update = now + o->days * X509_DAY_SECONDS,
				     .crl_number = o->crl_number,
				     .revoked = o->revoked,
				     .n_revoked = o->n_revoked,
				     .max_next_days = (unsigned int)o->max_days };
	X509_CRL *prev = NULL;
	int r;

	if (o->previous != NULL &&
	    (r = x509_pem_read(o->previous, X509_KIND_CRL, p11_ossl_libctx(ossl),
			       (void **)&prev)) < 0)
		return r;
	p.previous = prev;
	r = x509_crl_make(k, issuer, &p, crl);
	X509_CRL_free(prev);
	return r;
}

static int x509_do(struct x509_opts *o)
{
	int r = CE_ERR_INTERNAL;
	struct p11_ctx *ctx = NULL;
	struct p11_token *tok = NULL;
	struct p11_session *s = NULL;
	struct p11_ossl *ossl = NULL;
	struct p11_ossl_key k = { 0 };
	struct p11_key *pk = NULL;
	const struct p11_module *m;
	char *pin = NULL;
	size_t pin_len = 0;
	X509 *issuer = NULL, *cert = NULL;
	X509_REQ *csr = NULL;
	X509_CRL *crl = NULL;
	void *obj = NULL;
	enum x509_kind kind = X509_KIND_CERT;
	char fpr[X509_FPR_HEX_BYTES];
	time_t now = time(NULL);
	struct stat st;

	/* Refuse an existing output before anything is signed (outfile_create
	 * refuses it again, atomically, when writing). */
	if (lstat(o->out, &st) == 0) {
		r = ce_err_set(CE_ERR_EXISTS, "%s: already exists; refusing to overwrite", o->out);
		goto out;
	}
	if ((r = p11_ctx_open(o->module, &ctx)) < 0 || (r = p11_token_find(ctx, o->key, &tok)) < 0 ||
	    (r = p11_session_open(tok, &s)) < 0)
		goto out;
	r = pin_read(o->pin_fd, &pin, &pin_len);
	if (r < 0)
		goto out;
	r = p11_session_login(s, P11_USER_NORMAL, pin, pin_len);
	secmem_free(pin);
	pin = NULL;
	if (r < 0)
		goto out;
	m = p11_token_module(tok);
	r = p11_ossl_open(p11_module_path(m), p11_module_init_args(m), &ossl);
	if (r < 0)
		goto out;
	r = p11_ossl_key_load(ossl, o->key, NULL, &k);
	if (r == CE_ERR_NOT_FOUND && p11_key_find(s, o->key, &pk) == 0) {
		/* We see the key but the provider does not share our login (a
		 * remote module): sign through our layer instead. */
		fprintf(stderr, "ceremony: note: OpenSSL's provider does not see the login on "
				"this module; signing through ceremony's PKCS#11 layer\n");
		ce_err_clear();
		r = p11_ossl_key_from_p11(ossl, pk, &k);
	} else if (r == 0 && (r = p11_key_find(s, o->key, &pk)) == 0) {
		/* Without the token's hash-and-sign, our layer builds the
		 * DigestInfo (docs/pkcs11.md "Signing"). */
		r = p11_ossl_key_route(&k, pk);
	}
	if (r < 0)
		goto out;
	if (o->issuer_cert != NULL &&
	    (r = x509_pem_read(o->issuer_cert, X509_KIND_CERT, p11_ossl_libctx(ossl),
			       (void **)&issuer)) < 0)
		goto out;
	switch (o->cmd) {
	case CMD_SELF_SIGN:
		r = self_sign(&k, o, now, &cert);
		obj = cert;
		break;
	case CMD_CSR:
		r = x509_csr_make(&k, o->subject, &csr);
		obj = csr;
		kind = X509_KIND_CSR;
		break;
	case CMD_ISSUE: {
		struct x509_profile p;

		r = issue_profile(o, now, &p);
		if (r == 0)
			r = x509_pem_read(o->csr, X509_KIND_CSR, p11_ossl_libctx(ossl),
					  (void **)&csr);
		if (r == 0)
			r = x509_cert_issue(&k, issuer, csr, &p, &cert);
		obj = cert;
		break;
	}
	case CMD_CRL:
		r = crl_do(o, &k, issuer, ossl, now, &crl);
		obj = crl;
		kind = X509_KIND_CRL;
		break;
	case CMD_LINT: /* cmd_x509_lint.c */
		r = ce_err_set(CE_ERR_INTERNAL, "x509 lint is not signed");
		break;
	}
	if (r < 0)
		goto out;
	r = x509_pem_write(o->out, kind, obj, fpr, NULL);
	if (r < 0)
		goto out;
	printf("sha256:%s  %s\n", fpr, o->out);
	r = 0;
out:
	secmem_free(pin);
	X509_free(cert);
	X509_free(issuer);
	X509_REQ_free(csr);
	X509_CRL_free(crl);
	/* OpenSSL first, while our session keeps the login (pkcs11/x509/ossl.h). */
	p11_ossl_key_free(&k);
	p11_key_free(pk);
	p11_ossl_close(ossl);
	p11_session_close(s);
	p11_token_free(tok);
	p11_ctx_free(ctx);
	return r;
}

static int x509_run(int argc, char **argv)
{
	/* in enum x509_cmd's order */
	static const char *const subverbs[] = { "self-sign", "csr", "issue", "crl", "lint", NULL };
	struct x509_opts o;
	int which, r;

	memset(&o, 0, sizeof(o));
	which = cli_subverb_find(&cli_verb_x509, argc, argv, subverbs);
	if (which < 0)
		return cli_opts_status(which);
	o.cmd = (enum x509_cmd)which;
	if (o.cmd == CMD_LINT)
		return cmd_x509_lint(&cli_verb_x509, argc - 1, argv + 1);
	r = x509_parse(argc - 1, argv + 1, &o);
	if (r < 0)
		r = cli_opts_status(r);
	else if ((r = x509_do(&o)) < 0)
		r = cli_fail(r);
	else
		r = CLI_EXIT_OK;
	free(o.revoked);
	return r;
}

const struct cli_verb cli_verb_x509 = {
	.name = "x509",
	.synopsis = "self-sign|csr|issue|crl --key URI ... --out FILE | lint FILE",
	.summary = "certificates, CSRs and CRLs signed by a token key (verified, never overwritten)",
	.run = x509_run,
	.help = x509_help,
};
