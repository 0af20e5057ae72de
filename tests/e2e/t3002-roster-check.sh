#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# ceremony roster check: the table, forbidden pairs (each of the four),
# vetting and training boundaries, schema errors at their place.
. "$(dirname "$0")/lib.sh"

EX=$TEST_TOP/scripts/example-roster.yaml

person() { # ID ROLES VETTING TRAINING
	printf "  - id: %s\n    name: Person %s\n    roles: %s\n    vetting: %s\n    training: %s\n" \
		"$1" "$1" "$2" "$3" "$4"
}

test_expect_success 'the example roster is clean and printed as a table' '
	ceremony roster check "$EX" --today 2026-11-27 >out &&
	test_grep "^ID  *NAME  *ROLES  *VETTING  *TRAINING" out &&
	test_grep "^alice  *Alice Martin  *security-officer  *ok to 2028-02-10  *ok to 2027-11-23" out &&
	test_grep "^hana .*system-administrator,hsm-administrator" out &&
	test_grep "example-roster.yaml: 15 people, 0 errors, 0 warnings" out
'

test_expect_success 'the example roster is still clean a year later (tests pass --today)' '
	ceremony roster check "$EX" --today 2027-11-20 >out &&
	test_grep "0 errors" out
'

test_expect_success 'and fails once training is over a year old' '
	test_exit_code 1 ceremony roster check "$EX" --today 2027-11-24 >out &&
	test_grep "example-roster.yaml:[0-9]*:15: error: policy 4.3.4: alice.s training is older than 1y (valid until 2027-11-23)" out &&
	test_grep "^alice .*STALE to 2027-11-23" out
'

for pair in "security-officer system-administrator" "security-officer hsm-administrator" \
	"system-operator system-administrator" "system-operator hsm-administrator"; do
	set -- $pair
	test_expect_success "a person holding $1 and $2 is refused (policy 4.2.4)" "
		{ echo 'format: 1'; echo 'people:'; person pat '[$1, $2]' 2026-01-01 2026-06-01; } >r.yaml &&
		test_exit_code 1 ceremony roster check r.yaml --today 2026-11-27 >out &&
		test_grep '^r.yaml:5:12: error: policy 4.2.4: pat (Person pat) holds $1 and $2, a forbidden pair' out
	"
	test_expect_success "holding $1 alone is fine" "
		{ echo 'format: 1'; echo 'people:'; person pat '[$1]' 2026-01-01 2026-06-01; } >r.yaml &&
		ceremony roster check r.yaml --today 2026-11-27 >out
	"
done

test_expect_success 'vetting exactly 2 years old is valid, one day more is stale' '
	{ echo "format: 1"; echo "people:"; person vic "[key-holder]" 2024-11-27 2026-06-01; } >r.yaml &&
	ceremony roster check r.yaml --today 2026-11-27 >out &&
	test_grep "r.yaml:6:14: warning: policy 4.3.2: vic.s vetting goes stale after 2026-11-27" out &&
	test_exit_code 1 ceremony roster check r.yaml --today 2026-11-28 >out &&
	test_grep "r.yaml:6:14: error: policy 4.3.2: vic.s vetting is older than 2y (valid until 2026-11-27)" out
'

test_expect_success 'training exactly 1 year old is valid, one day more is stale' '
	{ echo "format: 1"; echo "people:"; person tia "[key-holder]" 2026-01-01 2025-11-27; } >r.yaml &&
	ceremony roster check r.yaml --today 2026-11-27 >out &&
	test_exit_code 1 ceremony roster check r.yaml --today 2026-11-28 >out &&
	test_grep "r.yaml:7:15: error: policy 4.3.4: tia.s training is older than 1y" out
'

test_expect_success 'a date in the future is an error' '
	{ echo "format: 1"; echo "people:"; person fut "[key-holder]" 2027-01-01 2026-06-01; } >r.yaml &&
	test_exit_code 1 ceremony roster check r.yaml --today 2026-11-27 >out &&
	test_grep "r.yaml:6:14: error: policy 4.3.2: fut.s vetting date is in the future" out
'

test_expect_success 'a roster may tighten the limits' '
	{ echo "format: 1"; echo "policy: {max-vetting-age: 1y}"; echo "people:";
	  person vic "[key-holder]" 2025-06-01 2026-06-01; } >r.yaml &&
	test_exit_code 1 ceremony roster check r.yaml --today 2026-11-27 >out &&
	test_grep "older than 1y (valid until 2026-06-01)" out
'

test_expect_success 'but never loosen them' '
	{ echo "format: 1"; echo "policy: {max-vetting-age: 3y}"; echo "people:";
	  person vic "[key-holder]" 2025-06-01 2026-06-01; } >r.yaml &&
	test_exit_code 1 ceremony roster check r.yaml --today 2026-11-27 >out &&
	test_grep "r.yaml:2:27: error: max-vetting-age 3y is longer than the policy.s 2y" out
'

test_expect_success 'extra forbidden pairs from the roster apply' '
	{ echo "format: 1"; echo "policy: {forbidden-pairs: [[system-auditor, key-holder]]}"; echo "people:";
	  person ola "[system-auditor, key-holder]" 2026-01-01 2026-06-01; } >r.yaml &&
	test_exit_code 1 ceremony roster check r.yaml --today 2026-11-27 >out &&
	test_grep "holds system-auditor and key-holder, a forbidden pair" out
'

test_expect_success 'schema errors are all reported with their places' '
	{ echo "format: 1"; echo "people:"; person a1 "[boss]" 2026-13-01 2026-06-01;
	  echo "    phone: 12"; person a1 "[key-holder]" 2026-01-01 2026-06-01; } >r.yaml &&
	test_exit_code 1 ceremony roster check r.yaml --today 2026-11-27 >out &&
	test_grep "^r.yaml:5:13: error: unknown role .boss." out &&
	test_grep "^r.yaml:6:14: error: vetting must be a date YYYY-MM-DD" out &&
	test_grep "^r.yaml:8:5: error: unknown key .phone. in person .a1." out &&
	test_grep "^r.yaml:9:9: error: duplicate person id .a1. (first at line 3)" out &&
	test_grep "4 errors" out
'

test_expect_success 'usage errors exit 2, a missing file exits 1' '
	test_exit_code 2 ceremony roster 2>err &&
	test_exit_code 2 ceremony roster list x 2>err &&
	test_exit_code 2 ceremony roster check 2>err &&
	test_exit_code 2 ceremony roster check x --today tomorrow 2>err &&
	test_exit_code 1 ceremony roster check nosuch.yaml >out 2>&1 &&
	test_grep nosuch.yaml out
'

test_done
