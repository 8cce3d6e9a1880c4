# A row waiting for its retry holds no place in the window: with -j 1, the
# rows after it go through while it waits.  And --tpm paces by tokens.
. "$(dirname "$0")/../lib.sh"
mock_start

printf '%s\n' '{"id":1,"t":"[[status-once:503]] [[retry-after:1]]"}' \
    '{"id":2,"t":"b"}' '{"id":3,"t":"c"}' '{"id":4,"t":"d"}' >"$T/in"
"$ENRICH" -u "$URL" -j 1 -p '{{t}}' <"$T/in" >"$T/out"
assert_eq "$(jq -r .id "$T/out" | tr '\n' ' ')" '2 3 4 1 '

# Tokens per minute: rows of about 100 prompt tokens whose answers (the
# mock echoes) are as long again, so about 200 tokens each once usage is
# known.  At 12,000 a minute (200 a second, 180 at once) five rows take
# about four seconds; unlimited, a fraction of one.  Each its own: rows
# that ask the same share one request.
awk 'BEGIN { s = ""; for (i = 0; i < 39; i++) s = s "0123456789";
    for (i = 1; i <= 5; i++)
    printf "{\"id\":%d,\"t\":\"%s01234567%02d\"}\n", i, s, i }' >"$T/in"
start=$(date +%s%N)
"$ENRICH" -u "$URL" -j 5 -p '{{t}}' <"$T/in" >/dev/null
fast=$(( ($(date +%s%N) - start) / 1000000 ))
start=$(date +%s%N)
"$ENRICH" -u "$URL" -j 5 --tpm 12000 -p '{{t}}' <"$T/in" >"$T/out"
slow=$(( ($(date +%s%N) - start) / 1000000 ))
assert_eq "$(wc -l <"$T/out")" 5
ok [ "$fast" -lt 1000 ] || fail "unlimited took $fast ms"
ok [ "$slow" -ge 2500 ] && [ "$slow" -lt 8000 ] || fail "--tpm 12000 took $slow ms"
