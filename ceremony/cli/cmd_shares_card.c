/* SPDX-License-Identifier: Apache-2.0 */
#include "ceremony/cli/cli.h"
#include "ceremony/cli/cmd_shares.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/secmem.h"
#include "shares/slip39.h"
#include "shares/ui/ui.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#define CARD_LINE_MAX 1024
#define CARD_TEXT_MAX 200

void shares_cmd_card_help(FILE *f)
{
	fprintf(f, "usage: ceremony shares card --out PATH [--holder NAME] [--label TEXT]\n\n"
		   "Read one share mnemonic (one line) on standard input and write a printable\n"
		   "A4 PDF share card: holder, what the share protects, set identifier, group and\n"
		   "member position, the numbered words and a QR code of the mnemonic.\n\n"
		   "  --out PATH      the PDF to create (mode 0600; an existing file is never\n"
		   "                  overwritten); - writes it to standard output, which must not\n"
		   "                  be a terminal (e.g. | lp)\n"
		   "  --holder NAME   the key holder's name, printed on the card\n"
		   "  --label TEXT    what the share set protects, printed on the card\n\n"
		   "The card holds the secret share: print it, seal it in its envelope, then\n"
		   "destroy the file.\n");
}

static int card_text_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (n > CARD_TEXT_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

static int card_write_stdout(const uint8_t *p, size_t len)
{
	while (len > 0) {
		ssize_t k = write(STDOUT_FILENO, p, len);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return ce_err_set(CE_ERR_IO, "standard output: %s",
					  k < 0 ? strerror(errno) : "short write");
		p += k;
		len -= (size_t)k;
	}
	return 0;
}

/* One mnemonic: the first non-blank line; anything after it is refused. */
static int card_read_share(char *line, struct slip39_share *share)
{
	int r = CE_ERR_INTERNAL;
	size_t len = 0, lineno = 0, i;

	for (;;) {
		r = buf_read_secret_line(STDIN_FILENO, line, CARD_LINE_MAX, &len);
		if (r < 0) {
			r = ce_err_prefix(r, "standard input line %zu", lineno + 1);
			goto out;
		}
		if (r == 0) {
			r = ce_err_set(CE_ERR_FORMAT, "standard input: no share mnemonic");
			goto out;
		}
		lineno++;
		for (i = 0; i < len && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r'); i++)
			;
		if (i < len)
			break;
	}
	r = slip39_mnemonic_decode(line, len, share);
	if (r < 0) {
		r = ce_err_prefix(r, "standard input line %zu", lineno);
		goto out;
	}
	for (;;) {
		r = buf_read_secret_line(STDIN_FILENO, line, CARD_LINE_MAX, &len);
		if (r < 0)
			goto out;
		if (r == 0)
			break;
		lineno++;
		for (i = 0; i < len && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r'); i++)
			;
		if (i < len) {
			r = ce_err_set(CE_ERR_FORMAT, "standard input line %zu: one share per card; "
				       "give the card command one mnemonic", lineno);
			goto out;
		}
	}
	r = 0;
out:
	ce_wipe(line, CARD_LINE_MAX);
	return r;
}

enum { OPT_OUT = CLI_OPT_KEY, OPT_HOLDER, OPT_LABEL };

static const struct cli_opt card_opts[] = {
	{ "out", OPT_OUT, 1 },
	{ "holder", OPT_HOLDER, 1 },
	{ "label", OPT_LABEL, 1 },
	{ NULL, 0, 0 },
};

/* The options into *out_path and pos. Returns 0 or a negative CLI_OPTS_*
 * (printed). */
static int card_parse(const struct cli_verb *parent, int argc, char **argv,
		      const char **out_path, struct shares_ui_position *pos)
{
	struct cli_opts p;
	int c;

	cli_opts_init(&p, parent, "card", card_opts, argc, argv);
	p.help = shares_cmd_card_help;
	while ((c = cli_opts_next(&p)) > 0) {
		if (c == OPT_OUT)
			*out_path = p.value;
		else if (c == OPT_HOLDER)
			pos->holder = p.value;
		else if (c == OPT_LABEL)
			pos->set_label = p.value;
		else
			return cli_opts_usage(&p, "unexpected argument '%s'", p.value);
	}
	if (c < 0)
		return c;
	if (*out_path == NULL || (*out_path)[0] == '\0')
		return cli_opts_usage(&p, "--out PATH is required");
	if ((pos->holder != NULL && !card_text_ok(pos->holder)) ||
	    (pos->set_label != NULL && !card_text_ok(pos->set_label)))
		return cli_opts_usage(&p, "--holder and --label take printable text of at most "
				      "200 bytes");
	if (strcmp(*out_path, "-") == 0 && isatty(STDOUT_FILENO))
		return cli_opts_usage(&p, "--out - writes a PDF: standard output must not be a "
				      "terminal");
	return 0;
}

int shares_cmd_card(const struct cli_verb *parent, int argc, char **argv)
{
	int r = CE_ERR_INTERNAL, rc = CLI_EXIT_FAIL, c;
	const char *out_path = NULL;
	struct shares_ui_position pos;
	struct slip39_share *share = NULL;
	char *line = NULL;
	uint8_t *pdf = NULL;
	size_t pdf_len = 0;

	memset(&pos, 0, sizeof(pos));
	c = card_parse(parent, argc, argv, &out_path, &pos);
	if (c < 0) {
		rc = cli_opts_status(c);
		goto done;
	}
	line = secmem_alloc(CARD_LINE_MAX);
	share = secmem_alloc(sizeof(*share));
	if (line == NULL || share == NULL) {
		r = CE_ERR_MLOCK;
		goto out;
	}
	r = card_read_share(line, share);
	if (r < 0)
		goto out;
	pos.identifier = share->identifier;
	pos.group_index = share->group_index;
	pos.group_count = share->group_count;
	pos.group_threshold = share->group_threshold;
	pos.member_index = share->member_index;
	pos.member_threshold = share->member_threshold;
	if (strcmp(out_path, "-") == 0) {
		r = shares_card_render_pdf(&pos, share, &pdf, &pdf_len);
		if (r < 0)
			goto out;
		r = card_write_stdout(pdf, pdf_len);
		if (r < 0)
			goto out;
		fprintf(stderr, "ceremony: the share card written to standard output holds a "
				"secret share: print it, seal it in its envelope.\n");
	} else {
		r = shares_card_write_pdf(out_path, &pos, share);
		if (r < 0)
			goto out;
		fprintf(stderr, "ceremony: %s holds a secret share: print it, seal it in its "
				"envelope, then destroy the file (shred -u %s).\n", out_path, out_path);
	}
	r = 0;
out:
	rc = r < 0 ? cli_fail(r) : CLI_EXIT_OK;
done:
	secmem_free(pdf);
	secmem_free(share);
	secmem_free(line);
	return rc;
}
