#include "ceremony/model/role.h"
#include "common/err.h"

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

const char *role_list_all(void)
{
	return "security-officer, system-operator, system-auditor, system-administrator, "
	       "hsm-administrator, key-holder";
}
