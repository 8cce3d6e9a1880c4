# The docs match the program: the man page is lint-clean, names every
# option that --help shows, and its SYNOPSIS matches usage().
. "$(dirname "$0")/../lib.sh"
man=$ROOT/man/enrich.1

mandoc -Tlint -Wwarning "$man" >"$T/lint" 2>&1 || fail "mandoc: $(cat "$T/lint")"
"$ENRICH" --help >"$T/help"
for o in $(grep -o -- '--[a-z][a-z0-9-]*' "$T/help" | sort -u); do
	grep -q -- "Fl Fl ${o#--}" "$man" || fail "man page lacks $o"
done
for o in $(grep -o -- '^  -[a-zA-Z]' "$T/help" | tr -d ' ' | sort -u); do
	grep -q -- "^\.It Fl ${o#-}" "$man" || fail "man page lacks $o"
done
# Every option in usage() is in the SYNOPSIS, and the other way round.
sed -n '/^usage:/,/^$/p' "$T/help" | grep -o -- '-[-a-z]*[a-z]' | sort -u >"$T/u"
mandoc -Tascii "$man" | col -b | sed -n '/^SYNOPSIS/,/^DESCRIPTION/p' |
    grep -o -- '-[-a-z]*[a-z]' | sort -u >"$T/s"
cmp "$T/u" "$T/s" || fail "usage and SYNOPSIS differ: $(diff "$T/u" "$T/s")"
# README's test command is the one CI runs.
grep -q '^make check' "$ROOT/README.md" || fail "README lacks 'make check'"
grep -q 'make check' "$ROOT/.ci/run" || fail ".ci/run does not run make check"
