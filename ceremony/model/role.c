/* SPDX-License-Identifier: Apache-2.0 */
#include "ceremony/model/role.h"
#include "common/err.h"

#include <stdio.h>
#include <string.h>

static const char *const role_names[ROLE_COUNT] = {
	[ROLE_SECURITY_OFFICER] = "security-officer",
	[ROLE_SYSTEM_OPERATOR] = "system-operator",
	[ROLE_SYSTEM_AUDITOR] = "system-auditor",
	[ROLE_SYSTEM_ADMINISTRATOR] = "system-administrator",
	[ROLE_HSM_ADMINISTRATOR] = "hsm-administrator",
	[ROLE_KEY_HOLDER] = "key-holder",
};

/* policy 4.2.4: forbidden pairs */
const struct role_pair role_default_forbidden[ROLE_DEFAULT_PAIRS] = {
	{ ROLE_SECURITY_OFFICER, ROLE_SYSTEM_ADMINISTRATOR },
	{ ROLE_SECURITY_OFFICER, ROLE_HSM_ADMINISTRATOR },
	{ ROLE_SYSTEM_OPERATOR, ROLE_SYSTEM_ADMINISTRATOR },
	{ ROLE_SYSTEM_OPERATOR, ROLE_HSM_ADMINISTRATOR },
};

const char *role_name(enum role r)
{
	if ((unsigned)r >= ROLE_COUNT)
		return "?";
	return role_names[r];
}

int role_parse(const char *s, enum role *r)
{
	unsigned i;

	for (i = 0; i < ROLE_COUNT; i++) {
		if (strcmp(s, role_names[i]) == 0) {
			*r = (enum role)i;
			return 0;
		}
	}
	return CE_ERR_NOT_FOUND;
}

/* Longest role name is 20 bytes; six names and their ", " separators fit. */
#define ROLE_LIST_BYTES 160

const char *role_list_all(void)
{
	/* Built from role_names so the names are written once (in the table). */
	static char list[ROLE_LIST_BYTES];
	size_t off = 0;
	unsigned i;

	if (list[0] != '\0')
		return list;
	for (i = 0; i < ROLE_COUNT; i++) {
		int w = snprintf(list + off, sizeof(list) - off, "%s%s", i ? ", " : "", role_names[i]);

		if (w < 0 || (size_t)w >= sizeof(list) - off)
			break;
		off += (size_t)w;
	}
	return list;
}
