/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/verify/rules.c - the event-level rules a transcript obeys without
 * its script (docs/transcript-format.md section 7, docs/auditor-guide.md):
 * structure (ceremony.start first, one transcript.key, nothing after
 * ceremony.end), a step runs once and its events come while it runs, people
 * and roles (policy 4.2.4, 5.2.1), quorums of distinct holders (policy 5.2.1),
 * and the outputs' hashes (--outputs).
 *
 * State is in bounded tables: memory does not grow with the number of events
 * beyond SEM_STEPS_MAX steps and SEM_PERSONS_MAX persons. The step table
 * starts small and doubles with the steps started (a short transcript
 * allocates a short table).
 */
#include "ceremony/verify/verify_internal.h"
#include "ceremony/model/role.h"
#include "ceremony/policy/quorum.h"
#include "common/err.h"
#include "common/hex.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SEM_STEPS_MAX 10000
#define SEM_STEP_SLOTS 16384 /* the most slots: > SEM_STEPS_MAX * 4 / 3, the table never fills */
#define SEM_STEP_SLOTS_FIRST 32 /* doubled when three quarters full */
#define SEM_STEP_PEOPLE_MAX 256
#define SEM_PERSONS_MAX 1024
#define SEM_QUORUM_MAX 256

struct sem_step {
	char *id;
	uint64_t line;
};

struct sem_person {
	char *id;
	role_set roles; /* the policy roles shown or assigned */
};

struct sem_share {
	char *set;
	char *holder;
	int64_t group, member; /* group 1 when the event names none (one group) */
	uint64_t line;
};

struct verify_rules {
	struct sem_step *steps; /* every step started (open addressing) */
	size_t nsteps, nslots;
	char *open_step; /* the step now running, NULL between steps */
	/* the running step's people: person NULL, person_id owned */
	/* arrays grown on demand (rules_grow), up to their _MAX */
	struct policy_seat *actors;
	size_t nactors, cap_actors;
	struct policy_seat *wits;
	size_t nwits, cap_wits;
	struct sem_person *persons;
	size_t npersons, cap_persons;
	struct sem_share *shares;
	size_t nshares, cap_shares;
	int ended;
	/* the set of the last share.issued and its pin_derivation ("" none) */
	char issued_set[2 * VERIFY_NAME_LEN], issued_deriv[VERIFY_NAME_LEN];
	char abort_reason[VERIFY_REASON_LEN - 128]; /* an abort's reason, or a failed run's first error */
	/* the line being checked (borrowed during verify_rules_event) */
	const struct tj_doc *d;
	struct verify_report *rep;
};

static void copy_str(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src != NULL ? src : "");
}

/* arr (cap elements of elsize bytes) with twice the room (8 at first), or
 * NULL (arr untouched). Every _MAX above is a power of two: the last
 * doubling reaches it exactly. */
static void *rules_grow(void *arr, size_t *cap, size_t elsize)
{
	size_t c = *cap ? *cap * 2 : 8;
	void *p = realloc(arr, c * elsize);

	if (p != NULL)
		*cap = c;
	return p;
}

static void rules_step_people_clear(struct verify_rules *ru)
{
	size_t i;

	for (i = 0; i < ru->nactors; i++)
		free((char *)ru->actors[i].person_id);
	for (i = 0; i < ru->nwits; i++)
		free((char *)ru->wits[i].person_id);
	for (i = 0; i < ru->nshares; i++) {
		free(ru->shares[i].set);
		free(ru->shares[i].holder);
	}
	ru->nactors = ru->nwits = ru->nshares = 0;
}

int verify_rules_new(struct verify_rules **out)
{
	int r = CE_ERR_INTERNAL;
	struct verify_rules *ru = NULL;

	*out = NULL;
	ru = calloc(1, sizeof(*ru));
	if (ru == NULL) {
		r = ce_err_set(CE_ERR_NOMEM, "verify: out of memory for the rules");
		goto out;
	}
	ru->nslots = SEM_STEP_SLOTS_FIRST;
	ru->steps = calloc(ru->nslots, sizeof(*ru->steps));
	if (ru->steps == NULL) {
		r = ce_err_set(CE_ERR_NOMEM, "verify: out of memory for the rules");
		goto out;
	}
	*out = ru;
	ru = NULL; /* transferred */
	r = 0;
out:
	verify_rules_free(ru);
	return r;
}

void verify_rules_free(struct verify_rules *ru)
{
	size_t i;

	if (ru == NULL)
		return;
	rules_step_people_clear(ru);
	if (ru->steps != NULL)
		for (i = 0; i < ru->nslots; i++)
			free(ru->steps[i].id);
	free(ru->steps);
	free(ru->open_step);
	for (i = 0; i < ru->npersons; i++)
		free(ru->persons[i].id);
	free(ru->persons);
	free(ru->actors);
	free(ru->wits);
	free(ru->shares);
	free(ru);
}

int verify_rules_ended(const struct verify_rules *ru)
{
	return ru->ended;
}

const char *verify_rules_abort_reason(const struct verify_rules *ru)
{
	return ru->abort_reason;
}

static uint64_t str_hash(const char *p)
{
	uint64_t h = 1469598103934665603ull;

	while (*p)
		h = (h ^ (uint8_t)*p++) * 1099511628211ull;
	return h;
}

/* The role's bit, 0 for a role the policy does not know (the format check
 * lets any string through; the script checks refuse unknown roles). */
static role_set rules_role_bit(const char *name)
{
	enum role role;

	return name != NULL && role_parse(name, &role) == 0 ? ROLE_BIT(role) : 0;
}

static struct sem_person *rules_person_find(struct verify_rules *ru, const char *id)
{
	size_t j;

	for (j = 0; j < ru->npersons; j++)
		if (strcmp(ru->persons[j].id, id) == 0)
			return &ru->persons[j];
	return NULL;
}

/* The roles person id shows (the roles array at index roles, and
 * extra_role), added to those shown before: no forbidden pair. */
static int rules_person_roles(struct verify_rules *ru, uint64_t ln, const char *id, int roles,
			      const char *extra_role)
{
	const struct tj_doc *d = ru->d;
	struct sem_person *p = rules_person_find(ru, id);
	role_set add = 0;
	uint32_t i;
	size_t j;
	int role;

	if (p == NULL) {
		if (ru->npersons == SEM_PERSONS_MAX)
			return verify_report_fail(ru->rep, ln, "more than %d persons", SEM_PERSONS_MAX);
		if (ru->npersons == ru->cap_persons) {
			struct sem_person *g = rules_grow(ru->persons, &ru->cap_persons, sizeof(*g));

			if (g == NULL)
				return ce_err_set(CE_ERR_NOMEM, "verify: line %llu: out of memory for persons",
						  (unsigned long long)ln);
			ru->persons = g;
		}
		p = &ru->persons[ru->npersons];
		p->id = strdup(id);
		if (p->id == NULL)
			return ce_err_set(CE_ERR_NOMEM, "verify: line %llu: out of memory for persons",
					  (unsigned long long)ln);
		p->roles = 0;
		ru->npersons++;
	}
	if (extra_role != NULL)
		add |= rules_role_bit(extra_role);
	if (roles >= 0)
		TJ_ARR_EACH(d, roles, i, role)
			add |= rules_role_bit(tj_str(d, role));
	if ((p->roles | add) == p->roles)
		return 0;
	p->roles |= add;
	/* policy 4.2.4: forbidden pairs of roles for one person (the four that
	 * hold whatever the roster says; the roster's own with --script). */
	for (j = 0; j < ROLE_DEFAULT_PAIRS; j++) {
		role_set a = ROLE_BIT(role_default_forbidden[j].a);
		role_set b = ROLE_BIT(role_default_forbidden[j].b);

		if ((p->roles & a) && (p->roles & b) && ((add & a) || (add & b)))
			return verify_report_fail(ru->rep, ln, "%s holds both %s and %s, a forbidden pair (policy 4.2.4)",
						  id, role_name(role_default_forbidden[j].a),
						  role_name(role_default_forbidden[j].b));
	}
	return 0;
}

static int seats_have(const struct policy_seat *list, size_t n, const char *id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(list[i].person_id, id) == 0)
			return 1;
	return 0;
}

/* The persons (witness 0) or witnesses (1) of a line: their roles, and while
 * a step runs, its actors and witnesses. */
static int rules_people(struct verify_rules *ru, uint64_t ln, int arr, int witness)
{
	const struct tj_doc *d = ru->d;
	struct policy_seat **list = witness ? &ru->wits : &ru->actors;
	size_t *n = witness ? &ru->nwits : &ru->nactors;
	size_t *cap = witness ? &ru->cap_wits : &ru->cap_actors;
	uint32_t i;
	int p, k;

	TJ_ARR_EACH(d, arr, i, p) {
		struct policy_seat me = { NULL, tj_str(d, tj_get(d, p, "id")), ROLE_COUNT };

		k = rules_person_roles(ru, ln, me.person_id, tj_get(d, p, "roles"), NULL);
		if (k != 0)
			return k;
		if (ru->open_step == NULL)
			continue;
		/* policy 5.2.1: an actor never witnesses their own step (the
		 * policy's own rule, either way round). */
		if (witness && policy_step_self_witness(ru->actors, ru->nactors, &me))
			return verify_report_fail(ru->rep, ln, "step %s: %s witnesses their own step (policy 5.2.1)",
						  ru->open_step, me.person_id);
		if (!witness && policy_step_self_witness(ru->wits, ru->nwits, &me))
			return verify_report_fail(ru->rep, ln, "step %s: %s acts in a step they witness (policy 5.2.1)",
						  ru->open_step, me.person_id);
		if (seats_have(*list, *n, me.person_id))
			continue;
		if (*n == SEM_STEP_PEOPLE_MAX)
			return verify_report_fail(ru->rep, ln, "more than %d people in step %s",
						  SEM_STEP_PEOPLE_MAX, ru->open_step);
		if (*n == *cap) {
			struct policy_seat *g = rules_grow(*list, cap, sizeof(*g));

			if (g == NULL)
				return ce_err_set(CE_ERR_NOMEM, "verify: line %llu: out of memory for the people of step %s",
						  (unsigned long long)ln, ru->open_step);
			*list = g;
		}
		me.person_id = strdup(me.person_id);
		if (me.person_id == NULL)
			return ce_err_set(CE_ERR_NOMEM, "verify: line %llu: out of memory for the people of step %s",
					  (unsigned long long)ln, ru->open_step);
		(*list)[(*n)++] = me;
	}
	return 0;
}

/* The slot of step in the table: its own, or the empty one it would take. */
static size_t rules_step_slot(const struct verify_rules *ru, const char *step)
{
	size_t slot = (size_t)(str_hash(step) % ru->nslots);

	while (ru->steps[slot].id != NULL && strcmp(ru->steps[slot].id, step) != 0)
		slot = (slot + 1) % ru->nslots;
	return slot;
}

/* Twice the slots (at most SEM_STEP_SLOTS), every step moved over. 0 or
 * CE_ERR_NOMEM. */
static int rules_steps_grow(struct verify_rules *ru)
{
	struct sem_step *old = ru->steps;
	size_t oldn = ru->nslots, i;

	ru->steps = calloc(oldn * 2, sizeof(*ru->steps));
	if (ru->steps == NULL) {
		ru->steps = old;
		return ce_err_set(CE_ERR_NOMEM, "verify: out of memory for %zu steps", oldn * 2);
	}
	ru->nslots = oldn * 2;
	for (i = 0; i < oldn; i++)
		if (old[i].id != NULL)
			ru->steps[rules_step_slot(ru, old[i].id)] = old[i];
	free(old);
	return 0;
}

static int rules_step_start(struct verify_rules *ru, uint64_t ln, const char *step)
{
	size_t slot;

	if (ru->open_step != NULL)
		return verify_report_fail(ru->rep, ln, "step %s starts while step %s is still running",
					  step, ru->open_step);
	slot = rules_step_slot(ru, step);
	if (ru->steps[slot].id != NULL)
		return verify_report_fail(ru->rep, ln, "step %s runs a second time (first at line %llu)",
					  step, (unsigned long long)ru->steps[slot].line);
	if (ru->nsteps == SEM_STEPS_MAX)
		return verify_report_fail(ru->rep, ln, "more than %d steps", SEM_STEPS_MAX);
	if ((ru->nsteps + 1) * 4 > ru->nslots * 3 && ru->nslots < SEM_STEP_SLOTS) {
		if (rules_steps_grow(ru) != 0)
			return CE_ERR_NOMEM; /* rules_steps_grow said why */
		slot = rules_step_slot(ru, step);
	}
	ru->steps[slot].id = strdup(step);
	ru->open_step = strdup(step);
	if (ru->steps[slot].id == NULL || ru->open_step == NULL)
		return ce_err_set(CE_ERR_NOMEM, "verify: line %llu: out of memory for step %s",
				  (unsigned long long)ln, step);
	ru->steps[slot].line = ln;
	ru->nsteps++;
	rules_step_people_clear(ru);
	return 0;
}

/* The group of a share event: details.group, 1 when absent (a transcript
 * written before groups were recorded: one group). 0 when it is there but not
 * an integer 1..16. */
static int64_t rules_share_group(const struct tj_doc *d, int det)
{
	int g = tj_get(d, det, "group");

	if (g < 0)
		return 1;
	if (!tj_is(d, g, TJ_INT) || d->t[g].v.i < 1 || d->t[g].v.i > SCRIPT_MAX_GROUPS)
		return 0;
	return d->t[g].v.i;
}

/* quorum.share: an accepted share, one per holder and per (group, member)
 * of a set. */
static int rules_quorum_share(struct verify_rules *ru, uint64_t ln, int det)
{
	const struct tj_doc *d = ru->d;
	const char *set = tj_str(d, tj_get(d, det, "set"));
	const char *holder = tj_str(d, tj_get(d, det, "holder"));
	int64_t member = d->t[tj_get(d, det, "member")].v.i;
	int64_t group = rules_share_group(d, det);
	struct sem_share *sh;
	size_t j;

	if (group == 0 || member < 1 || member > SCRIPT_MAX_SHARES)
		return verify_report_fail(ru->rep, ln, "quorum.share: group or member is not an integer 1..16");
	if (!tj_is(d, tj_get(d, det, "accepted"), TJ_TRUE))
		return 0;
	for (j = 0; j < ru->nshares; j++) {
		if (strcmp(ru->shares[j].set, set) != 0)
			continue;
		if (strcmp(ru->shares[j].holder, holder) == 0)
			return verify_report_fail(ru->rep, ln,
						  "step %s: %s presents a second share of set %s (first at line %llu): a quorum needs distinct key holders (policy 5.2.1)",
						  ru->open_step, holder, set, (unsigned long long)ru->shares[j].line);
		if (ru->shares[j].group == group && ru->shares[j].member == member)
			return verify_report_fail(ru->rep, ln, "step %s: share %lld, group %lld, set %s accepted twice (first at line %llu)",
						  ru->open_step, (long long)member, (long long)group, set,
						  (unsigned long long)ru->shares[j].line);
	}
	if (ru->nshares == SEM_QUORUM_MAX)
		return verify_report_fail(ru->rep, ln, "more than %d shares in step %s", SEM_QUORUM_MAX,
					  ru->open_step);
	if (ru->nshares == ru->cap_shares) {
		struct sem_share *g = rules_grow(ru->shares, &ru->cap_shares, sizeof(*g));

		if (g == NULL)
			return ce_err_set(CE_ERR_NOMEM, "verify: line %llu: out of memory for shares",
					  (unsigned long long)ln);
		ru->shares = g;
	}
	sh = &ru->shares[ru->nshares++];
	sh->set = strdup(set);
	sh->holder = strdup(holder);
	sh->group = group;
	sh->member = member;
	sh->line = ln;
	if (sh->set == NULL || sh->holder == NULL)
		return ce_err_set(CE_ERR_NOMEM, "verify: line %llu: out of memory for shares",
				  (unsigned long long)ln);
	return 0;
}

/* A PIN derivation as docs/share-format.md writes it: "hkdf-sha256-v1
 * typeable|digits L", L in 1..64 without leading zero. The verifier reads
 * it as text (it links no pkcs11/ code). */
static int rules_derivation_valid(const char *s)
{
	static const char scheme[] = "hkdf-sha256-v1 ";
	const char *p;
	unsigned long n;
	char *end;

	if (strncmp(s, scheme, sizeof(scheme) - 1) != 0)
		return 0;
	p = s + sizeof(scheme) - 1;
	if (strncmp(p, "typeable ", 9) == 0)
		p += 9;
	else if (strncmp(p, "digits ", 7) == 0)
		p += 7;
	else
		return 0;
	if (*p < '1' || *p > '9')
		return 0;
	n = strtoul(p, &end, 10);
	return *end == '\0' && n >= 1 && n <= 64;
}

/* share.issued: a pin_derivation, when there, is one the format knows, and
 * every share of a set records the same (a set's shares are issued one after
 * the other, in one step). */
static int rules_share_issued(struct verify_rules *ru, uint64_t ln, int det)
{
	const struct tj_doc *d = ru->d;
	const char *set = tj_str(d, tj_get(d, det, "set"));
	const char *secret = tj_str(d, tj_get(d, det, "secret"));
	int dv = tj_get(d, det, "pin_derivation");
	const char *deriv = dv >= 0 ? tj_str(d, dv) : "";
	char key[2 * VERIFY_NAME_LEN];

	if (deriv == NULL || strlen(deriv) >= sizeof(ru->issued_deriv) ||
	    (deriv[0] != '\0' && !rules_derivation_valid(deriv)))
		return verify_report_fail(ru->rep, ln, "share.issued: pin_derivation is not 'hkdf-sha256-v1 typeable|digits LENGTH' (docs/share-format.md)");
	snprintf(key, sizeof(key), "%s/%s", secret != NULL ? secret : "", set != NULL ? set : "");
	if (strcmp(key, ru->issued_set) == 0 && strcmp(deriv, ru->issued_deriv) != 0)
		return verify_report_fail(ru->rep, ln, "share.issued: set %s records the PIN derivation '%s', an earlier share of it '%s'",
					  set, deriv, ru->issued_deriv);
	copy_str(ru->issued_set, sizeof(ru->issued_set), key);
	copy_str(ru->issued_deriv, sizeof(ru->issued_deriv), deriv);
	return 0;
}

/* The layout quorum.met records: details.groups [{threshold, count}] and
 * details.group_threshold. A transcript written before layouts were recorded
 * has neither: one group whose threshold is details.threshold (its count is
 * unknown: up to 16). 0, or 1 with the failure recorded. */
static int rules_met_layout(struct verify_rules *ru, uint64_t ln, int det, int64_t threshold,
			    struct script_layout *l)
{
	const struct tj_doc *d = ru->d;
	int groups = tj_get(d, det, "groups"), gt = tj_get(d, det, "group_threshold"), g, t, c;
	uint32_t i;

	memset(l, 0, sizeof(*l));
	if (groups < 0 && gt < 0) {
		l->ngroups = 1;
		l->group_threshold = 1;
		l->groups[0].threshold = threshold >= 1 && threshold <= SCRIPT_MAX_SHARES ?
						 (unsigned)threshold : 0;
		l->groups[0].count = threshold == 1 ? 1 : SCRIPT_MAX_SHARES;
		return 0; /* an impossible threshold fails in quorum_check */
	}
	if (!tj_is(d, groups, TJ_ARR) || !tj_is(d, gt, TJ_INT) || d->t[groups].size < 1 ||
	    d->t[groups].size > SCRIPT_MAX_GROUPS || d->t[gt].v.i < 1 ||
	    d->t[gt].v.i > SCRIPT_MAX_GROUPS)
		return verify_report_fail(ru->rep, ln, "quorum.met: groups is not 1..16 groups, or group_threshold not 1..16");
	TJ_ARR_EACH(d, groups, i, g) {
		t = tj_get(d, g, "threshold");
		c = tj_get(d, g, "count");
		if (!tj_is(d, t, TJ_INT) || !tj_is(d, c, TJ_INT) || d->t[t].v.i < 1 ||
		    d->t[t].v.i > SCRIPT_MAX_SHARES || d->t[c].v.i < 1 ||
		    d->t[c].v.i > SCRIPT_MAX_SHARES)
			return verify_report_fail(ru->rep, ln, "quorum.met: groups[%u] is not {threshold, count} of 1..16", i);
		l->groups[i].threshold = (unsigned)d->t[t].v.i;
		l->groups[i].count = (unsigned)d->t[c].v.i;
	}
	l->ngroups = d->t[groups].size;
	l->group_threshold = (unsigned)d->t[gt].v.i;
	if (!quorum_layout_valid(l))
		return verify_report_fail(ru->rep, ln, "quorum.met: a share layout SLIP-39 does not allow");
	if ((int64_t)script_layout_quorum(l) != threshold)
		return verify_report_fail(ru->rep, ln, "quorum.met: threshold %lld, but the smallest quorum of its groups is %u",
					  (long long)threshold, script_layout_quorum(l));
	return 0;
}

/* quorum.met: distinct holders (policy 5.2.1), each of whom presented an
 * accepted share of the set; their shares meet the set's layout
 * (quorum_check: the runner's own rule), at least the threshold. */
static int rules_quorum_met(struct verify_rules *ru, uint64_t ln, int det)
{
	const struct tj_doc *d = ru->d;
	const char *set = tj_str(d, tj_get(d, det, "set"));
	int64_t threshold = d->t[tj_get(d, det, "threshold")].v.i;
	int holders = tj_get(d, det, "holders");
	uint32_t nh = d->t[holders].size, i, i2;
	struct quorum_share pos[SEM_QUORUM_MAX];
	struct script_layout layout;
	char why[256];
	size_t j, distinct = 0, npos = 0;
	int h, h2;

	if (rules_met_layout(ru, ln, det, threshold, &layout) != 0)
		return 1;
	TJ_ARR_EACH(d, holders, i, h) {
		int seen = 0;

		if (!tj_is(d, h, TJ_STR))
			return verify_report_fail(ru->rep, ln, "quorum.met: holders[%u] is not a string", i);
		TJ_ARR_EACH(d, holders, i2, h2)
			if (i2 < i && strcmp(tj_str(d, h), tj_str(d, h2)) == 0)
				return verify_report_fail(ru->rep, ln, "step %s: quorum for set %s counts %s twice; a quorum needs distinct key holders (policy 5.2.1)",
							  ru->open_step, set, tj_str(d, h));
		for (j = 0; j < ru->nshares && !seen; j++)
			if (strcmp(ru->shares[j].set, set) == 0 &&
			    strcmp(ru->shares[j].holder, tj_str(d, h)) == 0) {
				seen = 1;
				pos[npos].group = (unsigned)ru->shares[j].group;
				pos[npos++].member = (unsigned)ru->shares[j].member;
			}
		if (!seen)
			return verify_report_fail(ru->rep, ln, "step %s: quorum for set %s counts %s, who presented no accepted share",
						  ru->open_step, set, tj_str(d, h));
	}
	for (j = 0; j < ru->nshares; j++)
		if (strcmp(ru->shares[j].set, set) == 0)
			distinct++;
	if (threshold < 1 || (int64_t)distinct < threshold || (int64_t)nh < threshold)
		return verify_report_fail(ru->rep, ln, "step %s: quorum for set %s met with %zu distinct holders, threshold %lld",
					  ru->open_step, set, (size_t)nh < distinct ? (size_t)nh : distinct,
					  (long long)threshold);
	/* policy 5.2.1: group threshold groups, each at its member threshold */
	if (quorum_check(&layout, pos, npos, why, sizeof(why)) != 0)
		return verify_report_fail(ru->rep, ln, "step %s: quorum for set %s not met: %s (policy 5.2.1)",
					  ru->open_step, set, why);
	return 0;
}

/* Outputs (--outputs DIR): the file named by the event must hash as recorded. */
static int rules_output(struct verify_rules *ru, uint64_t ln, int det, const char *dir)
{
	int r = CE_ERR_INTERNAL;
	const struct tj_doc *d = ru->d;
	const char *file = tj_str(d, tj_get(d, det, "file"));
	const char *want = tj_str(d, tj_get(d, det, "sha256"));
	const char *base;
	char *p = NULL;
	uint8_t h[32];
	char hex[TRANSCRIPT_HASH_HEX_LEN + 1];
	size_t n;

	base = strrchr(file, '/');
	base = base != NULL ? base + 1 : file;
	if (base[0] == '\0' || strcmp(base, ".") == 0 || strcmp(base, "..") == 0) {
		r = verify_report_fail(ru->rep, ln, "output file name \"%.100s\" is not a file name", file);
		goto out;
	}
	n = strlen(dir) + strlen(base) + 2;
	p = malloc(n);
	if (p == NULL) {
		r = ce_err_set(CE_ERR_NOMEM, "verify: line %llu: out of memory for the output path",
			       (unsigned long long)ln);
		goto out;
	}
	snprintf(p, n, "%s/%s", dir, base);
	if (transcript_file_sha256(p, h, NULL) < 0) {
		r = verify_report_fail(ru->rep, ln, "output %s: %s", base, ce_err_detail());
		ce_err_clear();
		goto out;
	}
	hex_encode(h, 32, hex);
	if (strcmp(hex, want) != 0) {
		r = verify_report_fail(ru->rep, ln, "output %s in %s has SHA-256 %s, the transcript says %s",
				       base, dir, hex, want);
		goto out;
	}
	ru->rep->outputs_checked++;
	r = 0;
out:
	free(p);
	return r;
}

/* Structure: ceremony.start first and once, one transcript.key whose words
 * match its hash, nothing after ceremony.end; what the report shows. */
static int rules_structure(struct verify_rules *ru, uint64_t ln, const char *type, int det)
{
	const struct tj_doc *d = ru->d;
	struct verify_report *rep = ru->rep;

	if (ru->ended)
		return verify_report_fail(rep, ln, "%s after ceremony.end", type);
	if ((ln == 1) != (strcmp(type, "ceremony.start") == 0))
		return verify_report_fail(rep, ln, ln == 1 ? "the first event is %s, not ceremony.start" :
							     "%s again", type);
	if (ln == 1) {
		copy_str(rep->ceremony_id, sizeof(rep->ceremony_id),
			 tj_str(d, tj_get(d, det, "ceremony_id")));
		copy_str(rep->ceremony, sizeof(rep->ceremony), tj_str(d, tj_get(d, det, "ceremony")));
		copy_str(rep->start_time, sizeof(rep->start_time), tj_str(d, tj_get(d, 0, "time")));
		rep->rehearsal = tj_is(d, tj_get(d, det, "rehearsal"), TJ_TRUE);
		rep->scripted_input = tj_is(d, tj_get(d, det, "scripted_input"), TJ_TRUE);
		rep->production = tj_is(d, tj_get(d, det, "rehearsal"), TJ_FALSE) &&
				  tj_is(d, tj_get(d, det, "scripted_input"), TJ_FALSE);
		rep->clock_unsynchronised = tj_is(d, tj_get(d, tj_get(d, det, "clock"),
							     "synchronised"), TJ_FALSE);
	}
	if (strcmp(type, "clock.held") == 0)
		rep->clock_held++;
	/* a failed run says why: its (first) error event's message */
	if (strcmp(type, "error") == 0 && ru->abort_reason[0] == '\0')
		copy_str(ru->abort_reason, sizeof(ru->abort_reason),
			 tj_str(d, tj_get(d, det, "message")));
	if (strcmp(type, "transcript.key") == 0) {
		if (rep->key_line != 0)
			return verify_report_fail(rep, ln, "a second transcript.key (the first is at line %llu)",
						  (unsigned long long)rep->key_line);
		rep->key_line = ln;
		copy_str(rep->key_spki_sha256, sizeof(rep->key_spki_sha256),
			 tj_str(d, tj_get(d, det, "spki_sha256")));
		if (ceremony_fingerprint_words_hex(rep->key_spki_sha256, rep->key_words,
						   sizeof(rep->key_words)) != 0)
			return verify_report_fail(rep, ln, "transcript.key: bad spki_sha256");
		if (strcmp(tj_str(d, tj_get(d, det, "fingerprint")), rep->key_words) != 0)
			return verify_report_fail(rep, ln, "transcript.key: the fingerprint words do not match spki_sha256");
	}
	if (strcmp(type, "abort") == 0)
		copy_str(ru->abort_reason, sizeof(ru->abort_reason), tj_str(d, tj_get(d, det, "reason")));
	if (strcmp(type, "ceremony.end") == 0) {
		ru->ended = 1;
		copy_str(rep->end_status, sizeof(rep->end_status), tj_str(d, tj_get(d, det, "status")));
	}
	return 0;
}

/* role.assign / role.revoke: the role given or taken from each person. */
static int rules_role_change(struct verify_rules *ru, uint64_t ln, const char *type, int det)
{
	const struct tj_doc *d = ru->d;
	const char *role = tj_str(d, tj_get(d, det, "role"));
	uint32_t k;
	int p, r;

	TJ_ARR_EACH(d, tj_get(d, 0, "persons"), k, p) {
		const char *id = tj_str(d, tj_get(d, p, "id"));
		struct sem_person *sp;

		if (strcmp(type, "role.assign") == 0) {
			r = rules_person_roles(ru, ln, id, tj_get(d, p, "roles"), role);
			if (r != 0)
				return r;
		} else if ((sp = rules_person_find(ru, id)) != NULL) {
			sp->roles &= ~rules_role_bit(role);
		}
	}
	return 0;
}

/* Who a line shows: the subjects of role changes and attendance, or the
 * step's actors; then its witnesses. */
static int rules_persons(struct verify_rules *ru, uint64_t ln, const char *type)
{
	const struct tj_doc *d = ru->d;
	int persons = tj_get(d, 0, "persons");
	uint32_t k;
	int p, r;

	if (strcmp(type, "role.assign") == 0 || strcmp(type, "role.revoke") == 0) {
		r = rules_role_change(ru, ln, type, tj_get(d, 0, "details"));
	} else if (strcmp(type, "attendance") == 0) {
		/* The person is the event's subject, not an actor of the step
		 * (the attendance step's witness is present too). */
		r = 0;
		TJ_ARR_EACH(d, persons, k, p) {
			r = rules_person_roles(ru, ln, tj_str(d, tj_get(d, p, "id")),
					       tj_get(d, p, "roles"), NULL);
			if (r != 0)
				break;
		}
	} else {
		r = rules_people(ru, ln, persons, 0);
	}
	if (r != 0)
		return r;
	return rules_people(ru, ln, tj_get(d, 0, "witnesses"), 1);
}

int verify_rules_event(struct verify_rules *ru, const struct tj_doc *d, struct verify_report *rep,
		       uint64_t ln, const char *outputs_dir)
{
	int r = CE_ERR_INTERNAL;
	const char *type = tj_str(d, tj_get(d, 0, "type"));
	const char *step = tj_str(d, tj_get(d, 0, "step"));
	int det = tj_get(d, 0, "details");

	ru->d = d;
	ru->rep = rep;
	r = rules_structure(ru, ln, type, det);
	if (r != 0)
		goto out;
	if (strcmp(type, "step.start") == 0) {
		r = rules_step_start(ru, ln, step);
		if (r != 0)
			goto out;
	} else if (step != NULL && (ru->open_step == NULL || strcmp(step, ru->open_step) != 0)) {
		r = verify_report_fail(rep, ln, "%s for step %s, which is not running (no step.start, or it ended)",
				       type, step);
		goto out;
	}
	r = rules_persons(ru, ln, type);
	if (r != 0)
		goto out;
	if (strcmp(type, "quorum.share") == 0)
		r = rules_quorum_share(ru, ln, det);
	else if (strcmp(type, "quorum.met") == 0)
		r = rules_quorum_met(ru, ln, det);
	else if (strcmp(type, "share.issued") == 0)
		r = rules_share_issued(ru, ln, det);
	if (r != 0)
		goto out;
	if (strcmp(type, "step.end") == 0) {
		free(ru->open_step);
		ru->open_step = NULL;
		rules_step_people_clear(ru);
	}
	if (outputs_dir != NULL && strcmp(type, "share.issued") == 0) {
		r = verify_sealed_output(rep, d, ln, det, outputs_dir);
		if (r != 0)
			goto out;
	}
	if (outputs_dir != NULL && tj_get(d, det, "sha256") >= 0 &&
	    tj_is(d, tj_get(d, det, "file"), TJ_STR)) {
		r = rules_output(ru, ln, det, outputs_dir);
		if (r != 0)
			goto out;
	}
	r = 0;
out:
	ru->d = NULL;
	ru->rep = NULL;
	return r;
}
