# Pipes: a closed stdout ends the run quickly and quietly; stdin may
# trickle; the window bounds the requests in flight.
. "$(dirname "$0")/../lib.sh"
mock_start --latency 20

rows 2000 >"$T/in"
set +e
"$ENRICH" -u "$URL" -j 8 -p '{{text}}' <"$T/in" 2>"$T/err" | head -3 >"$T/out"
set -e
assert_eq "$(wc -l <"$T/out")" 3
ok [ ! -s "$T/err" ] || fail "noise on a closed stdout: $(cat "$T/err")"

# A slow producer: each row is answered before the next is written.
(for i in 1 2 3; do echo "{\"id\":$i,\"t\":\"r$i\"}"; sleep 0.3; done) |
    "$ENRICH" -u "$URL" -p '{{t}}' >"$T/out"
assert_eq "$(jq -r .id "$T/out" | tr '\n' ' ')" '1 2 3 '

# At most -j requests in flight, and the window is used.
mock_stop
mock_start --latency 200 --stats "$T/stats"
rows 40 | "$ENRICH" -u "$URL" -j 8 -p '{{text}}' >/dev/null
mock_stop
assert_eq "$(jq .max_concurrent "$T/stats")" 8
assert_eq "$(jq .requests "$T/stats")" 40
