/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/verify/chain.c - the order of the lines: seq counts from 0, each
 * prev is the link of the line before (transcript_chain_link, the writer's
 * own function), times never go back (docs/transcript-format.md section 2).
 */
#include "ceremony/verify/verify_internal.h"
#include "common/err.h"

#include <string.h>

int verify_chain_init(struct verify_chain *c)
{
	int r = CE_ERR_INTERNAL;

	memset(c, 0, sizeof(*c));
	memcpy(c->prev, TRANSCRIPT_GENESIS_PREV, sizeof(c->prev));
	r = transcript_chain_init(&c->link);
	if (r < 0)
		goto out;
	r = 0;
out:
	return r;
}

void verify_chain_free(struct verify_chain *c)
{
	transcript_chain_free(&c->link);
}

int verify_chain_check(struct verify_chain *c, const struct tj_doc *d, struct verify_report *rep,
		       uint64_t ln)
{
	const char *prev, *time_s;
	int val = tj_get(d, 0, "seq");
	int64_t seq;

	if (!tj_is(d, val, TJ_INT))
		return verify_report_fail(rep, ln, "seq is not an integer");
	seq = d->t[val].v.i;
	if (seq < 0 || (uint64_t)seq != ln - 1)
		return verify_report_fail(rep, ln, "seq %lld, expected %llu (a line is missing, repeated or out of order)",
					  (long long)seq, (unsigned long long)(ln - 1));
	prev = tj_str(d, tj_get(d, 0, "prev"));
	if (prev == NULL || strcmp(prev, c->prev) != 0) {
		if (ln == 1)
			return verify_report_fail(rep, ln, "prev is not the genesis value (64 zeros): not the first line of a transcript");
		return verify_report_fail(rep, ln, "prev does not match the SHA-256 of line %llu (line %llu was changed, or lines were removed, inserted or reordered)",
					  (unsigned long long)(ln - 1), (unsigned long long)(ln - 1));
	}
	time_s = tj_str(d, tj_get(d, 0, "time"));
	if (time_s == NULL || transcript_time_parse(time_s, &c->sec, &c->usec) != 0)
		return verify_report_fail(rep, ln, "time is not a UTC time YYYY-MM-DDTHH:MM:SS.ffffffZ");
	if (ln > 1 && (c->sec < c->last_sec || (c->sec == c->last_sec && c->usec < c->last_usec)))
		return verify_report_fail(rep, ln, "time goes back (%s is before %s)", time_s,
					  rep->end_time);
	return 0;
}

int verify_chain_accept(struct verify_chain *c, const char *line, size_t len)
{
	int r = CE_ERR_INTERNAL;

	r = transcript_chain_link(&c->link, line, len, c->prev);
	if (r < 0)
		goto out;
	c->last_sec = c->sec;
	c->last_usec = c->usec;
	r = 0;
out:
	return r;
}
