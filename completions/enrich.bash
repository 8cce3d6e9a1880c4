# bash completion for enrich(1); installed by `make install`.
_enrich()
{
	local cur prev
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD-1]}
	case $prev in
	-f|--prompt-file|--system-file|-k|--api-key-file|--skip-ids|--errors|\
	--stats-json|--cacert)
		COMPREPLY=($(compgen -f -- "$cur"))
		return ;;
	-j|--jobs)
		COMPREPLY=($(compgen -W auto -- "$cur"))
		return ;;
	-p|--prompt|-s|--system|-m|--model|-o|--field|-i|--id|\
	-u|--url|-H|--header|-P|--param|--error-field|-t|--timeout|\
	-r|--retries|--max-wait|--rpm|--tpm|--stall-timeout|--grace|\
	--max-response-bytes|--max-line-bytes|--body|--endpoint|--extract|--price-in|\
	--price-out)
		return ;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(enrich --help 2>/dev/null |
		    grep -o -- '--[a-z][a-z0-9-]*' | sort -u)
		    -p -f -s -m -o -i -j -u -k -H -P -t -r -v -q" -- "$cur"))
	fi
}
complete -F _enrich enrich
