# Retries: transient failures are tried again and succeed; the server's
# x-should-retry, retry-after-ms and Retry-After (seconds or a date) are
# obeyed; --max-wait and -r bound it; failed rows say how many attempts.
. "$(dirname "$0")/../lib.sh"
mock_start --log "$T/log"

printf '%s\n' '{"id":1,"t":"a [[status-once:500]]"}' \
    '{"id":2,"t":"b [[status-once:503]]"}' '{"id":3,"t":"c [[drop-once]]"}' \
    '{"id":4,"t":"d [[garbage-once]]"}' '{"id":5,"t":"e [[status-once:429]] [[retry-after:0.2]]"}' \
    '{"id":6,"t":"f [[status-once:408]]"}' '{"id":7,"t":"g [[status-once:409]]"}' \
    '{"id":8,"t":"h [[status-once:522]]"}' '{"id":9,"t":"i [[truncate]]"}' >"$T/in"
# Row 9 is cut short every time: a network error after 1 + 2 attempts.
assert_status 1 "$ENRICH" -u "$URL" -r 2 -p '{{t}}' <"$T/in" >"$T/out" 2>"$T/err"
assert_eq "$(jq -r 'select(.answer) | .id' "$T/out" | sort | tr '\n' ' ')" \
    '1 2 3 4 5 6 7 8 '
assert_eq "$(jq -c 'select(.id == 9) | [.error.type, .error.attempts]' "$T/out")" \
    '["network",3]'
assert_eq "$(grep -c '"c \[\[drop-once' "$T/log")" 2

# Not retried: 400, x-should-retry: false; retried: x-should-retry: true.
: >"$T/log"
printf '%s\n' '{"id":1,"t":"[[status:400]]"}' \
    '{"id":2,"t":"[[status:500]] [[header:x-should-retry=false]]"}' \
    '{"id":3,"t":"[[status-once:400]] [[header:x-should-retry=true]]"}' >"$T/in"
assert_status 1 "$ENRICH" -u "$URL" -p '{{t}}' <"$T/in" >"$T/out" 2>/dev/null
assert_eq "$(jq -c 'select(.error) | [.id, .error.attempts]' "$T/out" | sort | tr '\n' ' ')" \
    '[1,1] [2,1] '
assert_eq "$(jq -r 'select(.id == 3) | .answer' "$T/out" | head -c 5)" '[[sta'

# retry-after-ms wins over Retry-After; the wait is kept.
printf '{"id":1,"t":"[[status-once:503]] [[retry-after:30]] [[retry-after-ms:700]]"}\n' >"$T/in"
start=$(date +%s%N)
"$ENRICH" -u "$URL" -p '{{t}}' <"$T/in" >"$T/out"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
ok [ "$ms" -ge 700 ] && [ "$ms" -lt 5000 ] || fail "waited $ms ms, want 700"

# An HTTP date in the past means now.
printf '{"id":1,"t":"[[status-once:503]] [[header:Retry-After=Wed, 21 Oct 2015 07:28:00 GMT]]"}\n' >"$T/in"
start=$(date +%s%N)
"$ENRICH" -u "$URL" -p '{{t}}' <"$T/in" >"$T/out"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
ok [ "$ms" -lt 3000 ] || fail "waited $ms ms for a date in the past"

# A wait over --max-wait fails the row at once, quoting the wait.
printf '{"id":1,"t":"[[status:503]] [[retry-after:86400]]"}\n' >"$T/in"
assert_status 1 timeout 10 "$ENRICH" -u "$URL" -p '{{t}}' <"$T/in" >"$T/out" 2>"$T/err"
assert_grep '86400.0 s, more than --max-wait' "$T/out"
printf '{"id":1,"t":"[[status-once:503]] [[retry-after:2]]"}\n' >"$T/in"
assert_status 1 "$ENRICH" -u "$URL" --max-wait 1 -p '{{t}}' <"$T/in" >"$T/out" 2>/dev/null

# -r 0: no retries; garbage twice is a parse error after two attempts.
printf '{"id":1,"t":"[[status-once:500]]"}\n' >"$T/in"
assert_status 1 "$ENRICH" -u "$URL" -r 0 -p '{{t}}' <"$T/in" >"$T/out" 2>/dev/null
assert_eq "$(jq -r .error.attempts "$T/out")" 1
printf '{"id":1,"t":"[[garbage]]"}\n' >"$T/in"
assert_status 1 "$ENRICH" -u "$URL" -p '{{t}}' <"$T/in" >"$T/out" 2>/dev/null
assert_eq "$(jq -c '[.error.type, .error.attempts]' "$T/out")" '["parse",2]'

# -v tells of each retry, with the row ID.
printf '{"id":"r1","t":"[[status-once:502]]"}\n' >"$T/in"
"$ENRICH" -v -u "$URL" -p '{{t}}' <"$T/in" >/dev/null 2>"$T/err"
assert_grep 'row "r1": HTTP 502: mock status 502; retry in' "$T/err"
