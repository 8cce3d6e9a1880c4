# Big and bad lines: --max-line-bytes bounds an input line (16 MiB by
# default), a bad line is quoted at most 4 KiB, a template file has a
# size bound.
. "$(dirname "$0")/../lib.sh"
mock_start

# A line over --max-line-bytes: an input error with its first kilobyte;
# the rows around it are answered.
big=$(head -c 10000 /dev/zero | tr '\0' x)
printf '{"id":1,"t":"a"}\n{"id":2,"t":"%s"}\n{"id":3,"t":"c"}\n' "$big" >"$T/in"
assert_status 1 "$ENRICH" -u "$URL" --max-line-bytes 4096 -p '{{t}}' \
    <"$T/in" >"$T/out" 2>/dev/null
assert_eq "$(jq -r 'select(.error) | .error.type' "$T/out")" input
assert_eq "$(jq -r 'select(.answer) | .id' "$T/out" | sort | tr '\n' ' ')" '1 3 '
assert_status 2 "$ENRICH" --max-line-bytes 10 -p x </dev/null 2>/dev/null

# A bad line of 1 MB is quoted 4 KiB, not 6 MB of escapes.
head -c 1000000 /dev/zero >"$T/nul"
echo >>"$T/nul"
assert_status 1 "$ENRICH" -u "$URL" -p '{{t}}' <"$T/nul" >"$T/out" 2>/dev/null
ok [ "$(wc -c <"$T/out")" -lt 30000 ] || fail "bad line quoted whole: $(wc -c <"$T/out") bytes"
assert_grep 'holds its first 4096 bytes' "$T/out"

# -f /dev/zero: a bounded read, and the option named.
assert_status 2 timeout 20 "$ENRICH" -f /dev/zero --dry-run </dev/null 2>"$T/err"
assert_grep 'prompt-file /dev/zero: larger than' "$T/err"

# One row of a million small elements, then small rows (whose parsing
# starts small again after it): every row answered.
{
	printf '{"id":0,"t":"big","a":['
	seq 1 1000000 | tr '\n' ',' | sed 's/,$//'
	printf ']}\n'
	rows 2000 | sed 's/"text"/"t"/'
} >"$T/in"
"$ENRICH" -u "$URL" -j 8 -p '{{t}}' <"$T/in" >"$T/out" 2>"$T/err"
assert_eq "$(wc -l <"$T/out" | tr -d ' ')" 2001

# -k /dev/zero: a bounded read, and the option named, never the bytes.
assert_status 2 timeout 20 "$ENRICH" -u "$URL" -k /dev/zero -p x </dev/null \
    2>"$T/err"
assert_grep 'api-key-file /dev/zero: no key in its first 64 KiB' "$T/err"
