# SPDX-License-Identifier: Apache-2.0
# bash completion for ceremony(1): verbs, sub-verbs, options, and files or
# directories where an option or argument names one.
# Installed as $(BASHCOMPDIR)/ceremony by `make install` (and linked as
# ceremony-verify there when that program is installed); kept in step with
# `ceremony help` and each `ceremony VERB --help` (tests/e2e/t0003-install.sh).

_ceremony_files() # [-d] [EXT-GLOB]: files (or with -d directories) into COMPREPLY
{
	local dirs_only= ext=
	[ "${1:-}" = -d ] && { dirs_only=1; shift; }
	ext=${1:-}
	if declare -F _filedir >/dev/null; then
		if [ -n "$dirs_only" ]; then _filedir -d; else _filedir "$ext"; fi
		return
	fi
	# without bash-completion: directories, and the files ending in .EXT
	local IFS=$'\n' extglob_was=0
	shopt -q extglob && extglob_was=1
	shopt -s extglob
	if [ -n "$dirs_only" ]; then
		COMPREPLY=($(compgen -d -- "$cur"))
	elif [ -n "$ext" ]; then
		COMPREPLY=($(compgen -d -- "$cur") $(compgen -f -X "!*.$ext" -- "$cur"))
	else
		COMPREPLY=($(compgen -f -- "$cur"))
	fi
	[ "$extglob_was" = 1 ] || shopt -u extglob
}

_ceremony()
{
	local cur prev verb= sub= i
	local verbs="help version shares lint check run roster hsm x509 verify replay archive print"
	# ceremony-verify, the auditor's program: the same two verbs, nothing else
	[ "${COMP_WORDS[0]##*/}" = ceremony-verify ] && verbs="verify replay"
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD - 1]}
	COMPREPLY=()

	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		-*) ;;
		*)
			if [ -z "$verb" ]; then verb=${COMP_WORDS[i]}
			elif [ -z "$sub" ]; then sub=${COMP_WORDS[i]}; break
			fi ;;
		esac
	done

	# an option's argument
	case $prev in
	--module)
		_ceremony_files '@(so|module)'; return ;;
	--roster|--script)
		_ceremony_files '@(yaml|yml)'; return ;;
	--issued-in)
		_ceremony_files jsonl; return ;;
	--signer|--issuer-cert)
		_ceremony_files pem; return ;;
	--signature)
		_ceremony_files p7s; return ;;
	--csr)
		_ceremony_files '@(pem|csr)'; return ;;
	--input|--passphrase-file|--out)
		_ceremony_files; return ;;
	--outdir|--outputs|--to)
		_ceremony_files -d; return ;;
	--today|--group|--group-threshold|--iteration-exponent|--random|--holder|--label|\
	--days|--pathlen|--number|--revoke|--pin-fd|--subject|--key|--key-usage|--eku|\
	--max-days|--policy|--crl-url|--ocsp-url|--ca-issuers-url|--signature-algorithm|\
	--not-after|--permitted|--excluded|--rdn)
		return ;;
	--ski-method)
		COMPREPLY=($(compgen -W "sha1 sha256" -- "$cur")); return ;;
	--members|--ceremony|--date|--share-fd)
		return ;;
	--secret-format)
		COMPREPLY=($(compgen -W "hex text" -- "$cur")); return ;;
	--profile)
		COMPREPLY=($(compgen -W "root-ca sub-ca ocsp-responder tsu cross end-entity" -- "$cur"))
		return ;;
	--previous)
		_ceremony_files '@(pem|crl)'; return ;;
	esac

	if [ -z "$verb" ]; then
		COMPREPLY=($(compgen -W "$verbs --help --version" -- "$cur"))
		return
	fi

	local subs= opts= args=
	case $verb in
	help)
		[ -z "$sub" ] && COMPREPLY=($(compgen -W "$verbs" -- "$cur"))
		return ;;
	version)
		return ;;
	shares)
		subs="split combine card"
		case $sub in
		split) opts="--batch --group --group-threshold --passphrase-file --iteration-exponent
			--no-extendable --random --holder --label --secret-format" ;;
		combine) opts="--batch --passphrase-file --print-secret --secret-format --pin-derivation" ;;
		card) opts="--out --holder --label --members --ceremony --date --share-fd" ;;
		esac ;;
	lint)
		opts="--roster --today --outdir --module"; args=yaml ;;
	check)
		opts="--module --roster --json"; args=yaml ;;
	run)
		opts="--roster --outdir --module --rehearsal --input --allow-scripted-input --today
			--issued-in --issued-in-key"; args=yaml ;;
	roster)
		subs="check"
		[ "$sub" = check ] && { opts="--today"; args=yaml; } ;;
	hsm)
		subs="list mechanisms objects"
		[ -n "$sub" ] && opts="--module --json" ;;
	x509)
		subs="self-sign csr issue crl lint"
		case $sub in
		self-sign) opts="--key --subject --days --pathlen --out --module --pin-fd
			--profile --not-after --key-usage --eku --policy --permitted --excluded
			--ski-method --signature-algorithm --rdn" ;;
		csr) opts="--key --subject --out --module --pin-fd" ;;
		issue) opts="--key --issuer-cert --csr --days --ca --pathlen --key-usage --eku
			--subject --profile --policy --crl-url --ocsp-url --ca-issuers-url
			--signature-algorithm --not-after --out --module --pin-fd
			--permitted --excluded --ocsp-nocheck --no-ocsp-nocheck --ski-method
			--eku-critical --eku-not-critical --rdn" ;;
		crl) opts="--key --issuer-cert --days --number --revoke --previous --max-days
			--out --module --pin-fd" ;;
		lint) opts="--issuer-cert --profile --previous --max-days"; args=pem ;;
		esac ;;
	verify)
		opts="--signer --signature --script --roster --outputs --json --expect-key
			--require-production --require-cosigners"; args=jsonl ;;
	replay)
		args=jsonl ;;
	archive)
		opts="--to --outputs --expect-key --allow-incomplete"; args=jsonl ;;
	print)
		opts="--transcript --script --output -o"; args=yaml ;;
	*)
		return ;;
	esac

	if [ -n "$subs" ] && [ -z "$sub" ]; then
		COMPREPLY=($(compgen -W "$subs --help" -- "$cur"))
		return
	fi
	if [[ $cur == -* ]] || [ -z "$args" ]; then
		COMPREPLY=($(compgen -W "$opts --help" -- "$cur"))
		return
	fi
	_ceremony_files "$args"
}

complete -F _ceremony ceremony ceremony-verify
