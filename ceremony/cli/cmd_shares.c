/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/cli/cmd_shares.c - `ceremony shares split|combine|card`: SLIP-39
 * shares of a master secret, in batch (pipes, for tests and other tools) or
 * interactively at a terminal, one key holder at a time.
 */
#include "ceremony/cli/cli.h"
#include "ceremony/cli/cmd_shares.h"
#include "shares/slip39.h"
#include "shares/ui/ui.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/hex.h"
#include "common/secmem.h"
#include "shares/secret_text.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* hex of the longest secret, and room for blanks around it */
#define SHARES_SECRET_TEXT_MAX (2 * SLIP39_MAX_SECRET_BYTES + 64)
#define SHARES_PASSPHRASE_MAX 1024
/* mnemonics one a line, blank lines and comments between */
#define SHARES_COMBINE_INPUT_MAX (SHARES_MAX_INPUT_SHARES * (SLIP39_MNEMONIC_MAX_LEN + 64))

static void shares_split_help(FILE *f)
{
	fprintf(f,
		"usage: ceremony shares split --group T/N [--group T/N ...] [--group-threshold GT]\n"
		"                 [--secret-format hex|text] [--random BYTES] [--holder NAME ...]\n"
		"                 [--label TEXT] [--passphrase-file F] [--iteration-exponent E]\n"
		"                 [--no-extendable]\n"
		"       ceremony shares split --batch --group T/N ... [--secret-format hex|text]\n\n"
		"Split a master secret into SLIP-39 mnemonic shares, in groups.\n\n"
		"At a terminal: the secret is typed twice without echo (a refused or differing\n"
		"entry is asked again); if the terminal is too small for the QR codes it says so\n"
		"first. Then for each share: \"Next: NAME, please step up to the keyboard\", Enter,\n"
		"the share shown to its holder alone (words and QR code), \"yes\" once written\n"
		"down, the holder types it back from the paper, and the screen and scrollback\n"
		"are cleared before the next holder is called. A share typed back wrong is shown\n"
		"again (3 tries). abort, Ctrl-D or Ctrl-C stop (exit 1, nothing kept).\n\n"
		"  --group T/N             a group of N members, any T of which recover it\n"
		"                          (repeat per group, in order; 1 <= T <= N <= 16)\n"
		"  --group-threshold GT    groups needed (default 1; required with >1 group)\n"
		"  --secret-format hex     the secret is hex, 16 to 64 bytes (default; keys)\n"
		"  --secret-format text    the secret is text of 1 to 63 bytes (a PIN, e.g. 1234,\n"
		"                          or a passphrase): a length byte, the text, zeros to 16\n"
		"                          bytes or more (docs/share-format.md); 20 words a share\n"
		"                          up to 15 characters\n"
		"  --random BYTES          generate a BYTES-long secret instead of typing one\n"
		"  --holder NAME           holder names, in share order (group, then member)\n"
		"  --label TEXT            what the secret protects, shown with each share\n"
		"  --passphrase-file F     passphrase: F's bytes less one trailing newline\n"
		"                          (printable ASCII; default: the empty passphrase)\n"
		"  --iteration-exponent E  PBKDF2 work 10000 << E iterations (0..15, default 1)\n"
		"  --no-extendable         old-style shares (the salt includes the identifier)\n"
		"  --batch                 read the secret on standard input (hex, or text less\n"
		"                          one trailing newline), print every share on its own\n"
		"                          line, a blank line between groups\n\n"
		"Exit status: 0 ok, 1 invalid input, failure or stopped, 2 usage error.\n");
}

static void shares_combine_help(FILE *f)
{
	fprintf(f,
		"usage: ceremony shares combine [--print-secret] [--secret-format hex|text]\n"
		"                 [--pin-derivation D] [--passphrase-file F]\n"
		"       ceremony shares combine --batch [--secret-format hex|text]\n"
		"                 [--pin-derivation D] [--passphrase-file F]\n\n"
		"Combine SLIP-39 shares back into the master secret.\n\n"
		"At a terminal: \"Next key holder, please step up to the keyboard\"; the holder\n"
		"presses Enter and types the share word by word (4 letters a word suffice),\n"
		"nothing shown; the screen and scrollback are cleared before the next holder.\n"
		"A refused share (mistyped, of another set, entered twice) says why and stays\n"
		"on screen until Enter. Progress reads \"Quorum progress: 1/3\". abort, Ctrl-D\n"
		"or Ctrl-C stop (exit 1, nothing kept).\n\n"
		"  --print-secret          print the recovered secret on standard output\n"
		"  --secret-format hex     print it as hex (default)\n"
		"  --secret-format text    print it as the text split with --secret-format text\n"
		"  --pin-derivation D      print the PIN derived from the secret instead of the\n"
		"                          secret (implies --print-secret): D as the transcript\n"
		"                          records it in share.issued or token.initialised\n"
		"                          pin_derivation, e.g. \"hkdf-sha256-v1 typeable 24\"\n"
		"  --passphrase-file F     passphrase: F's bytes less one trailing newline\n"
		"  --batch                 read shares one a line on standard input, print\n"
		"                          the secret\n\n"
		"Exit status: 0 ok, 1 invalid input, failure or stopped, 2 usage error.\n");
}

static void shares_help(FILE *f)
{
	fprintf(f,
		"usage: ceremony shares split [OPTIONS]     (ceremony shares split --help)\n"
		"       ceremony shares combine [OPTIONS]   (ceremony shares combine --help)\n"
		"       ceremony shares card --out PATH ... (ceremony shares card --help)\n\n"
		"Split a master secret (a key in hex, or a PIN or passphrase as text) into\n"
		"SLIP-39 mnemonic shares in groups, combine shares back into it, or print a\n"
		"share card. At a terminal one key holder at a time, each called to the\n"
		"keyboard with the screen cleared; --batch reads standard input instead.\n"
		"Exit status: 0 ok, 1 invalid input, failure or stopped (Ctrl-C, Ctrl-D,\n"
		"abort), 2 usage error.\n\n");
	shares_split_help(f);
	fputc('\n', f);
	shares_combine_help(f);
	fputc('\n', f);
	shares_cmd_card_help(f);
}

/* An interactive split or combine ended: a stop (Ctrl-C, Ctrl-D, abort)
 * says so in one sentence. */
static int shares_tty_finish(int r, const char *verb)
{
	char why[256];

	if (r != CE_ERR_ABORTED)
		return r;
	snprintf(why, sizeof(why), "%s", ce_err_detail());
	return ce_err_set(CE_ERR_ABORTED, "shares %s stopped: %s; %s, and nothing typed was kept",
			  verb, why[0] ? why : "aborted",
			  strcmp(verb, "split") == 0 ? "no share set was completed"
						     : "nothing was recovered");
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t k = write(fd, p, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return ce_err_set(CE_ERR_IO, "write: %s", strerror(errno));
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

static int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end = NULL;
	unsigned long v;

	if (s[0] < '0' || s[0] > '9')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > max)
		return -1;
	*out = v;
	return 0;
}

/* "T/N" */
static int parse_group(const char *s, struct slip39_group_spec *g)
{
	char tmp[16];
	char *slash;
	unsigned long t, n;

	if (strlen(s) >= sizeof(tmp))
		return -1;
	memcpy(tmp, s, strlen(s) + 1);
	slash = strchr(tmp, '/');
	if (slash == NULL)
		return -1;
	*slash = '\0';
	if (parse_uint(tmp, 255, &t) < 0 || parse_uint(slash + 1, 255, &n) < 0)
		return -1;
	g->threshold = (uint8_t)t;
	g->count = (uint8_t)n;
	return 0;
}

/* The passphrase file: its bytes less one trailing newline, in secmem. */
static int passphrase_load(const char *path, uint8_t **pass, size_t *len)
{
	int r = buf_read_secret_file(path, SHARES_PASSPHRASE_MAX, pass, len);

	if (r < 0)
		return r;
	if (*len > 0 && (*pass)[*len - 1] == '\n')
		(*len)--;
	if (*len > 0 && (*pass)[*len - 1] == '\r')
		(*len)--;
	return 0;
}

enum {
	OPT_BATCH = CLI_OPT_KEY, OPT_GROUP, OPT_GT, OPT_PASSFILE, OPT_ITER, OPT_NOEXT, OPT_RANDOM,
	OPT_HOLDER, OPT_LABEL, OPT_PRINT, OPT_FORMAT, OPT_PIN_DERIV
};

static const struct cli_opt split_opts[] = {
	{ "batch", OPT_BATCH, 0 },
	{ "group", OPT_GROUP, 1 },
	{ "group-threshold", OPT_GT, 1 },
	{ "passphrase-file", OPT_PASSFILE, 1 },
	{ "iteration-exponent", OPT_ITER, 1 },
	{ "no-extendable", OPT_NOEXT, 0 },
	{ "random", OPT_RANDOM, 1 },
	{ "holder", OPT_HOLDER, 1 },
	{ "label", OPT_LABEL, 1 },
	{ "secret-format", OPT_FORMAT, 1 },
	{ NULL, 0, 0 },
};

static const struct cli_opt combine_opts[] = {
	{ "batch", OPT_BATCH, 0 },
	{ "passphrase-file", OPT_PASSFILE, 1 },
	{ "print-secret", OPT_PRINT, 0 },
	{ "secret-format", OPT_FORMAT, 1 },
	{ "pin-derivation", OPT_PIN_DERIV, 1 },
	{ NULL, 0, 0 },
};

/* p's option c (its value: p->value) into o. Returns 0 or CLI_OPTS_USAGE
 * (printed). */
static int opt_set(const struct cli_opts *p, struct shares_opts *o, int c)
{
	const char *val = p->value;
	unsigned long v;

	switch (c) {
	case OPT_BATCH:
		o->batch = 1;
		break;
	case OPT_GROUP:
		if (o->p.group_count >= SLIP39_MAX_SHARE_COUNT)
			return cli_opts_usage(p, "more than %d groups",
					      SLIP39_MAX_SHARE_COUNT);
		if (parse_group(val, &o->p.groups[o->p.group_count]) < 0)
			return cli_opts_usage(p, "--group wants T/N (e.g. 3/5), not '%s'", val);
		o->p.group_count++;
		break;
	case OPT_GT:
		if (parse_uint(val, SLIP39_MAX_SHARE_COUNT, &v) < 0 || v < 1)
			return cli_opts_usage(p, "--group-threshold wants 1..%d, not '%s'",
					      SLIP39_MAX_SHARE_COUNT, val);
		o->p.group_threshold = (uint8_t)v;
		o->group_threshold_given = 1;
		break;
	case OPT_PASSFILE:
		o->passphrase_file = val;
		break;
	case OPT_ITER:
		if (parse_uint(val, SLIP39_MAX_ITERATION_EXP, &v) < 0)
			return cli_opts_usage(p, "--iteration-exponent wants 0..%d, not '%s'",
					      SLIP39_MAX_ITERATION_EXP, val);
		o->p.iteration_exponent = (uint8_t)v;
		break;
	case OPT_NOEXT:
		o->p.extendable = 0;
		break;
	case OPT_RANDOM:
		if (parse_uint(val, SLIP39_MAX_SECRET_BYTES, &v) < 0)
			return cli_opts_usage(p, "--random wants a byte count, not '%s'", val);
		o->random_bytes = v;
		break;
	case OPT_HOLDER:
		if (o->holder_count >= SHARES_MAX_INPUT_SHARES)
			return cli_opts_usage(p, "too many --holder");
		o->holders[o->holder_count++] = val;
		break;
	case OPT_LABEL:
		o->label = val;
		break;
	case OPT_PRINT:
		o->print_secret = 1;
		break;
	case OPT_FORMAT:
		if (strcmp(val, "hex") == 0)
			o->format = SHARES_SECRET_HEX;
		else if (strcmp(val, "text") == 0)
			o->format = SHARES_SECRET_TEXT;
		else
			return cli_opts_usage(p, "--secret-format wants hex or text, not '%s'", val);
		break;
	case OPT_PIN_DERIV:
		if (p11_pin_derivation_parse(val, &o->pin_alphabet, &o->pin_len) < 0) {
			ce_err_clear();
			return cli_opts_usage(p, "--pin-derivation wants '%s ALPHABET LENGTH' as a "
					      "transcript records it (alphabet typeable or digits, "
					      "length 1..%d), not '%s'", P11_PIN_DERIVATION_SCHEME,
					      P11_PIN_DERIVE_MAX_LEN, val);
		}
		o->pin_derivation = val;
		break;
	default: /* CLI_OPT_OPERAND */
		return cli_opts_usage(p, "unexpected argument '%s'", val);
	}
	return 0;
}

/* The options together: what split needs, what is for the terminal only. */
static int opts_check(const struct cli_opts *p, int split, const struct shares_opts *o)
{
	size_t g, total = 0;

	if (split) {
		if (o->p.group_count == 0)
			return cli_opts_usage(p, "split needs at least one --group T/N");
		if (o->p.group_count > 1 && !o->group_threshold_given)
			return cli_opts_usage(p, "%u groups: say how many are needed with "
					      "--group-threshold", (unsigned)o->p.group_count);
		for (g = 0; g < o->p.group_count; g++)
			total += o->p.groups[g].count;
		if (o->holder_count != 0 && o->holder_count != total)
			return cli_opts_usage(p, "%zu --holder names for %zu shares",
					      o->holder_count, total);
		if (o->random_bytes && o->format == SHARES_SECRET_TEXT)
			return cli_opts_usage(p, "--random makes a hex secret; not with "
					      "--secret-format text");
		if (o->batch && (o->random_bytes || o->holder_count || o->label))
			return cli_opts_usage(p, "--random, --holder and --label are for the "
					      "interactive split");
	} else if (o->batch && o->print_secret) {
		return cli_opts_usage(p, "--print-secret is for the interactive combine "
				      "(--batch always prints the secret)");
	} else if (o->pin_derivation != NULL && o->format == SHARES_SECRET_TEXT) {
		return cli_opts_usage(p, "--pin-derivation derives the PIN from a 16-byte secret; "
				      "not with --secret-format text (a set issued before "
				      "derived PINs, whose secret is the PIN)");
	}
	if (!o->batch && !(isatty(0) && isatty(1)))
		return cli_opts_usage(p, "not a terminal: use --batch to read standard input");
	return 0;
}

/* split != 0: the split options; else combine's. argv[0] is the sub-verb.
 * Returns 0 or a negative CLI_OPTS_* (printed). */
static int opts_parse(int split, int argc, char **argv, struct shares_opts *o)
{
	struct cli_opts p;
	int c, r;

	memset(o, 0, sizeof(*o));
	o->p.group_threshold = 1;
	o->p.iteration_exponent = 1;
	o->p.extendable = 1;
	cli_opts_init(&p, &cli_verb_shares, argv[0], split ? split_opts : combine_opts, argc, argv);
	p.help = split ? shares_split_help : shares_combine_help;
	while ((c = cli_opts_next(&p)) > 0)
		if ((r = opt_set(&p, o, c)) != 0)
			return r;
	if (c < 0)
		return c;
	return opts_check(&p, split, o);
}

/* Every share's mnemonic, one a line, a blank line between groups, into
 * fresh secmem (*out, *out_len). */
static int split_format(const struct slip39_share_set *set, char **out, size_t *out_len)
{
	int r = CE_ERR_INTERNAL;
	size_t cap = (size_t)SHARES_MAX_INPUT_SHARES * (SLIP39_MNEMONIC_MAX_LEN + 1) +
		     SLIP39_MAX_SHARE_COUNT;
	char *text = NULL;
	size_t off = 0, g, m;

	text = secmem_alloc(cap);
	if (text == NULL) {
		r = CE_ERR_MLOCK;
		goto out;
	}
	for (g = 0; g < set->group_count; g++) {
		if (g > 0)
			text[off++] = '\n';
		for (m = 0; m < set->member_count[g]; m++) {
			r = slip39_mnemonic_encode(&set->shares[g][m], text + off, cap - off);
			if (r < 0)
				goto out;
			off += strlen(text + off);
			text[off++] = '\n';
		}
	}
	*out = text;
	*out_len = off;
	text = NULL; /* transferred */
	r = 0;
out:
	secmem_free(text);
	return r;
}

/* The text secret on stdin: its bytes less one trailing newline. */
static int secret_from_line(const uint8_t *text, size_t len, uint8_t *secret,
			    size_t *secret_len)
{
	if (len > 0 && text[len - 1] == '\n')
		len--;
	if (len > 0 && text[len - 1] == '\r')
		len--;
	return secret_text_encode((const char *)text, len, secret, secret_len);
}

/* The hex secret on fd: hex digits, blanks around them allowed. */
static int secret_from_text(const uint8_t *text, size_t len, uint8_t *secret, size_t *secret_len)
{
	size_t a = 0, b = len;

	while (a < b && (text[a] == ' ' || text[a] == '\t'))
		a++;
	while (b > a && (text[b - 1] == '\n' || text[b - 1] == '\r' || text[b - 1] == ' ' ||
			 text[b - 1] == '\t'))
		b--;
	if (a == b)
		return ce_err_set(CE_ERR_FORMAT, "no secret given (hex expected)");
	return hex_decode((const char *)text + a, b - a, secret, SLIP39_MAX_SECRET_BYTES,
			  secret_len);
}

static int shares_split(int argc, char **argv)
{
	int r = CE_ERR_INTERNAL;
	struct shares_opts o;
	struct slip39_share_set *set = NULL;
	uint8_t *pass = NULL, *in = NULL, *secret = NULL;
	char *text = NULL;
	size_t pass_len = 0, in_len = 0, secret_len = 0, text_len = 0;
	int st;

	st = opts_parse(1, argc, argv, &o);
	if (st < 0)
		return cli_opts_status(st);
	if (o.passphrase_file != NULL) {
		r = passphrase_load(o.passphrase_file, &pass, &pass_len);
		if (r < 0)
			goto out;
	}
	if (!o.batch) {
		r = shares_tty_finish(shares_tty_split(&o, pass, pass_len), "split");
		goto out;
	}
	secret = secmem_alloc(SLIP39_MAX_SECRET_BYTES);
	if (secret == NULL) {
		r = CE_ERR_MLOCK;
		goto out;
	}
	r = buf_read_secret_fd(0, "stdin: the master secret (hex)", SHARES_SECRET_TEXT_MAX, &in,
			       &in_len);
	if (r < 0)
		goto out;
	if (o.format == SHARES_SECRET_TEXT)
		r = secret_from_line(in, in_len, secret, &secret_len);
	else
		r = secret_from_text(in, in_len, secret, &secret_len);
	if (r < 0) {
		r = ce_err_prefix(r, "stdin: the master secret");
		goto out;
	}
	o.p.passphrase = pass;
	o.p.passphrase_len = pass_len;
	r = slip39_split(secret, secret_len, &o.p, &set);
	if (r < 0)
		goto out;
	r = split_format(set, &text, &text_len);
	if (r < 0)
		goto out;
	r = write_all(1, text, text_len);
	if (r < 0)
		goto out;
	r = 0;
out:
	slip39_share_set_free(set);
	secmem_free(pass);
	secmem_free(in);
	secmem_free(secret);
	secmem_free(text);
	return r < 0 ? cli_fail(r) : CLI_EXIT_OK;
}

static int line_is_blank(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
			return 0;
	return 1;
}

/* Decode the mnemonics of text, one a line, into sh (numbers: their lines). */
static int combine_parse(const char *text, size_t len, struct slip39_share *sh, size_t *numbers,
			 size_t *n_out)
{
	size_t off = 0, line = 0, n = 0;
	int r;

	*n_out = 0;
	while (off < len) {
		const char *nl = memchr(text + off, '\n', len - off);
		size_t end = nl != NULL ? (size_t)(nl - text) : len;

		line++;
		if (!line_is_blank(text + off, end - off)) {
			if (n >= SHARES_MAX_INPUT_SHARES)
				return ce_err_set(CE_ERR_TOO_LARGE, "line %zu: more than %d shares",
						  line, SHARES_MAX_INPUT_SHARES);
			r = slip39_mnemonic_decode(text + off, end - off, &sh[n]);
			if (r < 0)
				return ce_err_prefix(r, "line %zu", line);
			numbers[n++] = line;
		}
		off = end + 1;
	}
	*n_out = n;
	return 0;
}

static int shares_combine(int argc, char **argv)
{
	int r = CE_ERR_INTERNAL;
	struct shares_opts o;
	struct slip39_share *sh = NULL;
	size_t *numbers = NULL;
	uint8_t *pass = NULL, *in = NULL, *secret = NULL;
	char *hex = NULL;
	size_t pass_len = 0, in_len = 0, secret_len = 0, n = 0, hex_len = 0;
	int st;

	st = opts_parse(0, argc, argv, &o);
	if (st < 0)
		return cli_opts_status(st);
	if (o.passphrase_file != NULL) {
		r = passphrase_load(o.passphrase_file, &pass, &pass_len);
		if (r < 0)
			goto out;
	}
	if (!o.batch) {
		r = shares_tty_finish(shares_tty_combine(&o, pass, pass_len), "combine");
		goto out;
	}
	sh = secmem_alloc(SHARES_MAX_INPUT_SHARES * sizeof(*sh));
	numbers = calloc(SHARES_MAX_INPUT_SHARES, sizeof(*numbers));
	secret = secmem_alloc(SLIP39_MAX_SECRET_BYTES);
	hex = secmem_alloc(2 * SLIP39_MAX_SECRET_BYTES + 2);
	if (sh == NULL || secret == NULL || hex == NULL) {
		r = CE_ERR_MLOCK;
		goto out;
	}
	if (numbers == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	r = buf_read_secret_fd(0, "stdin", SHARES_COMBINE_INPUT_MAX, &in, &in_len);
	if (r < 0)
		goto out;
	r = combine_parse((const char *)in, in_len, sh, numbers, &n);
	if (r < 0)
		goto out;
	if (n == 0) {
		r = ce_err_set(CE_ERR_QUORUM, "stdin: no shares given");
		goto out;
	}
	r = slip39_combine_named(sh, n, "line", numbers, pass, pass_len, secret, &secret_len);
	if (r < 0)
		goto out;
	r = shares_secret_render(&o, secret, secret_len, hex, 2 * SLIP39_MAX_SECRET_BYTES + 2,
				 &hex_len);
	if (r < 0)
		goto out;
	hex[hex_len] = '\n';
	r = write_all(1, hex, hex_len + 1);
	if (r < 0)
		goto out;
	r = 0;
out:
	secmem_free(sh);
	free(numbers);
	secmem_free(pass);
	secmem_free(in);
	secmem_free(secret);
	secmem_free(hex);
	return r < 0 ? cli_fail(r) : CLI_EXIT_OK;
}

static int shares_card(int argc, char **argv)
{
	return shares_cmd_card(&cli_verb_shares, argc, argv);
}

static int shares_run(int argc, char **argv)
{
	static const char *const subverbs[] = { "split", "combine", "card", NULL };
	static int (*const run[])(int, char **) = { shares_split, shares_combine, shares_card };
	int which = cli_subverb_find(&cli_verb_shares, argc, argv, subverbs);

	if (which < 0)
		return cli_opts_status(which);
	return run[which](argc - 1, argv + 1);
}

const struct cli_verb cli_verb_shares = {
	.name = "shares",
	.synopsis = "split|combine|card [OPTIONS]",
	.summary = "split a secret into SLIP-39 shares, or combine them",
	.run = shares_run,
	.help = shares_help,
};
