/* SPDX-License-Identifier: Apache-2.0 */
#include "ceremony/cli/cli.h"
#include "ceremony/cli/cmd_shares.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/secmem.h"
#include "shares/slip39.h"
#include "shares/ui/ui.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>
#include <unistd.h>

#define CARD_LINE_MAX 1024
#define CARD_TEXT_MAX 200

void shares_cmd_card_help(FILE *f)
{
	fprintf(f, "usage: ceremony shares card --out PATH [--holder NAME] [--label TEXT]\n"
		   "                 [--members M] [--ceremony NAME] [--date DATE] [--share-fd N]\n\n"
		   "Write a printable A4 PDF share card a holder can use alone years later:\n"
		   "holder, ceremony and date, what the share protects, \"share m of M, group g\n"
		   "of G, set X: member m of M\", the threshold in words (\"Any 3 of these 5\n"
		   "shares recover the secret\"), the word count and how to type it (the first\n"
		   "4 letters of each word suffice), the numbered words, a QR code of the\n"
		   "mnemonic, and places for the envelope number and a signature.\n\n"
		   "The share: at a terminal it is typed word by word, nothing shown, and the\n"
		   "screen and scrollback are cleared after; otherwise one mnemonic line on\n"
		   "standard input, or on descriptor N with --share-fd N.\n\n"
		   "  --out PATH      the PDF to create (mode 0600; an existing file is never\n"
		   "                  overwritten); - writes it to standard output, which must not\n"
		   "                  be a terminal (e.g. | lp)\n"
		   "  --holder NAME   the key holder's name\n"
		   "  --label TEXT    what the share set protects\n"
		   "  --members M     shares in the holder's group (a share does not carry it):\n"
		   "                  \"member 2 of 5\", \"any 3 of these 5 shares\"\n"
		   "  --ceremony NAME the ceremony that issued the share\n"
		   "  --date DATE     the date printed (default: today, UTC, YYYY-MM-DD)\n"
		   "  --share-fd N    read the share from descriptor N (e.g. 3<share)\n\n"
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
static int card_read_share(int fd, const char *src, char *line, struct slip39_share *share)
{
	int r = CE_ERR_INTERNAL;
	size_t len = 0, lineno = 0, i;

	for (;;) {
		r = buf_read_secret_line(fd, line, CARD_LINE_MAX, &len);
		if (r < 0) {
			r = ce_err_prefix(r, "%s line %zu", src, lineno + 1);
			goto out;
		}
		if (r == 0) {
			r = ce_err_set(CE_ERR_FORMAT, "%s: no share mnemonic", src);
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
		r = ce_err_prefix(r, "%s line %zu", src, lineno);
		goto out;
	}
	for (;;) {
		r = buf_read_secret_line(fd, line, CARD_LINE_MAX, &len);
		if (r < 0)
			goto out;
		if (r == 0)
			break;
		lineno++;
		for (i = 0; i < len && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r'); i++)
			;
		if (i < len) {
			r = ce_err_set(CE_ERR_FORMAT, "%s line %zu: one share per card; "
				       "give the card command one mnemonic", src, lineno);
			goto out;
		}
	}
	r = 0;
out:
	ce_wipe(line, CARD_LINE_MAX);
	return r;
}

/* At a terminal: typed word by word without echo, the screen and
 * scrollback cleared after (the entry's hints name words). */
static int card_read_tty(struct slip39_share *share)
{
	struct shares_ui_term t = { -1, NULL, 0 };
	int r = CE_ERR_INTERNAL;

	r = shares_tty_open(&t);
	if (r < 0)
		goto out;
	r = shares_ui_clear(&t);
	if (r < 0)
		goto out;
	r = shares_ui_enter(&t, "Type the share to print on the card.", share);
	if (r == 0 && shares_tty_interrupted())
		r = ce_err_set(CE_ERR_ABORTED, "interrupted (Ctrl-C)");
	if (r == CE_ERR_ABORTED)
		r = ce_err_prefix(r, "shares card stopped; no card was written");
out:
	if (t.out != NULL && shares_ui_clear(&t) < 0 && r == 0)
		r = CE_ERR_IO;
	shares_tty_close(&t);
	return r;
}

enum { OPT_OUT = CLI_OPT_KEY, OPT_HOLDER, OPT_LABEL, OPT_MEMBERS, OPT_CEREMONY, OPT_DATE,
       OPT_SHARE_FD };

static const struct cli_opt card_opts[] = {
	{ "out", OPT_OUT, 1 },
	{ "holder", OPT_HOLDER, 1 },
	{ "label", OPT_LABEL, 1 },
	{ "members", OPT_MEMBERS, 1 },
	{ "ceremony", OPT_CEREMONY, 1 },
	{ "date", OPT_DATE, 1 },
	{ "share-fd", OPT_SHARE_FD, 1 },
	{ NULL, 0, 0 },
};

/* A small decimal number lo..hi, or -1. */
static long card_number(const char *s, long lo, long hi)
{
	char *end = NULL;
	long v;

	if (s[0] < '0' || s[0] > '9')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < lo || v > hi)
		return -1;
	return v;
}

/* The options into *out_path and pos. Returns 0 or a negative CLI_OPTS_*
 * (printed). */
static int card_parse(const struct cli_verb *parent, int argc, char **argv,
		      const char **out_path, struct shares_ui_position *pos, int *share_fd)
{
	struct cli_opts p;
	long v;
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
		else if (c == OPT_CEREMONY)
			pos->ceremony = p.value;
		else if (c == OPT_DATE)
			pos->date = p.value;
		else if (c == OPT_MEMBERS) {
			if ((v = card_number(p.value, 1, SLIP39_MAX_SHARE_COUNT)) < 0)
				return cli_opts_usage(&p, "--members wants 1..%d, not '%s'",
						      SLIP39_MAX_SHARE_COUNT, p.value);
			pos->member_count = (uint8_t)v;
		} else if (c == OPT_SHARE_FD) {
			if ((v = card_number(p.value, 0, 1023)) < 0 || v == STDOUT_FILENO)
				return cli_opts_usage(&p, "--share-fd wants an open descriptor "
						      "number (not 1), not '%s'", p.value);
			*share_fd = (int)v;
		} else
			return cli_opts_usage(&p, "unexpected argument '%s'", p.value);
	}
	if (c < 0)
		return c;
	if (*out_path == NULL || (*out_path)[0] == '\0')
		return cli_opts_usage(&p, "--out PATH is required");
	if ((pos->holder != NULL && !card_text_ok(pos->holder)) ||
	    (pos->set_label != NULL && !card_text_ok(pos->set_label)) ||
	    (pos->ceremony != NULL && !card_text_ok(pos->ceremony)) ||
	    (pos->date != NULL && !card_text_ok(pos->date)))
		return cli_opts_usage(&p, "--holder, --label, --ceremony and --date take "
				      "printable text of at most 200 bytes");
	if (*share_fd >= 0 && fcntl(*share_fd, F_GETFD) < 0)
		return cli_opts_usage(&p, "--share-fd %d: not an open descriptor", *share_fd);
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
	char today[16];
	time_t now = time(NULL);
	struct tm tm;
	int share_fd = -1;
	struct slip39_share *share = NULL;
	char *line = NULL;
	uint8_t *pdf = NULL;
	size_t pdf_len = 0;

	memset(&pos, 0, sizeof(pos));
	c = card_parse(parent, argc, argv, &out_path, &pos, &share_fd);
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
	if (share_fd >= 0)
		r = card_read_share(share_fd, "--share-fd", line, share);
	else if (isatty(STDIN_FILENO))
		r = card_read_tty(share);
	else
		r = card_read_share(STDIN_FILENO, "standard input", line, share);
	if (r < 0)
		goto out;
	if (pos.member_count != 0 && (share->member_index >= pos.member_count ||
				      share->member_threshold > pos.member_count)) {
		r = ce_err_set(CE_ERR_INVALID, "--members %u: this share is member %u of a group "
			       "needing %u", (unsigned)pos.member_count, share->member_index + 1u,
			       (unsigned)share->member_threshold);
		goto out;
	}
	if (pos.date == NULL && gmtime_r(&now, &tm) != NULL &&
	    strftime(today, sizeof(today), "%Y-%m-%d", &tm) > 0)
		pos.date = today;
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
