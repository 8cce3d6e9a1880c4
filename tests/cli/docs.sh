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

# Each option's default: --help prints the table's as "(default x)" at the
# end of its entry, and the man page's entry says "the default is x" (the
# first such phrase in it); an entry with none in one has none in the other.
awk 'function flush() {
	if (name == "")
		return
	v = "-"
	if (match(text, /\(default [^ ]+\)$/))
		v = substr(text, RSTART + 9, RLENGTH - 10)
	print name, v
	name = ""
}
/^  -[a-zA-Z], --|^      --/ {
	flush()
	t = $0
	sub(/^  -[a-zA-Z], /, "", t)
	sub(/^ +/, "", t)
	split(t, a, " ")
	name = a[1]
	text = $0
	next
}
/^   / && name != "" {
	t = $0
	sub(/^ +/, "", t)
	text = text " " t
	next
}
{ flush() }
END { flush() }' "$T/help" | sort >"$T/hd"
ok [ "$(grep -c ' [^-]' "$T/hd")" -gt 10 ] ||
    fail "few defaults in --help: $(cat "$T/hd")"
awk 'function flush(   i, v, n) {
	if (nnames == 0)
		return
	v = "-"
	n = split(text, w, " ")
	for (i = 1; i + 2 <= n; i++)
		if (tolower(w[i]) == "default" && w[i + 1] == "is") {
			v = w[i + 2]
			sub(/[.,;:)]+$/, "", v)
			break
		}
	for (i = 1; i <= nnames; i++)
		print names[i], v
	nnames = 0
}
/^The options are as follows:/ { on = 1; next }
!on { next }
/^\.Bl/ { depth++ }
/^\.El/ { if (--depth == 0) { flush(); exit } }
/^\.It/ && depth == 1 {
	flush()
	text = ""
	n = split($0, w, " ")
	for (i = 1; i + 2 <= n; i++)
		if (w[i] == "Fl" && w[i + 1] == "Fl")
			names[++nnames] = "--" w[i + 2]
	next
}
{
	n = split($0, w, " ")
	for (i = 1; i <= n; i++)
		if (!(i == 1 && w[i] ~ /^\./) &&
		    w[i] !~ /^(Ql|Ev|Lk|Pq|Pa|No|Ns|Fl|Ar|Cm|Dv|Sx|Po|Pc|Xr|Sy|Em|Dq|Sq|Nm|Li|Va)$/)
			text = text " " w[i]
}' "$ROOT/man/enrich.1" | sort >"$T/md"
ok cmp -s "$T/hd" "$T/md" ||
    fail "--help's defaults and the man page's differ: $(diff "$T/hd" "$T/md" |
    grep '^[<>]' | tr '\n' ' ')"

# The README's table of options: a default it states, "(default x" after
# the row's first option, is the table's.
awk -F'|' '/^\| `-/ {
	if (!match($2, /--[a-z0-9.-]+/))
		next
	name = substr($2, RSTART, RLENGTH)
	if (!match($3, /\(default `?[^`;,) ]+/))
		next
	v = substr($3, RSTART + 9, RLENGTH - 9)
	sub(/^`/, "", v)
	print name, v
}' "$ROOT/README.md" | sort >"$T/rd"
ok [ "$(wc -l <"$T/rd")" -gt 5 ] || fail "few defaults in README: $(cat "$T/rd")"
bad=$(join "$T/rd" "$T/hd" | awk '$2 != $3' | tr '\n' ' ')
ok [ -z "$bad" ] || fail "README's defaults differ from --help's: $bad"
missing=$(join -v 1 "$T/rd" "$T/hd" | tr '\n' ' ')
ok [ -z "$missing" ] || fail "README's defaults of no option: $missing"

# The README's tables of how it is built name every file of the program
# and every module of lib/ (a module's other files, lib/name_part.c, may
# be named in its row).
sed -n '/^## How it is built/,/^Library code never/p' "$ROOT/README.md" \
    >"$T/built"
for f in "$ROOT"/*.c "$ROOT"/lib/*.c; do
	case $f in
	"$ROOT"/lib/*) n=$(basename "$f" .c) ;;
	*) n=$(basename "$f") ;;
	esac
	grep -q "\`$n\`" "$T/built" || echo "$n"
done >"$T/unnamed"
ok [ ! -s "$T/unnamed" ] ||
    fail "README's How it is built does not name: $(tr '\n' ' ' <"$T/unnamed")"
