# lib/fold.c's table of case foldings is what tests/fold_table.pl makes
# from Perl's Unicode data, when that data is the table's version.
. "$(dirname "$0")/../lib.sh"

v=$(perl -MUnicode::UCD -e 'print Unicode::UCD::UnicodeVersion()' \
    2>/dev/null || true)
if [ "$v" != 14.0.0 ]; then
	echo "skipped: Perl's Unicode data is '$v', the table's 14.0.0" >&2
	exit 0
fi
perl "$ROOT/tests/fold_table.pl" >"$T/want"
sed -n '/^} ranges\[\] = {$/,/^};$/p' "$ROOT/lib/fold.c" | sed '1d;$d' \
    >"$T/got"
ok [ -s "$T/got" ] || fail "no table in lib/fold.c"
ok cmp -s "$T/want" "$T/got" || fail "lib/fold.c's table is not what \
tests/fold_table.pl makes: $(diff "$T/want" "$T/got" | head -5)"
