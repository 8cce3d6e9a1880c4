# A server cannot stall a run in silence: a budget announced spent and
# back only after more than --max-wait stops the run (status 3, one line
# on why); a long hold by pacing is said on stderr; usage no request could
# have is taken as not reported.
. "$(dirname "$0")/../lib.sh"
mock_start

h='[[header:x-ratelimit-limit-requests=1]] [[header:x-ratelimit-remaining-requests=0]] [[header:x-ratelimit-reset-requests=1000h]]'
{ printf '{"id":1,"t":"%s"}\n' "$h"; rows 20 | sed 's/"text"/"t"/'; } |
    sed 's/"id":1,"t":"row 1"/"id":101,"t":"row 101"/' >"$T/in"
assert_status 3 timeout 20 "$ENRICH" -u "$URL" -j 1 -p '{{t}}' <"$T/in" \
    >"$T/out" 2>"$T/err"
assert_grep 'comes back in 3600000 s, more than --max-wait' "$T/err"
assert_grep 'resumed with --skip-ids' "$T/err"
assert_eq "$(jq -r .id "$T/out" | head -1)" 1 "the row that said so, written"

# Within --max-wait: paced, and a hold over 5 s is said.
h='[[header:x-ratelimit-limit-requests=1]] [[header:x-ratelimit-remaining-requests=0]] [[header:x-ratelimit-reset-requests=7s]]'
printf '{"id":1,"t":"%s"}\n{"id":2,"t":"b"}\n' "$h" >"$T/in"
assert_status 0 timeout 30 "$ENRICH" -u "$URL" -j 1 -p '{{t}}' <"$T/in" \
    >"$T/out" 2>"$T/err"
assert_grep 'pacing holds the next request for [5-7] s' "$T/err"
assert_eq "$(wc -l <"$T/out" | tr -d ' ')" 2

# Usage no request could have (a trillion completion tokens) under --tpm:
# not believed, so it neither stalls the run nor overflows the sums.
printf '%s\n' '{"id":1,"t":"[[usage:1000000000000]] a"}' >"$T/in"
rows 5 | sed 's/"text"/"t"/' >>"$T/in"
assert_status 0 timeout 20 "$ENRICH" -u "$URL" -j 1 --tpm 60000 \
    --stats-json "$T/st" -p '{{t}}' <"$T/in" >"$T/out" 2>"$T/err"
assert_eq "$(wc -l <"$T/out" | tr -d ' ')" 6
ok [ "$(jq .completion_tokens "$T/st")" -lt 1000 ] || fail "usage believed: $(cat "$T/st")"
printf '%s\n' '{"id":1,"t":"[[usage:99999999999999999999999]] a"}' >"$T/in"
"$ENRICH" -u "$URL" --meta -p '{{t}}' <"$T/in" >"$T/out"
assert_eq "$(jq ._meta.completion_tokens "$T/out")" null
