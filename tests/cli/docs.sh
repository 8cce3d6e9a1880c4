# The docs match the program: the man page is lint-clean, its SYNOPSIS
# names the options of usage() in the same order, and its list of options
# describes those of --help in the same order.
. "$(dirname "$0")/../lib.sh"
man=$ROOT/man/enrich.1
opt='-[-a-zA-Z0-9.]*[a-zA-Z0-9]'

ok mandoc -Tlint -Wwarning "$man" >"$T/lint" 2>&1 || fail "mandoc: $(cat "$T/lint")"
"$ENRICH" --help >"$T/help"

# The synopsis, option by option.
sed -n '/^usage:/,/^$/p' "$T/help" | grep -o -- "$opt" >"$T/u"
mandoc -Tascii "$man" | col -b | sed -n '/^SYNOPSIS/,/^DESCRIPTION/p' |
    grep -o -- "$opt" >"$T/s"
ok [ -s "$T/u" ] || fail "no options in usage"
ok cmp -s "$T/u" "$T/s" ||
    fail "usage and SYNOPSIS differ: $(diff "$T/u" "$T/s" | tr '\n' ' ')"

# Its order: one-letter options, then long ones, each alphabetically.
sed -n '/^usage:/,/^$/p' "$T/help" | grep -o -- '\[-[a-zA-Z] ' >"$T/l"
ok sort -c -f "$T/l" || fail "one-letter options out of order: $(cat "$T/l")"
sed -n '/^usage:/,/^$/p' "$T/help" | grep -o -- '\[--[a-z0-9.-]*' >"$T/l"
ok sort -c "$T/l" || fail "long options out of order: $(cat "$T/l")"

# The list: each line of --help that names options, and each .It of the
# man page's list of options (an option may have more than one .It).
sed -nE 's/^  (-[a-zA-Z]), (--[a-z0-9.-]+).*/\1 \2/p
    s/^      (--[a-z0-9.-]+).*/\1/p' "$T/help" | tr ' ' '\n' >"$T/h"
sed -n '/^The options are as follows:/,/^\.El/p' "$man" | grep '^\.It' |
    grep -oE 'Fl (Fl )?[a-zA-Z0-9.-]+' |
    sed 's/^Fl Fl /--/; s/^Fl /-/' | awk '!seen[$0]++' >"$T/m"
ok [ "$(wc -l <"$T/h")" -gt 40 ] || fail "few options in --help: $(cat "$T/h")"
ok cmp -s "$T/h" "$T/m" ||
    fail "--help and the man page's options differ: $(diff "$T/h" "$T/m" |
    tr '\n' ' ')"

# README's test command is the one CI runs.
ok grep -q '^make check' "$ROOT/README.md" || fail "README lacks 'make check'"
ok grep -q 'make check' "$ROOT/.ci/run" || fail ".ci/run does not run make check"
