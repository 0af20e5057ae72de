#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# ceremony shares split|combine --batch: the batch contract end to end.
. "$(dirname "$0")/lib.sh"

SECRET16=bb54aac4b89dc868ba37d9cc21b2cece
SECRET32=c38e8a1b5b3b2f7e93a1e6c1a0b9d04f21f0a8d6e5c4b3a291807f6e5d4c3b2a

# The official vectors' passphrase is TREZOR (tests/vectors/slip39-vectors.json).
V4A="shadow pistol academic always adequate wildlife fancy gross oasis cylinder mustang wrist rescue view short owner flip making coding armed"
V4B="shadow pistol academic acid actress prayer class unknown daughter sweater depict flip twice unkind craft early superior advocate guest smoking"
V4SECRET=b43ceb7e57a0ea8766221624d01b0864

# combine_fails INPUT_FILE PATTERN: exit 1, nothing on stdout, PATTERN on stderr
combine_fails() {
	test_exit_code 1 ceremony shares combine --batch <"$1" >out 2>err &&
	test_must_be_empty out &&
	test_grep -E "$2" err
}

test_must_be_empty() {
	if [ -s "$1" ]; then
		echo "not empty: $1" >&2
		cat "$1" >&2
		return 1
	fi
}

test_expect_success 'split 2-of-3 prints three shares of 20 words; two recover the secret' '
	echo $SECRET16 | ceremony shares split --batch --group 2/3 >shares &&
	test $(wc -l <shares) = 3 &&
	test $(awk "{print NF}" shares | sort -u) = 20 &&
	head -n 2 shares | ceremony shares combine --batch >got &&
	echo $SECRET16 >want &&
	test_cmp want got &&
	sed -n "1p;3p" shares | ceremony shares combine --batch >got &&
	test_cmp want got
'

test_expect_success 'one share of a 2-of-3 is too few: line-free quorum error, nothing on stdout' '
	echo $SECRET16 | ceremony shares split --batch --group 2/3 >shares &&
	head -n 1 shares >one &&
	combine_fails one "too few groups or members.*group 1: 1 of the 2 members needed"
'

test_expect_success 'two-level split: groups separated by one blank line, in order' '
	echo $SECRET32 | ceremony shares split --batch --group-threshold 2 \
		--group 2/3 --group 1/1 --group 3/5 >shares &&
	test $(wc -l <shares) = 11 &&
	test "$(sed -n 4p shares)" = "" && test "$(sed -n 6p shares)" = "" &&
	test $(grep -c . shares) = 9 &&
	test $(grep . shares | awk "{print NF}" | sort -u) = 33 &&
	sed -n "1p;2p;5p" shares | ceremony shares combine --batch >got &&
	echo $SECRET32 >want &&
	test_cmp want got &&
	sed -n "5p;7p;9p;11p" shares | ceremony shares combine --batch >got &&
	test_cmp want got
'

test_expect_success 'two-level: two full groups needed, one and a half are not' '
	echo $SECRET32 | ceremony shares split --batch --group-threshold 2 \
		--group 2/3 --group 1/1 --group 3/5 >shares &&
	sed -n "1p;7p;8p" shares >in &&
	combine_fails in "0 of the 2 groups needed|1 of the 2 groups needed"
'

test_expect_success 'blank lines and surrounding blanks are ignored by combine' '
	echo $SECRET16 | ceremony shares split --batch --group 2/3 >shares &&
	{ echo; echo "  $(sed -n 2p shares)  "; echo; echo; sed -n 3p shares; echo; } >in &&
	ceremony shares combine --batch <in >got &&
	echo $SECRET16 >want && test_cmp want got
'

test_expect_success 'official vector 4 combines with the passphrase file, and not without' '
	printf "%s\n%s\n" "$V4A" "$V4B" >in &&
	echo TREZOR >pass &&
	ceremony shares combine --batch --passphrase-file pass <in >got &&
	echo $V4SECRET >want && test_cmp want got &&
	ceremony shares combine --batch <in >got2 &&
	! test_cmp want got2
'

test_expect_success 'passphrase file: only one trailing newline is dropped' '
	printf "open sesame\n" >p1 && printf "open sesame" >p2 && printf "open sesame\n\n" >p3 &&
	echo $SECRET16 | ceremony shares split --batch --group 2/3 --passphrase-file p1 >shares &&
	head -n 2 shares | ceremony shares combine --batch --passphrase-file p2 >got &&
	echo $SECRET16 >want && test_cmp want got &&
	printf "open sesame \n" >p4 &&
	head -n 2 shares | ceremony shares combine --batch --passphrase-file p4 >got4 &&
	! test_cmp want got4 &&
	test_exit_code 1 ceremony shares combine --batch --passphrase-file p3 <shares >out 2>err &&
	test_grep "printable ASCII" err
'

test_expect_success 'a non-printable passphrase is refused' '
	printf "caf\303\251\n" >pass &&
	test_exit_code 1 ceremony shares split --batch --group 2/3 --passphrase-file pass \
		<<<"$SECRET16" >out 2>err &&
	test_must_be_empty out &&
	test_grep "printable ASCII" err
'

test_expect_success '--no-extendable and --iteration-exponent round-trip' '
	echo $SECRET16 | ceremony shares split --batch --group 3/5 --no-extendable \
		--iteration-exponent 2 >shares &&
	sed -n "2p;4p;5p" shares | ceremony shares combine --batch >got &&
	echo $SECRET16 >want && test_cmp want got
'

test_expect_success 'bad checksum names the line' '
	printf "%s\n%s\n" "$V4A" "$(echo "$V4B" | sed "s/smoking$/smell/")" >in &&
	combine_fails in "line 2: bad checksum"
'

test_expect_success 'unknown word names the line, the word and the nearest words' '
	printf "\n%s\n%s\n" "$V4A" "$(echo "$V4B" | sed "s/ prayer / prayr /")" >in &&
	combine_fails in "line 3: unknown word: word 6 .*nearest: .*prayer"
'

test_expect_success 'bad padding names the line (official vector 3)' '
	echo "duckling enlarge academic academic email result length solution fridge kidney coal piece deal husband erode duke ajar music cargo fitness" >in &&
	combine_fails in "line 1: bad padding"
'

test_expect_success 'mismatched identifier (official vector 6)' '
	cat >in <<-\EOF &&
	adequate smoking academic acid debut wine petition glen cluster slow rhyme slow simple epidemic rumor junk tracks treat olympic tolerate
	adequate stay academic agency agency formal party ting frequent learn upstairs remember smear leaf damage anatomy ladle market hush corner
	EOF
	combine_fails in "line 2: mismatched identifier"
'

test_expect_success 'mismatched iteration exponent (official vector 7)' '
	cat >in <<-\EOF &&
	peasant leaves academic acid desert exact olympic math alive axle trial tackle drug deny decent smear dominant desert bucket remind
	peasant leader academic agency cultural blessing percent network envelope medal junk primary human pumps jacket fragment payroll ticket evoke voice
	EOF
	combine_fails in "line 2: mismatched iteration exponent"
'

test_expect_success 'mismatched group parameters between two of our sets' '
	echo $SECRET16 | ceremony shares split --batch --group 2/3 >a &&
	echo $SECRET16 | ceremony shares split --batch --group 2/3 >b &&
	{ head -n 1 a; head -n 1 b; } >in &&
	combine_fails in "line 2: mismatched identifier"
'

test_expect_success 'duplicate member names both lines (official vector 11)' '
	cat >in <<-\EOF &&
	device stay academic always dive coal antenna adult black exceed stadium herald advance soldier busy dryer daughter evaluate minister laser

	device stay academic always dwarf afraid robin gravity crunch adjust soul branch walnut coastal dream costume scholar mortgage mountain pumps
	EOF
	combine_fails in "line 3: duplicate member: member 3 of group 1 was already given by line 1"
'

test_expect_success 'the same share twice is a duplicate member' '
	echo $SECRET16 | ceremony shares split --batch --group 2/3 >shares &&
	{ head -n 1 shares; head -n 1 shares; } >in &&
	combine_fails in "line 2: duplicate member"
'

test_expect_success 'digest mismatch (official vector 13)' '
	cat >in <<-\EOF &&
	guilt walnut academic acid deliver remove equip listen vampire tactics nylon rhythm failure husband fatigue alive blind enemy teaspoon rebound
	guilt walnut academic agency brave hamster hobo declare herd taste alpha slim criminal mild arcade formal romp branch pink ambition
	EOF
	combine_fails in "digest mismatch"
'

test_expect_success 'too few groups (official vector 14) and members (vector 16)' '
	echo "eraser senior beard romp adorn nuclear spill corner cradle style ancient family general leader ambition exchange unusual garlic promise voice" >in &&
	combine_fails in "too few groups or members" &&
	cat >in2 <<-\EOF &&
	eraser senior decision shadow artist work morning estate greatest pipeline plan ting petition forget hormone flexible general goat admit surface
	eraser senior beard romp adorn nuclear spill corner cradle style ancient family general leader ambition exchange unusual garlic promise voice
	EOF
	combine_fails in2 "too few groups or members.*1 of the 2 members needed"
'

test_expect_success 'empty input to combine fails' '
	printf "\n\n" >in &&
	combine_fails in "no shares"
'

test_expect_success 'split refuses bad secrets: odd, non-hex, too short, too long, empty' '
	for s in 0011223344556677889900112233445 zz54aac4b89dc868ba37d9cc21b2cece \
		00112233445566778899001122334 "" \
		$SECRET32$SECRET32$SECRET32; do
		test_exit_code 1 ceremony shares split --batch --group 2/3 <<<"$s" >out 2>err &&
		test_must_be_empty out &&
		test_grep -E "secret|hex" err || exit 1
	done
'

test_expect_success 'split refuses bad layouts with exit 1: T > N, N = 17, 1 of 3' '
	for g in 4/3 2/17 1/3 0/2; do
		test_exit_code 1 ceremony shares split --batch --group $g <<<"$SECRET16" \
			>out 2>err &&
		test_must_be_empty out || exit 1
	done
'

test_expect_success 'usage errors exit 2' '
	test_exit_code 2 ceremony shares split --batch <<<"$SECRET16" 2>err &&
	test_grep "at least one --group" err &&
	test_exit_code 2 ceremony shares split --batch --group 2/3 --group 2/3 <<<"$SECRET16" 2>err &&
	test_grep "group-threshold" err &&
	test_exit_code 2 ceremony shares split --batch --group two <<<"$SECRET16" 2>err &&
	test_exit_code 2 ceremony shares split --batch --group 2/3 --iteration-exponent 16 \
		<<<"$SECRET16" 2>err &&
	test_exit_code 2 ceremony shares combine --batch --bogus </dev/null 2>err &&
	test_exit_code 2 ceremony shares frobnicate 2>err &&
	test_exit_code 2 ceremony shares 2>err
'

test_expect_success 'without --batch and without a terminal: usage error naming --batch' '
	test_exit_code 2 ceremony shares split --group 2/3 <<<"$SECRET16" >out 2>err &&
	test_grep -- "--batch" err &&
	test_exit_code 2 ceremony shares combine </dev/null >out 2>err &&
	test_grep -- "--batch" err
'

test_expect_success 'ceremony shares --help documents batch and interactive use' '
	ceremony shares --help >out &&
	test_grep -- "--passphrase-file" out &&
	test_grep -- "--print-secret" out
'

# --pin-derivation: the PIN of docs/share-format.md's test vectors, and the
# same as tests/e2e/pin-derive.py (an independent reading of the spec).
test_expect_success 'combine --pin-derivation prints the derived PIN, not the secret' '
	echo 000102030405060708090a0b0c0d0e0f | ceremony shares split --batch --group 2/3 >shares &&
	head -n 2 shares | ceremony shares combine --batch \
		--pin-derivation "hkdf-sha256-v1 typeable 24" >out &&
	echo MN7ydgxJ2dvNgqqNvujtXjny >expect && test_cmp expect out &&
	tail -n 2 shares | ceremony shares combine --batch --pin-derivation "hkdf-sha256-v1 digits 8" >out &&
	echo 94953490 >expect && test_cmp expect out &&
	echo $SECRET16 | ceremony shares split --batch --group 2/3 >shares &&
	head -n 2 shares | ceremony shares combine --batch \
		--pin-derivation "hkdf-sha256-v1 typeable 16" >out &&
	echo $SECRET16 | python3 "$TEST_TOP/tests/e2e/pin-derive.py" "hkdf-sha256-v1 typeable 16" >py &&
	echo >>py && test_cmp py out &&
	! grep -q $SECRET16 out
'

test_expect_success 'failing twins: --pin-derivation refuses a bad string, text shares and --secret-format text' '
	echo $SECRET16 | ceremony shares split --batch --group 2/3 | head -n 2 >two &&
	test_exit_code 2 ceremony shares combine --batch --pin-derivation "hkdf-sha256-v1 hex 8" \
		<two >out 2>err &&
	test_must_be_empty out &&
	test_grep "pin-derivation wants .hkdf-sha256-v1 ALPHABET LENGTH." err &&
	test_exit_code 2 ceremony shares combine --batch --secret-format text \
		--pin-derivation "hkdf-sha256-v1 digits 8" <two >out 2>err &&
	test_grep "not with --secret-format text" err &&
	echo $SECRET32 | ceremony shares split --batch --group 2/3 | head -n 2 >two32 &&
	test_exit_code 1 ceremony shares combine --batch --pin-derivation "hkdf-sha256-v1 digits 8" \
		<two32 >out 2>err &&
	test_must_be_empty out &&
	test_grep "the recovered secret is 32 bytes, not the 16 of a PIN.s secret" err
'

test_done
