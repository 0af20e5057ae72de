/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for ceremony/policy/quorum.c, the one "is this quorum met" rule
 * of the runner and the verifier: one group, two groups 2 of {3-of-5,
 * 2-of-2}, a 1-of-1 group, 16 groups; each met case with its twin (a group
 * short, the same share twice, a share outside the layout, a layout
 * SLIP-39 does not allow). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "ceremony/policy/quorum.h"
#include "common/err.h"

#include <string.h>

static struct script_layout layout(unsigned gt, size_t ng, const unsigned *th, const unsigned *ct)
{
	struct script_layout l;
	size_t g;

	memset(&l, 0, sizeof(l));
	l.ngroups = ng;
	l.group_threshold = gt;
	for (g = 0; g < ng; g++) {
		l.groups[g].threshold = th[g];
		l.groups[g].count = ct[g];
	}
	return l;
}

static void test_one_group(void **state)
{
	static const unsigned th[] = { 3 }, ct[] = { 5 };
	struct script_layout l = layout(1, 1, th, ct);
	struct quorum_share s[] = { { 1, 1 }, { 1, 4 }, { 1, 5 } };
	char why[200];

	(void)state;
	assert_int_equal(quorum_check(&l, s, 3, why, sizeof(why)), 0);
	assert_int_equal(quorum_check(&l, s, 2, why, sizeof(why)), CE_ERR_QUORUM);
	assert_non_null(strstr(why, "group 1 has 2 of the 3 shares it needs"));
	assert_int_equal(quorum_check(&l, s, 0, why, sizeof(why)), CE_ERR_QUORUM);
	assert_non_null(strstr(why, "0 of 1 groups complete, 1 needed"));
	s[2].member = 1;
	assert_int_equal(quorum_check(&l, s, 3, why, sizeof(why)), CE_ERR_DUPLICATE);
	assert_non_null(strstr(why, "share 1 of group 1 counted twice"));
	s[2].member = 6;
	assert_int_equal(quorum_check(&l, s, 3, why, sizeof(why)), CE_ERR_INVALID);
	assert_non_null(strstr(why, "outside the layout"));
}

/* 2 of {3-of-5, 2-of-2}: the layout of scripts/two-group-token-init.yaml. */
static void test_two_groups(void **state)
{
	static const unsigned th[] = { 3, 2 }, ct[] = { 5, 2 };
	struct script_layout l = layout(2, 2, th, ct);
	struct quorum_share met[] = { { 1, 1 }, { 1, 2 }, { 1, 3 }, { 2, 1 }, { 2, 2 } };
	struct quorum_share shortg[] = { { 1, 1 }, { 1, 2 }, { 1, 3 }, { 1, 4 }, { 2, 1 } };
	struct quorum_share twice[] = { { 1, 1 }, { 1, 2 }, { 1, 3 }, { 2, 1 }, { 2, 1 } };
	char why[200];

	(void)state;
	assert_int_equal(quorum_check(&l, met, 5, why, sizeof(why)), 0);
	/* the old bug: member 1 of group 1 and member 1 of group 2 are two shares */
	assert_int_equal(quorum_check(&l, met, 4, why, sizeof(why)), CE_ERR_QUORUM);
	assert_non_null(strstr(why, "1 of 2 groups complete, 2 needed; group 2 has 1 of the 2"));
	assert_int_equal(quorum_check(&l, shortg, 5, why, sizeof(why)), CE_ERR_QUORUM);
	assert_int_equal(quorum_check(&l, twice, 5, why, sizeof(why)), CE_ERR_DUPLICATE);
	assert_non_null(strstr(why, "share 1 of group 2 counted twice"));
	met[4].member = 3; /* group 2 has 2 members */
	assert_int_equal(quorum_check(&l, met, 5, why, sizeof(why)), CE_ERR_INVALID);
	met[4].member = 2;
	met[4].group = 3;
	assert_int_equal(quorum_check(&l, met, 5, why, sizeof(why)), CE_ERR_INVALID);
}

/* 1 of {2-of-3, 1-of-1}: the 1-of-1 group alone recovers the secret. */
static void test_one_of_one_group(void **state)
{
	static const unsigned th[] = { 2, 1 }, ct[] = { 3, 1 };
	struct script_layout l = layout(1, 2, th, ct);
	struct script_layout l2 = layout(2, 2, th, ct);
	struct quorum_share alone[] = { { 2, 1 } };
	struct quorum_share both[] = { { 2, 1 }, { 1, 3 }, { 1, 1 } };

	(void)state;
	assert_int_equal(quorum_check(&l, alone, 1, NULL, 0), 0);
	assert_int_equal(quorum_check(&l2, alone, 1, NULL, 0), CE_ERR_QUORUM);
	assert_int_equal(quorum_check(&l2, both, 2, NULL, 0), CE_ERR_QUORUM);
	assert_int_equal(quorum_check(&l2, both, 3, NULL, 0), 0);
}

/* 16 groups of 1-of-1, group threshold 16; and layouts SLIP-39 refuses. */
static void test_limits(void **state)
{
	unsigned th[SCRIPT_MAX_GROUPS], ct[SCRIPT_MAX_GROUPS];
	struct quorum_share s[SCRIPT_MAX_GROUPS];
	struct script_layout l;
	unsigned g;

	(void)state;
	for (g = 0; g < SCRIPT_MAX_GROUPS; g++) {
		th[g] = ct[g] = 1;
		s[g].group = g + 1;
		s[g].member = 1;
	}
	l = layout(16, 16, th, ct);
	assert_int_equal(quorum_check(&l, s, 16, NULL, 0), 0);
	assert_int_equal(quorum_check(&l, s, 15, NULL, 0), CE_ERR_QUORUM);
	l = layout(17, 16, th, ct); /* group threshold over the groups */
	assert_int_equal(quorum_check(&l, s, 16, NULL, 0), CE_ERR_INVALID);
	l = layout(0, 16, th, ct);
	assert_int_equal(quorum_check(&l, s, 16, NULL, 0), CE_ERR_INVALID);
	th[0] = 1;
	ct[0] = 2; /* SLIP-39: threshold 1 only with count 1 */
	l = layout(1, 1, th, ct);
	assert_false(quorum_layout_valid(&l));
	th[0] = 3;
	ct[0] = 17;
	l = layout(1, 1, th, ct);
	assert_false(quorum_layout_valid(&l));
	l.ngroups = 0;
	assert_false(quorum_layout_valid(&l));
	assert_false(quorum_layout_valid(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_group),
		cmocka_unit_test(test_two_groups),
		cmocka_unit_test(test_one_of_one_group),
		cmocka_unit_test(test_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
