# zsh complete.zsh DIR WORDS...: the completions zsh offers for the command
# line WORDS, one a line, with the completion functions of DIR first in
# $fpath ($CAPTURE_DUMP, if set, a compinit dump to make once and reuse).
# An interactive zsh in a pseudo-terminal (zsh/zpty) is given the line
# and a TAB; compadd is wrapped to print what it is given, between two
# lines that end in a NUL, and the shell exits after completing.  After
# Valodim's zsh-capture-completion.
zmodload zsh/zpty || exit 2
zpty z zsh -f -i
local line init
setopt rcquotes
init=$(mktemp)
cat >$init <<'INIT'
PROMPT=
# Only what completing needs: compinit reads every file in $fpath.
fpath=($CAPTURE_FPATH ${(M)fpath:#*/Completion(|/Base|/Unix)})
autoload -U compinit
zmodload zsh/zutil
# The first run writes the dump that the next ones read as it is.
if [[ -n $CAPTURE_DUMP && -s $CAPTURE_DUMP ]]; then
	compinit -u -C -d $CAPTURE_DUMP
elif [[ -n $CAPTURE_DUMP ]]; then
	compinit -u -d $CAPTURE_DUMP
else
	compinit -u -D
fi
bindkey '^M' undefined
bindkey '^J' undefined
bindkey '^I' complete-word
null-line () { echo -E - $'\0' }
compprefuncs=( null-line )
comppostfuncs=( null-line exit )
zstyle ':completion:*' list-grouped false
zstyle ':completion:*' insert-tab false
compadd () {
	if [[ ${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then
		builtin compadd "$@"
		return $?
	fi
	typeset -a __hits __apre __hpre
	builtin compadd -A __hits "$@"
	[[ -n $__hits ]] || return
	# A file name comes as its last part, the directory a prefix.
	zparseopts -E P:=__apre p:=__hpre
	local h pre="${${__apre[-1]}#-P}${${__hpre[-1]}#-p}"
	for h in $__hits; do echo -E - "$IPREFIX$pre$h"; done
}
echo ok
INIT
zpty -w z "CAPTURE_FPATH=$1 CAPTURE_DUMP=${CAPTURE_DUMP-} source $init"
shift
repeat 8; do
	zpty -r z line
	[[ $line == ok* ]] && break
done
rm -f $init
zpty -w z "$*"$'\t'
integer tog=0
while zpty -r z; do :; done | while IFS= read -r line; do
	if [[ $line == *$'\0\r' ]]; then
		(( tog++ )) && exit 0 || continue
	fi
	(( tog )) && echo -E - ${line%$'\r'}
done
exit 0
