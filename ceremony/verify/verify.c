#include "ceremony/verify/verify.h"
#include "common/err.h"
#include "common/buf.h"
#include "common/hex.h"
#include "ceremony/transcript/tjson.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---------------------------------------------------------------------------
 * Bounded line reader: constant memory whatever the file holds.
 */

#define READ_CHUNK_BYTES (256 * 1024)

struct linereader {
	int fd;
	char *buf;
	size_t cap;
	size_t start;
	size_t end;
	int eof;
	uint64_t lineno;
};

static int lr_open(struct linereader *lr, const char *path)
{
	memset(lr, 0, sizeof(*lr));
	lr->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (lr->fd < 0)
		return ce_err_set(CE_ERR_IO, "%s: %s", path, strerror(errno));
	lr->cap = TRANSCRIPT_LINE_MAX_BYTES + 1 + READ_CHUNK_BYTES;
	lr->buf = malloc(lr->cap);
	if (lr->buf == NULL) {
		close(lr->fd);
		lr->fd = -1;
		return CE_ERR_NOMEM;
	}
	return 0;
}

static void lr_close(struct linereader *lr)
{
	if (lr->fd >= 0)
		close(lr->fd);
	lr->fd = -1;
	free(lr->buf);
	lr->buf = NULL;
}

enum { LR_EOF = 0, LR_LINE = 1, LR_PARTIAL = 2 };

/* Next line (without its newline) in line and len. LR_LINE, LR_PARTIAL (last
 * bytes without a newline), LR_EOF, CE_ERR_TOO_LARGE (line over the maximum:
 * lineno is its number), CE_ERR_IO. */
static int lr_next(struct linereader *lr, const char *path, char **line, size_t *len)
{
	for (;;) {
		char *nl = memchr(lr->buf + lr->start, '\n', lr->end - lr->start);

		if (nl != NULL) {
			*line = lr->buf + lr->start;
			*len = (size_t)(nl - *line);
			lr->start += *len + 1;
			lr->lineno++;
			if (*len > TRANSCRIPT_LINE_MAX_BYTES)
				return CE_ERR_TOO_LARGE;
			return LR_LINE;
		}
		if (lr->end - lr->start > TRANSCRIPT_LINE_MAX_BYTES) {
			lr->lineno++;
			return CE_ERR_TOO_LARGE;
		}
		if (lr->eof) {
			if (lr->end == lr->start)
				return LR_EOF;
			*line = lr->buf + lr->start;
			*len = lr->end - lr->start;
			lr->start = lr->end;
			lr->lineno++;
			return LR_PARTIAL;
		}
		if (lr->start > 0) {
			memmove(lr->buf, lr->buf + lr->start, lr->end - lr->start);
			lr->end -= lr->start;
			lr->start = 0;
		}
		{
			ssize_t n = read(lr->fd, lr->buf + lr->end, lr->cap - lr->end);

			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0)
				return ce_err_set(CE_ERR_IO, "%s: read: %s", path, strerror(errno));
			if (n == 0)
				lr->eof = 1;
			lr->end += (size_t)n;
		}
	}
}

int verify_events_each(const char *path, verify_event_fn fn, void *ctx)
{
	int r = CE_ERR_INTERNAL;
	struct linereader lr;
	json_t *ev = NULL;
	char *line;
	size_t len;

	r = lr_open(&lr, path);
	if (r < 0)
		return r;
	for (;;) {
		json_error_t jerr;
		int k = lr_next(&lr, path, &line, &len);

		if (k == CE_ERR_TOO_LARGE) {
			r = ce_err_set(CE_ERR_TOO_LARGE, "%s:%llu: line longer than %d bytes", path,
				       (unsigned long long)lr.lineno, TRANSCRIPT_LINE_MAX_BYTES);
			goto out;
		}
		if (k < 0) {
			r = k;
			goto out;
		}
		if (k != LR_LINE)
			break;
		ev = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
		if (!json_is_object(ev)) {
			r = ce_err_set(CE_ERR_FORMAT, "%s:%llu: not a JSON object", path,
				       (unsigned long long)lr.lineno);
			goto out;
		}
		k = fn(ctx, lr.lineno, ev);
		json_decref(ev);
		ev = NULL;
		if (k < 0) {
			r = k;
			goto out;
		}
		if (k > 0)
			break;
	}
	r = 0;
out:
	json_decref(ev);
	lr_close(&lr);
	return r;
}

/* ---------------------------------------------------------------------------
 * Event-level semantic state (policy 4.2.4, 5.2.1): bounded tables.
 */

#define SEM_STEPS_MAX 10000
#define SEM_STEP_PEOPLE_MAX 256
#define SEM_PERSONS_MAX 1024
#define SEM_QUORUM_MAX 256

struct sem_step {
	char *id;
	uint64_t line;
};

struct sem_person {
	char *id;
	unsigned int roles; /* bit per policy role */
};

struct sem_share {
	char *set;
	char *holder;
	json_int_t member;
	uint64_t line;
};

struct sem {
	struct sem_step *steps; /* every step started (open addressing) */
	size_t nsteps;
	char *open_step; /* the step now running, NULL between steps */
	char *actors[SEM_STEP_PEOPLE_MAX];
	size_t nactors;
	char *wits[SEM_STEP_PEOPLE_MAX];
	size_t nwits;
	struct sem_person persons[SEM_PERSONS_MAX];
	size_t npersons;
	struct sem_share shares[SEM_QUORUM_MAX];
	size_t nshares;
};

#define SEM_STEP_SLOTS 16384 /* > SEM_STEPS_MAX: the table never fills */

static const char *const policy_roles[] = {
	"security-officer",	"system-operator",   "system-auditor",
	"system-administrator", "hsm-administrator", "key-holder",
};

enum { R_SO = 1u << 0, R_OP = 1u << 1, R_ADM = 1u << 3, R_HSM = 1u << 4 };

/* policy 4.2.4: forbidden pairs of roles for one person. */
static const struct {
	unsigned int a, b;
} forbidden_pairs[] = {
	{ R_SO, R_ADM }, { R_SO, R_HSM }, { R_OP, R_ADM }, { R_OP, R_HSM },
};

static void sem_step_people_clear(struct sem *s)
{
	size_t i;

	for (i = 0; i < s->nactors; i++)
		free(s->actors[i]);
	for (i = 0; i < s->nwits; i++)
		free(s->wits[i]);
	for (i = 0; i < s->nshares; i++) {
		free(s->shares[i].set);
		free(s->shares[i].holder);
	}
	s->nactors = s->nwits = s->nshares = 0;
}

static void sem_free(struct sem *s)
{
	size_t i;

	sem_step_people_clear(s);
	if (s->steps != NULL)
		for (i = 0; i < SEM_STEP_SLOTS; i++)
			free(s->steps[i].id);
	free(s->steps);
	free(s->open_step);
	for (i = 0; i < s->npersons; i++)
		free(s->persons[i].id);
	memset(s, 0, sizeof(*s));
}

static uint64_t str_hash(const char *p)
{
	uint64_t h = 1469598103934665603ull;

	while (*p)
		h = (h ^ (uint8_t)*p++) * 1099511628211ull;
	return h;
}

static int in_list(char *const *list, size_t n, const char *id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(list[i], id) == 0)
			return 1;
	return 0;
}

/* ---------------------------------------------------------------------------
 * The integrity pass.
 */

struct vstate {
	const char *path;
	const struct verify_opts *opts;
	struct verify_report *rep;
	EVP_MD_CTX *md;
	char prev[TRANSCRIPT_HASH_HEX_LEN + 1]; /* SHA-256 of the last line */
	int64_t last_sec;
	long last_usec;
	int ended;
	char abort_reason[VERIFY_NAME_LEN];
	struct sem sem;
	struct tj_doc doc;
	EVP_MD *sha256;
	struct vsem *vs;      /* script/roster checks, NULL without --script */
	int vs_failed;        /* the failure came from vs: vsem_refine it */
};

static int fail(struct vstate *v, uint64_t line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Record a FAILED verdict (the first failure wins); returns 1 = stop. */
static int fail(struct vstate *v, uint64_t line, const char *fmt, ...)
{
	va_list ap;
	char msg[VERIFY_REASON_LEN - 32];

	if (v->rep->verdict == VERIFY_FAILED)
		return 1;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	v->rep->verdict = VERIFY_FAILED;
	v->rep->fail_line = line;
	if (line > 0)
		snprintf(v->rep->reason, sizeof(v->rep->reason), "line %llu: %s",
			 (unsigned long long)line, msg);
	else
		snprintf(v->rep->reason, sizeof(v->rep->reason), "%s", msg);
	return 1;
}

static void copy_str(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src != NULL ? src : "");
}

/* The policy role bit of a role id, 0 for other roles. */
static unsigned int role_bit(const char *role)
{
	size_t j;

	for (j = 0; j < sizeof(policy_roles) / sizeof(policy_roles[0]); j++)
		if (role[0] == policy_roles[j][0] && strcmp(role, policy_roles[j]) == 0)
			return 1u << j;
	return 0;
}

static int sem_add_person_roles(struct vstate *v, uint64_t ln, const char *id, int roles,
				const char *extra_role)
{
	const struct tj_doc *d = &v->doc;
	struct sem *s = &v->sem;
	struct sem_person *p = NULL;
	unsigned int add = 0;
	uint32_t i;
	size_t j;
	int role;

	for (j = 0; j < s->npersons; j++)
		if (strcmp(s->persons[j].id, id) == 0)
			p = &s->persons[j];
	if (p == NULL) {
		if (s->npersons == SEM_PERSONS_MAX)
			return fail(v, ln, "more than %d persons", SEM_PERSONS_MAX);
		p = &s->persons[s->npersons];
		p->id = strdup(id);
		if (p->id == NULL)
			return CE_ERR_NOMEM;
		p->roles = 0;
		s->npersons++;
	}
	if (extra_role != NULL)
		add |= role_bit(extra_role);
	if (roles >= 0)
		TJ_ARR_EACH(d, roles, i, role)
			add |= role_bit(tj_str(d, role));
	if ((p->roles | add) == p->roles)
		return 0;
	p->roles |= add;
	for (j = 0; j < sizeof(forbidden_pairs) / sizeof(forbidden_pairs[0]); j++) {
		unsigned int a = forbidden_pairs[j].a, b = forbidden_pairs[j].b;

		if ((p->roles & a) && (p->roles & b) && ((add & a) || (add & b))) {
			size_t ia = (size_t)__builtin_ctz(a), ib = (size_t)__builtin_ctz(b);

			return fail(v, ln, "%s holds both %s and %s, a forbidden pair (policy 4.2.4)",
				    id, policy_roles[ia], policy_roles[ib]);
		}
	}
	return 0;
}

static int sem_people(struct vstate *v, uint64_t ln, int arr, int witness)
{
	const struct tj_doc *d = &v->doc;
	struct sem *s = &v->sem;
	uint32_t i;
	int p, k;

	TJ_ARR_EACH(d, arr, i, p) {
		const char *id = tj_str(d, tj_get(d, p, "id"));

		k = sem_add_person_roles(v, ln, id, tj_get(d, p, "roles"), NULL);
		if (k != 0)
			return k;
		if (s->open_step == NULL)
			continue;
		/* policy 5.2.1: an actor never witnesses their own step. */
		if (witness && in_list(s->actors, s->nactors, id))
			return fail(v, ln, "step %s: %s witnesses their own step (policy 5.2.1)",
				    s->open_step, id);
		if (!witness && in_list(s->wits, s->nwits, id))
			return fail(v, ln, "step %s: %s acts in a step they witness (policy 5.2.1)",
				    s->open_step, id);
		if (witness ? in_list(s->wits, s->nwits, id) : in_list(s->actors, s->nactors, id))
			continue;
		if ((witness ? s->nwits : s->nactors) == SEM_STEP_PEOPLE_MAX)
			return fail(v, ln, "more than %d people in step %s", SEM_STEP_PEOPLE_MAX,
				    s->open_step);
		if (witness) {
			if ((s->wits[s->nwits] = strdup(id)) == NULL)
				return CE_ERR_NOMEM;
			s->nwits++;
		} else {
			if ((s->actors[s->nactors] = strdup(id)) == NULL)
				return CE_ERR_NOMEM;
			s->nactors++;
		}
	}
	return 0;
}

static int sem_step_start(struct vstate *v, uint64_t ln, const char *step)
{
	struct sem *s = &v->sem;
	size_t slot;

	if (s->open_step != NULL)
		return fail(v, ln, "step %s starts while step %s is still running", step,
			    s->open_step);
	if (s->steps == NULL) {
		s->steps = calloc(SEM_STEP_SLOTS, sizeof(*s->steps));
		if (s->steps == NULL)
			return CE_ERR_NOMEM;
	}
	slot = (size_t)(str_hash(step) % SEM_STEP_SLOTS);
	while (s->steps[slot].id != NULL) {
		if (strcmp(s->steps[slot].id, step) == 0)
			return fail(v, ln, "step %s runs a second time (first at line %llu)", step,
				    (unsigned long long)s->steps[slot].line);
		slot = (slot + 1) % SEM_STEP_SLOTS;
	}
	if (s->nsteps == SEM_STEPS_MAX)
		return fail(v, ln, "more than %d steps", SEM_STEPS_MAX);
	s->steps[slot].id = strdup(step);
	s->open_step = strdup(step);
	if (s->steps[slot].id == NULL || s->open_step == NULL)
		return CE_ERR_NOMEM;
	s->steps[slot].line = ln;
	s->nsteps++;
	sem_step_people_clear(s);
	return 0;
}

static int sem_quorum(struct vstate *v, uint64_t ln, const char *type, int det)
{
	const struct tj_doc *d = &v->doc;
	struct sem *s = &v->sem;
	const char *set = tj_str(d, tj_get(d, det, "set"));
	size_t j, distinct = 0;
	uint32_t i, i2;

	if (strcmp(type, "quorum.share") == 0) {
		const char *holder = tj_str(d, tj_get(d, det, "holder"));
		int64_t member = d->t[tj_get(d, det, "member")].v.i;

		if (!tj_is(d, tj_get(d, det, "accepted"), TJ_TRUE))
			return 0;
		for (j = 0; j < s->nshares; j++) {
			if (strcmp(s->shares[j].set, set) != 0)
				continue;
			if (strcmp(s->shares[j].holder, holder) == 0)
				return fail(v, ln,
					    "step %s: %s presents a second share of set %s (first at line %llu): a quorum needs distinct key holders (policy 5.2.1)",
					    s->open_step, holder, set, (unsigned long long)s->shares[j].line);
			if (s->shares[j].member == member)
				return fail(v, ln, "step %s: share %lld of set %s accepted twice (first at line %llu)",
					    s->open_step, (long long)member, set,
					    (unsigned long long)s->shares[j].line);
		}
		if (s->nshares == SEM_QUORUM_MAX)
			return fail(v, ln, "more than %d shares in step %s", SEM_QUORUM_MAX, s->open_step);
		s->shares[s->nshares].set = strdup(set);
		s->shares[s->nshares].holder = strdup(holder);
		s->shares[s->nshares].member = member;
		s->shares[s->nshares].line = ln;
		s->nshares++;
		if (s->shares[s->nshares - 1].set == NULL || s->shares[s->nshares - 1].holder == NULL)
			return CE_ERR_NOMEM;
		return 0;
	}
	/* quorum.met */
	{
		int64_t threshold = d->t[tj_get(d, det, "threshold")].v.i;
		int holders = tj_get(d, det, "holders");
		uint32_t nh = d->t[holders].size;
		int h, h2;

		TJ_ARR_EACH(d, holders, i, h) {
			int seen = 0;

			if (!tj_is(d, h, TJ_STR))
				return fail(v, ln, "quorum.met: holders[%u] is not a string", i);
			TJ_ARR_EACH(d, holders, i2, h2)
				if (i2 < i && strcmp(tj_str(d, h), tj_str(d, h2)) == 0)
					return fail(v, ln, "step %s: quorum for set %s counts %s twice; a quorum needs distinct key holders (policy 5.2.1)",
						    s->open_step, set, tj_str(d, h));
			for (j = 0; j < s->nshares; j++)
				if (strcmp(s->shares[j].set, set) == 0 &&
				    strcmp(s->shares[j].holder, tj_str(d, h)) == 0)
					seen = 1;
			if (!seen)
				return fail(v, ln, "step %s: quorum for set %s counts %s, who presented no accepted share",
					    s->open_step, set, tj_str(d, h));
		}
		for (j = 0; j < s->nshares; j++)
			if (strcmp(s->shares[j].set, set) == 0)
				distinct++;
		if (threshold < 1 || (int64_t)distinct < threshold || (int64_t)nh < threshold)
			return fail(v, ln, "step %s: quorum for set %s met with %zu distinct holders, threshold %lld",
				    s->open_step, set, (size_t)nh < distinct ? (size_t)nh : distinct,
				    (long long)threshold);
	}
	return 0;
}

/* Outputs (--outputs DIR): the file named by the event must hash as recorded. */
static int check_output(struct vstate *v, uint64_t ln, int det)
{
	const struct tj_doc *d = &v->doc;
	const char *file = tj_str(d, tj_get(d, det, "file"));
	const char *want = tj_str(d, tj_get(d, det, "sha256"));
	const char *base;
	char *p = NULL;
	uint8_t h[32];
	char hex[TRANSCRIPT_HASH_HEX_LEN + 1];
	size_t n;
	int k;

	base = strrchr(file, '/');
	base = base != NULL ? base + 1 : file;
	if (base[0] == '\0' || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
		return fail(v, ln, "output file name \"%.100s\" is not a file name", file);
	n = strlen(v->opts->outputs_dir) + strlen(base) + 2;
	p = malloc(n);
	if (p == NULL)
		return CE_ERR_NOMEM;
	snprintf(p, n, "%s/%s", v->opts->outputs_dir, base);
	k = transcript_file_sha256(p, h, NULL);
	if (k < 0) {
		k = fail(v, ln, "output %s: %s", base, ce_err_detail());
		ce_err_clear();
		free(p);
		return k;
	}
	free(p);
	hex_encode(h, 32, hex);
	if (strcmp(hex, want) != 0)
		return fail(v, ln, "output %s in %s has SHA-256 %s, the transcript says %s", base,
			    v->opts->outputs_dir, hex, want);
	v->rep->outputs_checked++;
	return 0;
}

static const char *const top_fields[] = { "details", "persons", "prev", "seq", "step",
					  "time", "type", "v", "witnesses" };

/* One complete line. Returns 0 to go on, 1 when a failure was recorded, <0. */
static int check_line(struct vstate *v, uint64_t ln, const char *line, size_t len)
{
	int r = CE_ERR_INTERNAL;
	struct verify_report *rep = v->rep;
	const struct tj_doc *d = &v->doc;
	const char *type, *time_s, *prev, *step;
	int details, persons, witnesses, val, q;
	int64_t seq;
	int64_t sec;
	long usec;
	char why[256];
	char hash[TRANSCRIPT_HASH_HEX_LEN + 1];
	uint8_t h[32];
	unsigned int hl = 0;
	size_t i;
	uint32_t k;

	if (len == 0 || line[0] != '{' || line[len - 1] != '}' || memchr(line, '\r', len) != NULL) {
		r = fail(v, ln, len == 0 ? "empty line" : "not one JSON object on the line");
		goto out;
	}
	if (tj_parse(&v->doc, line, len, why, sizeof(why)) != 0) {
		r = fail(v, ln, "not valid JSON (%s)", why);
		goto out;
	}
	/* Keys are unique, so all nine present and nine in all means no other. */
	for (i = 0; i < sizeof(top_fields) / sizeof(top_fields[0]); i++)
		if (tj_get(d, 0, top_fields[i]) < 0)
			break;
	if (i < sizeof(top_fields) / sizeof(top_fields[0]) ||
	    d->t[0].size != sizeof(top_fields) / sizeof(top_fields[0])) {
		for (k = 0, q = 1; k < d->t[0].size; k++, q = (int)d->t[q + 1].next) {
			size_t f;
			int known = 0;

			for (f = 0; f < sizeof(top_fields) / sizeof(top_fields[0]); f++)
				if (strcmp(tj_str(d, q), top_fields[f]) == 0)
					known = 1;
			if (!known) {
				r = fail(v, ln, "unknown field \"%.60s\"", tj_str(d, q));
				goto out;
			}
		}
		r = fail(v, ln, "field \"%s\" missing", top_fields[i]);
		goto out;
	}
	val = tj_get(d, 0, "v");
	if (!tj_is(d, val, TJ_INT) || d->t[val].v.i != TRANSCRIPT_VERSION) {
		r = fail(v, ln, "format version is not %d", TRANSCRIPT_VERSION);
		goto out;
	}
	val = tj_get(d, 0, "seq");
	if (!tj_is(d, val, TJ_INT)) {
		r = fail(v, ln, "seq is not an integer");
		goto out;
	}
	seq = d->t[val].v.i;
	if (seq < 0 || (uint64_t)seq != ln - 1) {
		r = fail(v, ln, "seq %lld, expected %llu (a line is missing, repeated or out of order)",
			 (long long)seq, (unsigned long long)(ln - 1));
		goto out;
	}
	prev = tj_str(d, tj_get(d, 0, "prev"));
	if (prev == NULL || strcmp(prev, v->prev) != 0) {
		if (ln == 1)
			r = fail(v, ln, "prev is not the genesis value (64 zeros): not the first line of a transcript");
		else
			r = fail(v, ln, "prev does not match the SHA-256 of line %llu (line %llu was changed, or lines were removed, inserted or reordered)",
				 (unsigned long long)(ln - 1), (unsigned long long)(ln - 1));
		goto out;
	}
	time_s = tj_str(d, tj_get(d, 0, "time"));
	if (time_s == NULL || transcript_time_parse(time_s, &sec, &usec) != 0) {
		r = fail(v, ln, "time is not a UTC time YYYY-MM-DDTHH:MM:SS.ffffffZ");
		goto out;
	}
	if (ln > 1 && (sec < v->last_sec || (sec == v->last_sec && usec < v->last_usec))) {
		r = fail(v, ln, "time goes back (%s is before %s)", time_s, rep->end_time);
		goto out;
	}
	if (transcript_event_check(d, why, sizeof(why)) != 0) {
		r = fail(v, ln, "%s", why);
		goto out;
	}
	type = tj_str(d, tj_get(d, 0, "type"));
	details = tj_get(d, 0, "details");
	persons = tj_get(d, 0, "persons");
	witnesses = tj_get(d, 0, "witnesses");
	step = tj_str(d, tj_get(d, 0, "step"));

	/* Structure. */
	if (v->ended) {
		r = fail(v, ln, "%s after ceremony.end", type);
		goto out;
	}
	if ((ln == 1) != (strcmp(type, "ceremony.start") == 0)) {
		r = fail(v, ln, ln == 1 ? "the first event is %s, not ceremony.start" : "%s again",
			 type);
		goto out;
	}
	if (ln == 1) {
		copy_str(rep->ceremony_id, sizeof(rep->ceremony_id),
			 tj_str(d, tj_get(d, details, "ceremony_id")));
		copy_str(rep->ceremony, sizeof(rep->ceremony), tj_str(d, tj_get(d, details, "ceremony")));
		copy_str(rep->start_time, sizeof(rep->start_time), time_s);
		rep->rehearsal = tj_is(d, tj_get(d, details, "rehearsal"), TJ_TRUE);
	}
	if (strcmp(type, "transcript.key") == 0) {
		if (rep->key_line != 0) {
			r = fail(v, ln, "a second transcript.key (the first is at line %llu)",
				 (unsigned long long)rep->key_line);
			goto out;
		}
		rep->key_line = ln;
		copy_str(rep->key_spki_sha256, sizeof(rep->key_spki_sha256),
			 tj_str(d, tj_get(d, details, "spki_sha256")));
		if (ceremony_fingerprint_words_hex(rep->key_spki_sha256, rep->key_words,
						   sizeof(rep->key_words)) != 0) {
			r = fail(v, ln, "transcript.key: bad spki_sha256");
			goto out;
		}
		if (strcmp(tj_str(d, tj_get(d, details, "fingerprint")), rep->key_words) != 0) {
			r = fail(v, ln, "transcript.key: the fingerprint words do not match spki_sha256");
			goto out;
		}
	}
	if (strcmp(type, "abort") == 0)
		copy_str(v->abort_reason, sizeof(v->abort_reason),
			 tj_str(d, tj_get(d, details, "reason")));
	if (strcmp(type, "ceremony.end") == 0) {
		v->ended = 1;
		copy_str(rep->end_status, sizeof(rep->end_status),
			 tj_str(d, tj_get(d, details, "status")));
	}

	/* Event-level semantics. */
	if (strcmp(type, "step.start") == 0) {
		r = sem_step_start(v, ln, step);
		if (r != 0)
			goto out;
	} else if (step != NULL && (v->sem.open_step == NULL || strcmp(step, v->sem.open_step) != 0)) {
		r = fail(v, ln, "%s for step %s, which is not running (no step.start, or it ended)",
			 type, step);
		goto out;
	}
	if (strcmp(type, "role.assign") == 0 || strcmp(type, "role.revoke") == 0) {
		const char *role = tj_str(d, tj_get(d, details, "role"));
		int p;

		TJ_ARR_EACH(d, persons, k, p) {
			const char *id = tj_str(d, tj_get(d, p, "id"));

			if (strcmp(type, "role.assign") == 0) {
				r = sem_add_person_roles(v, ln, id, tj_get(d, p, "roles"), role);
				if (r != 0)
					goto out;
			} else {
				size_t j, qq;

				for (j = 0; j < v->sem.npersons; j++)
					if (strcmp(v->sem.persons[j].id, id) == 0)
						for (qq = 0; qq < 6; qq++)
							if (strcmp(policy_roles[qq], role) == 0)
								v->sem.persons[j].roles &= ~(1u << qq);
			}
		}
	} else if (strcmp(type, "attendance") == 0) {
		/* The person is the event's subject, not an actor of the step
		 * (the attendance step's witness is present too). */
		int p;

		TJ_ARR_EACH(d, persons, k, p) {
			r = sem_add_person_roles(v, ln, tj_str(d, tj_get(d, p, "id")),
						 tj_get(d, p, "roles"), NULL);
			if (r != 0)
				goto out;
		}
	} else {
		r = sem_people(v, ln, persons, 0);
		if (r != 0)
			goto out;
	}
	r = sem_people(v, ln, witnesses, 1);
	if (r != 0)
		goto out;
	if (strcmp(type, "quorum.share") == 0 || strcmp(type, "quorum.met") == 0) {
		r = sem_quorum(v, ln, type, details);
		if (r != 0)
			goto out;
	}
	if (strcmp(type, "step.end") == 0) {
		free(v->sem.open_step);
		v->sem.open_step = NULL;
		sem_step_people_clear(&v->sem);
	}
	if (v->opts->outputs_dir != NULL && tj_get(d, details, "sha256") >= 0 &&
	    tj_is(d, tj_get(d, details, "file"), TJ_STR)) {
		r = check_output(v, ln, details);
		if (r != 0)
			goto out;
	}

	if (v->vs != NULL) {
		char why2[VERIFY_REASON_LEN - 32];
		uint64_t wl = ln;

		r = vsem_event(v->vs, ln, d, why2, sizeof(why2), &wl);
		if (r < 0)
			goto out;
		if (r > 0) {
			v->vs_failed = 1;
			r = fail(v, wl, "%s", why2);
			goto out;
		}
	}

	/* Accepted: chain on. */
	if (EVP_DigestInit_ex(v->md, v->sha256, NULL) != 1 ||
	    EVP_DigestUpdate(v->md, line, len) != 1 || EVP_DigestFinal_ex(v->md, h, &hl) != 1) {
		r = ce_err_set(CE_ERR_CRYPTO, "SHA-256 failed");
		goto out;
	}
	hex_encode(h, 32, hash);
	memcpy(v->prev, hash, sizeof(v->prev));
	v->last_sec = sec;
	v->last_usec = usec;
	copy_str(rep->end_time, sizeof(rep->end_time), time_s);
	if (step != NULL)
		copy_str(rep->last_step, sizeof(rep->last_step), step);
	rep->events++;
	r = 0;
out:
	return r;
}

/* ---------------------------------------------------------------------------
 * Signature.
 */

static X509 *cert_read(const char *path)
{
	BIO *b = BIO_new_file(path, "rb");
	X509 *x = NULL;

	if (b != NULL)
		x = PEM_read_bio_X509(b, NULL, NULL, NULL);
	BIO_free(b);
	ERR_clear_error();
	return x;
}

#define PEM_HEAD "-----BEGIN CMS-----\n"
#define PEM_TAIL "\n-----END CMS-----\n"

static int check_signature(struct vstate *v, const char *sig_path)
{
	int r = CE_ERR_INTERNAL;
	struct verify_report *rep = v->rep;
	BIO *sb = NULL, *content = NULL;
	CMS_ContentInfo *cms = NULL;
	STACK_OF(X509) *signers = NULL;
	STACK_OF(CMS_SignerInfo) *sis;
	X509 *signer, *mine = NULL, *beside = NULL;
	char *beside_path = NULL;
	struct buf sigbuf;
	uint8_t h[32];
	char hex[TRANSCRIPT_HASH_HEX_LEN + 1];
	struct stat st;

	buf_init(&sigbuf, 1024 * 1024);
	if (stat(sig_path, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > 1024 * 1024) {
		r = fail(v, 0, "%s: not a signature file (missing, not a file, or over 1 MiB)", sig_path);
		goto out;
	}
	r = buf_read_file(&sigbuf, sig_path, 1024 * 1024);
	if (r < 0)
		goto out;
	/* Exactly one PEM block, as the writer makes it: nothing before or after. */
	if (sigbuf.len < sizeof(PEM_HEAD) + sizeof(PEM_TAIL) ||
	    memcmp(sigbuf.p, PEM_HEAD, sizeof(PEM_HEAD) - 1) != 0 ||
	    memcmp(sigbuf.p + sigbuf.len - (sizeof(PEM_TAIL) - 1), PEM_TAIL, sizeof(PEM_TAIL) - 1) != 0 ||
	    memmem(sigbuf.p + 1, sigbuf.len - 1, "-----BEGIN", 10) != NULL) {
		r = fail(v, 0, "%s: not exactly one PEM CMS block", sig_path);
		goto out;
	}
	sb = BIO_new_mem_buf(sigbuf.p, (int)sigbuf.len);
	content = BIO_new_file(v->path, "rb");
	if (sb == NULL || content == NULL) {
		r = ce_err_set(CE_ERR_IO, "%s: cannot read", sb == NULL ? sig_path : v->path);
		goto out;
	}
	cms = PEM_read_bio_CMS(sb, NULL, NULL, NULL);
	if (cms == NULL) {
		r = fail(v, 0, "%s: not a PEM CMS signature", sig_path);
		goto out;
	}
	if (OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed || CMS_is_detached(cms) != 1) {
		r = fail(v, 0, "%s: not a detached CMS SignedData", sig_path);
		goto out;
	}
	/* The content type is not covered by the signature in OpenSSL's check:
	 * insist on the one we sign, id-data. */
	if (CMS_get0_eContentType(cms) == NULL ||
	    OBJ_obj2nid(CMS_get0_eContentType(cms)) != NID_pkcs7_data) {
		r = fail(v, 0, "%s: the signed content type is not id-data", sig_path);
		goto out;
	}
	sis = CMS_get0_SignerInfos(cms);
	if (sis == NULL || sk_CMS_SignerInfo_num(sis) != 1) {
		r = fail(v, 0, "%s: the signature must have exactly one signer", sig_path);
		goto out;
	}
	{
		/* OpenSSL does not tie the signature algorithm identifier to the key:
		 * accept only the pairs the writer produces, with SHA-256. */
		X509_ALGOR *dig = NULL, *salg = NULL;
		const ASN1_OBJECT *o = NULL;
		int dn, sn;

		CMS_SignerInfo_get0_algs(sk_CMS_SignerInfo_value(sis, 0), NULL, NULL, &dig, &salg);
		if (dig == NULL || salg == NULL) {
			r = fail(v, 0, "%s: no signature algorithm", sig_path);
			goto out;
		}
		X509_ALGOR_get0(&o, NULL, NULL, dig);
		dn = OBJ_obj2nid(o);
		X509_ALGOR_get0(&o, NULL, NULL, salg);
		sn = OBJ_obj2nid(o);
		if (dn != NID_sha256 ||
		    !(sn == NID_ecdsa_with_SHA256 || sn == NID_rsaEncryption ||
		      sn == NID_sha256WithRSAEncryption || sn == NID_rsassaPss || sn == NID_ED25519 ||
		      sn == NID_ED448)) {
			r = fail(v, 0, "%s: signature algorithms %s / %s are not SHA-256 with ECDSA, RSA or EdDSA",
				 sig_path, OBJ_nid2sn(dn), OBJ_nid2sn(sn));
			goto out;
		}
	}
	if (CMS_verify(cms, NULL, NULL, content, NULL, CMS_BINARY | CMS_NO_SIGNER_CERT_VERIFY) != 1) {
		r = fail(v, 0, "signature does not match the transcript (%s)", sig_path);
		goto out;
	}
	signers = CMS_get0_signers(cms);
	if (signers == NULL || sk_X509_num(signers) != 1) {
		r = fail(v, 0, "%s: no signer certificate in the signature", sig_path);
		goto out;
	}
	signer = sk_X509_value(signers, 0);
	if (rep->key_line == 0) {
		r = fail(v, 0, "the transcript announces no transcript key (no transcript.key event)");
		goto out;
	}
	{
		EVP_PKEY *pk = X509_get0_pubkey(signer);

		if (pk == NULL || transcript_spki_sha256(pk, h) != 0) {
			r = fail(v, 0, "the signer certificate's public key cannot be read");
			goto out;
		}
	}
	hex_encode(h, 32, hex);
	/* The signer certificate is self-signed by the transcript key: a changed
	 * byte anywhere in it breaks that signature. */
	if (X509_verify(signer, X509_get0_pubkey(signer)) != 1) {
		r = fail(v, 0, "%s: the signer certificate's self-signature does not verify", sig_path);
		goto out;
	}
	if (strcmp(hex, rep->key_spki_sha256) != 0) {
		r = fail(v, 0, "signer certificate is not the key announced at line %llu (signer key %s, announced %s)",
			 (unsigned long long)rep->key_line, hex, rep->key_spki_sha256);
		goto out;
	}
	if (v->opts->signer_path != NULL) {
		mine = cert_read(v->opts->signer_path);
		if (mine == NULL) {
			r = ce_err_set(CE_ERR_IO, "%s: cannot read a PEM certificate",
				       v->opts->signer_path);
			goto out;
		}
		if (X509_cmp(mine, signer) != 0) {
			r = fail(v, 0, "the signer certificate is not the one given with --signer (%s)",
				 v->opts->signer_path);
			goto out;
		}
	}
	beside_path = transcript_signer_path(v->path);
	if (beside_path == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	if (stat(beside_path, &st) == 0) {
		beside = cert_read(beside_path);
		if (beside == NULL || X509_cmp(beside, signer) != 0) {
			r = fail(v, 0, "%s is not the certificate that signed the transcript",
				 beside_path);
			goto out;
		}
	}
	rep->signature_ok = 1;
	r = 0;
out:
	ERR_clear_error();
	sk_X509_free(signers);
	CMS_ContentInfo_free(cms);
	BIO_free(sb);
	BIO_free(content);
	X509_free(mine);
	X509_free(beside);
	free(beside_path);
	buf_free(&sigbuf);
	return r;
}

/* ---------------------------------------------------------------------------
 * Verdict.
 */

int verify_transcript(const char *path, const struct verify_opts *opts, struct verify_report *rep)
{
	int r = CE_ERR_INTERNAL;
	struct vstate v;
	struct linereader lr;
	char *sig_path = NULL;
	struct stat st;
	char *line;
	size_t len;
	int k, sig_exists;

	memset(rep, 0, sizeof(*rep));
	memset(&v, 0, sizeof(v));
	memset(&lr, 0, sizeof(lr));
	lr.fd = -1;
	v.path = path;
	v.opts = opts;
	v.rep = rep;
	rep->verdict = VERIFY_OK;
	memcpy(v.prev, TRANSCRIPT_GENESIS_PREV, sizeof(v.prev));
	v.md = EVP_MD_CTX_new();
	v.sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
	if (tj_init(&v.doc, TRANSCRIPT_LINE_MAX_BYTES) != 0 || v.sha256 == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	sig_path = opts->sig_path != NULL ? strdup(opts->sig_path) : transcript_sig_path(path);
	if (v.md == NULL || sig_path == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	if (opts->roster_path != NULL && opts->script_path == NULL) {
		r = ce_err_set(CE_ERR_INVALID,
			       "verify: --roster needs --script (the roster is checked through the script's roles and steps)");
		goto out;
	}
	if (opts->script_path != NULL) {
		r = vsem_open(opts->script_path, opts->roster_path, &v.vs);
		if (r < 0)
			goto out;
	}
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		r = ce_err_set(CE_ERR_IO, "%s: not a regular file", path);
		goto out;
	}
	r = lr_open(&lr, path);
	if (r < 0)
		goto out;
	for (;;) {
		k = lr_next(&lr, path, &line, &len);
		if (k == CE_ERR_TOO_LARGE) {
			fail(&v, lr.lineno, "longer than %d bytes", TRANSCRIPT_LINE_MAX_BYTES);
			break;
		}
		if (k < 0) {
			r = k;
			goto out;
		}
		if (k == LR_EOF)
			break;
		if (k == LR_PARTIAL) {
			rep->partial_line = 1;
			if (v.ended) {
				fail(&v, lr.lineno, "bytes after ceremony.end");
				break;
			}
			break;
		}
		k = check_line(&v, lr.lineno, line, len);
		if (k < 0) {
			r = k;
			goto out;
		}
		if (k > 0)
			break;
	}
	if (rep->verdict == VERIFY_FAILED) {
		if (v.vs_failed) {
			char why2[VERIFY_REASON_LEN - 32];
			uint64_t wl = rep->fail_line;
			const char *msg = rep->reason;

			/* the reason without its "line N: " prefix */
			if (wl > 0 && (msg = strstr(rep->reason, ": ")) != NULL)
				msg += 2;
			else
				msg = rep->reason;
			snprintf(why2, sizeof(why2), "%.440s", msg);
			r = vsem_refine(v.vs, path, why2, sizeof(why2), &wl);
			if (r < 0)
				goto out;
			rep->verdict = VERIFY_OK;
			fail(&v, wl, "%s", why2);
		}
		goto done;
	}

	sig_exists = lstat(sig_path, &st) == 0;
	rep->signed_ = sig_exists;
	if (rep->partial_line && sig_exists) {
		fail(&v, lr.lineno, "partial last line (no newline) in a signed transcript");
		goto done;
	}
	if (sig_exists) {
		r = check_signature(&v, sig_path);
		if (r < 0)
			goto out;
		if (rep->verdict == VERIFY_FAILED)
			goto done;
	} else if (strcmp(rep->end_status, "completed") == 0) {
		/* A run killed between ceremony.end and its signature (t9004-crash)
		 * leaves exactly this: unproven, like every unsigned prefix, so
		 * INCOMPLETE (never OK); a deleted signature reads the same. */
		rep->verdict = VERIFY_INCOMPLETE;
		snprintf(rep->reason, sizeof(rep->reason),
			 "the ceremony completed but the transcript is not signed (%.400s missing): "
			 "stopped before signing, nothing is proven", sig_path);
		goto done;
	}
	if (rep->events == 0) {
		rep->verdict = VERIFY_INCOMPLETE;
		snprintf(rep->reason, sizeof(rep->reason), "stopped before the first event%s",
			 rep->partial_line ? " (partial line)" : "");
	} else if (rep->end_status[0] == '\0') {
		rep->verdict = VERIFY_INCOMPLETE;
		snprintf(rep->reason, sizeof(rep->reason),
			 "stopped after event %llu (line %llu%s%s), no ceremony.end%s%s",
			 (unsigned long long)(rep->events - 1), (unsigned long long)rep->events,
			 rep->last_step[0] ? ", step " : "", rep->last_step,
			 rep->partial_line ? "; a partial last line was ignored" : "",
			 sig_exists ? "" : "; not signed");
	} else if (strcmp(rep->end_status, "completed") != 0) {
		rep->verdict = VERIFY_INCOMPLETE;
		snprintf(rep->reason, sizeof(rep->reason), "%s%s%s%s%s%s", rep->end_status,
			 rep->last_step[0] ? " at step " : "", rep->last_step,
			 v.abort_reason[0] ? ": " : "", v.abort_reason,
			 sig_exists ? "" : " (not signed)");
	}
done:
	r = 0;
out:
	lr_close(&lr);
	sem_free(&v.sem);
	vsem_free(v.vs);
	tj_free(&v.doc);
	EVP_MD_free(v.sha256);
	EVP_MD_CTX_free(v.md);
	free(sig_path);
	return r;
}

int verify_exit_code(enum verify_verdict v)
{
	switch (v) {
	case VERIFY_OK:
		return VERIFY_EXIT_OK;
	case VERIFY_INCOMPLETE:
		return VERIFY_EXIT_INCOMPLETE;
	default:
		return VERIFY_EXIT_FAILED;
	}
}

const char *verify_verdict_name(enum verify_verdict v)
{
	switch (v) {
	case VERIFY_OK:
		return "OK";
	case VERIFY_INCOMPLETE:
		return "INCOMPLETE";
	default:
		return "FAILED";
	}
}

json_t *verify_report_json(const char *path, const struct verify_report *rep)
{
	json_t *o = json_object();

	if (o == NULL)
		return NULL;
#define SETN(k, v)                                        \
	do {                                              \
		if (json_object_set_new(o, k, v) != 0)    \
			goto fail;                        \
	} while (0)
#define STR_OR_NULL(s) ((s)[0] ? json_string(s) : json_null())
	SETN("transcript", json_string(path));
	SETN("verdict", json_string(verify_verdict_name(rep->verdict)));
	SETN("exit", json_integer(verify_exit_code(rep->verdict)));
	SETN("reason", STR_OR_NULL(rep->reason));
	SETN("line", rep->fail_line ? json_integer((json_int_t)rep->fail_line) : json_null());
	SETN("events", json_integer((json_int_t)rep->events));
	SETN("ceremony_id", STR_OR_NULL(rep->ceremony_id));
	SETN("ceremony", STR_OR_NULL(rep->ceremony));
	SETN("start", STR_OR_NULL(rep->start_time));
	SETN("end", STR_OR_NULL(rep->end_time));
	SETN("status", STR_OR_NULL(rep->end_status));
	SETN("last_step", STR_OR_NULL(rep->last_step));
	SETN("rehearsal", json_boolean(rep->rehearsal));
	SETN("partial_line", json_boolean(rep->partial_line));
	SETN("signed", json_boolean(rep->signed_));
	SETN("signature_ok", json_boolean(rep->signature_ok));
	SETN("key_line", rep->key_line ? json_integer((json_int_t)rep->key_line) : json_null());
	SETN("signer_spki_sha256", STR_OR_NULL(rep->key_spki_sha256));
	SETN("signer_fingerprint", STR_OR_NULL(rep->key_words));
	SETN("outputs_checked", json_integer((json_int_t)rep->outputs_checked));
#undef SETN
#undef STR_OR_NULL
	return o;
fail:
	json_decref(o);
	return NULL;
}
