# 429s: rate limits are waited out, never failing a row while the run
# gets somewhere; quota stops the run; a request too large fails alone.
. "$(dirname "$0")/../lib.sh"
mock_start --stats "$T/stats"

# No quota left: status 3 at once, one clear line.
rows 20 | sed 's/"text":"row 1"/"text":"[[quota]]"/' >"$T/in"
assert_status 3 "$ENRICH" -u "$URL" -j 1 -p '{{text}}' <"$T/in" >"$T/out" 2>"$T/err"
assert_grep 'no quota left' "$T/err"
[ "$(wc -l <"$T/out")" -lt 20 ] || fail "did not stop"

# Too large for the limit: that row fails, no retry; the others go on.
printf '%s\n' '{"id":1,"t":"[[too-large]]"}' '{"id":2,"t":"ok"}' >"$T/in"
assert_status 1 "$ENRICH" -u "$URL" -p '{{t}}' <"$T/in" >"$T/out" 2>/dev/null
assert_eq "$(jq -c 'select(.id == 1) | [.error.status, .error.attempts]' "$T/out")" '[429,1]'

# The wait in the message ("Please try again in 300ms") when no header.
printf '{"id":1,"t":"[[status-once:200]] x"}\n' >/dev/null
printf '{"id":1,"t":"a"}\n' >"$T/in"
rows 1 | sed 's/row 1/[[try-again:300ms]]/' >"$T/in"
assert_status 1 "$ENRICH" -u "$URL" -v --stall-timeout 1 -p '{{text}}' \
    <"$T/in" >"$T/out" 2>"$T/err"
assert_grep 'rate limited, all wait 0.3 s' "$T/err"
assert_grep 'stall-timeout' "$T/out"

# Rate-limit 429s do not use up -r: with -r 0, 40 rows through a 429 share.
mock_stop
mock_start --fail-429 30 --retry-after 0.1 --stats "$T/stats"
rows 40 >"$T/in"
"$ENRICH" -u "$URL" -r 0 -j 4 -p '{{text}}' <"$T/in" >"$T/out"
mock_stop
assert_eq "$(jq -r .answer "$T/out" | wc -l)" 40
[ "$(jq .status_429 "$T/stats")" -gt 0 ] || fail "no 429 was served"

# A wall of R requests a second that only says 429 and Retry-After, and a
# window far larger than R: every row still succeeds.
mock_start --rps 20 --stats "$T/stats"
rows 100 >"$T/in"
"$ENRICH" -u "$URL" -j 100 -p '{{text}}' <"$T/in" >"$T/out"
mock_stop
assert_eq "$(jq -r 'select(.answer) | .id' "$T/out" | sort -u | wc -l)" 100

# The same wall with --rpm 60R: at least 95% of R, under 1% answered 429.
R=50
mock_start --rps $R --stats "$T/stats"
rows 400 >"$T/in"
start=$(date +%s%N)
"$ENRICH" -u "$URL" -j 100 --rpm $((60 * R)) -p '{{text}}' <"$T/in" >"$T/out"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
mock_stop
assert_eq "$(jq -r 'select(.answer) | .id' "$T/out" | wc -l)" 400
# 400 rows: R at once (the server's burst), then R a second.
rate=$(( (400 - R) * 1000 / ms ))
! figures || [ "$rate" -ge $((R * 95 / 100)) ] ||
    fail "$rate rows/s, want >= 95% of $R"
n429=$(jq .status_429 "$T/stats")
nreq=$(jq .requests "$T/stats")
[ $((n429 * 100)) -lt "$nreq" ] || fail "$n429 of $nreq requests got 429"
