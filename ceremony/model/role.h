/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/model/role.h - the trusted roles of policy 4.2.1 and the pairs one person
 * may never hold together (policy 4.2.4).
 */
#ifndef CE_CEREMONY_ROLE_H
#define CE_CEREMONY_ROLE_H

enum role {
	ROLE_SECURITY_OFFICER,
	ROLE_SYSTEM_OPERATOR,
	ROLE_SYSTEM_AUDITOR,
	ROLE_SYSTEM_ADMINISTRATOR,
	ROLE_HSM_ADMINISTRATOR,
	ROLE_KEY_HOLDER,
	ROLE_COUNT
};

/* A set of roles as a bit mask (1u << role). */
typedef unsigned role_set;
#define ROLE_BIT(r) (1u << (unsigned)(r))

/* "security-officer"... ; "?" for an out-of-range value. */
const char *role_name(enum role r);
/* Parse a role name; returns 0 and sets *r, or CE_ERR_NOT_FOUND. */
int role_parse(const char *s, enum role *r);
/* "security-officer, system-operator, ...", for messages, built from the one
 * role table on first use (the tool runs the model on one thread). */
const char *role_list_all(void);

struct role_pair {
	enum role a, b;
};

/* policy 4.2.4: the four pairs always forbidden. */
#define ROLE_DEFAULT_PAIRS 4
extern const struct role_pair role_default_forbidden[ROLE_DEFAULT_PAIRS];

#endif
