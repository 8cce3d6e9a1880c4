# The invariant on a few thousand rows: every non-blank input line gives
# exactly one output line (on stdout or in --errors), with its own answer.
. "$(dirname "$0")/../lib.sh"
mock_start --latency 2 --jitter 20

awk 'BEGIN { srand(7); for (i = 1; i <= 3000; i++) {
	r = rand()
	if (r < 0.03) print "not json " i
	else if (r < 0.05) print ""
	else if (r < 0.08) printf "{\"id\":%d}\n", i
	else if (r < 0.12) printf "{\"id\":%d,\"t\":\"fail [[status:400]]\"}\n", i
	else if (r < 0.14) printf "{\"id\":%d,\"t\":\"fail [[status:503]]\"}\n", i
	else if (r < 0.17) printf "{\"id\":%d,\"t\":\"row %d[[status-once:500]]\"}\n", i, i
	else printf "{\"id\":%d,\"t\":\"row %d\"}\n", i, i } }' >"$T/in"
nonblank=$(grep -c . "$T/in")
assert_status 1 "$ENRICH" -q -u "$URL" -j 50 -r 1 -p '{{t}}' --errors "$T/errors" \
    <"$T/in" >"$T/out" 2>"$T/err"
ok [ ! -s "$T/err" ] || fail "-q still wrote: $(head -3 "$T/err")"
assert_eq "$(cat "$T/out" "$T/errors" | wc -l)" "$nonblank" "lines"
assert_eq "$(cat "$T/out" "$T/errors" | jq -r .id | sort -n | uniq -d | wc -l)" 0 "duplicates"
# Input line numbers are the IDs: every non-blank line is there.
assert_eq "$(cat "$T/out" "$T/errors" | jq -r .id | sort -n | tr '\n' ' ')" \
    "$(grep -n . "$T/in" | cut -d: -f1 | tr '\n' ' ')" "IDs"
# Successes on stdout with their own answers, failures in --errors.
ok [ "$(jq -r 'select(.answer != .t) | .id' "$T/out" | wc -l)" -eq 0 ] ||
    fail "a row got another row's answer"
ok [ "$(jq -r 'select(.error == null) | .id' "$T/errors" | wc -l)" -eq 0 ] ||
    fail "a success in --errors"
assert_eq "$(jq -r 'select(.t | startswith("row ")) | .id' "$T/out" | wc -l)" \
    "$(grep -c '"row ' "$T/in")" "successes"
# Rows that failed once were retried and succeeded; the others used -r 1.
assert_eq "$(jq -r 'select(.error.status == 503) | .error.attempts' "$T/errors" | sort -u)" 2
