# bash completion for enrich(1); installed by `make install`.
#
# The options come from `enrich --help`, which is made from the program's
# table of options: a line "  -f, --prompt-file file  ..." or
# "      --azure  ...", so a new option needs nothing here.  An argument
# named *file (or --batch-api's state) completes as a file name, dir as
# a directory, jobs | auto as auto.
_enrich()
{
	local cur prev s l a words=
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD-1]}
	while read -r s l a; do
		[ "$s" = - ] || words="$words $s"
		words="$words $l"
		if [ -n "$a" ] && [[ $prev == "$l" || ($s != - && $prev == "$s") ]]
		then
			case $a in
			*file|state)
				COMPREPLY=($(compgen -f -- "$cur")) ;;
			dir)	COMPREPLY=($(compgen -d -- "$cur")) ;;
			*auto)	COMPREPLY=($(compgen -W auto -- "$cur")) ;;
			esac
			return
		fi
	done <<EOF
$(enrich --help 2>/dev/null | awk -F '  +' '/^(  |      )-/ {
	n = split($2, w, " "); s = ""; i = 1
	if (w[1] ~ /,$/) { s = substr(w[1], 1, 2); i = 2 }
	a = ""; for (j = i + 1; j <= n; j++) a = a " " w[j]
	print (s != "" ? s : "-"), w[i] a }')
EOF
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$words" -- "$cur"))
	fi
}
complete -F _enrich enrich
