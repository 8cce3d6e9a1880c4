# Several endpoints (-u more than once): one window shared by headroom, an
# endpoint that fails set aside and probed, its rows moved to the others
# without counting against -r, a key per endpoint.
. "$(dirname "$0")/../lib.sh"

# A port nothing listens on: bound, then closed.
dead_port() {
	mock_start
	mock_stop
	echo "$PORT"
}

# start NAME [mock options]: a mock whose URL is in $NAME_URL, its port
# in $NAME_PORT, its log in $T/NAME.log.
start() {
	name=$1
	shift
	mock_start --log "$T/$name.log" "$@"
	eval "${name}_URL=\$URL ${name}_PORT=\$PORT ${name}_PID=\$MOCK_PID"
}

# served URL FILE: rows of FILE answered by the endpoint at URL.
served() {
	jq -r --arg u "$1/chat/completions" \
	    'select(._meta.endpoint == $u and .answer != null) | .id' "$2" |
	    wc -l | tr -d ' '
}

DEAD_URL=http://127.0.0.1:1/v1
# Servers that work on 10 answers at a time, 200 ms each: one alone
# answers about 50 rows a second, whatever the window, so that the times
# compared are the servers' pace and not the machine's load (at 60 ms
# each and 600 rows, a loaded machine made them 4.3 s and 3.7 s).
start A --latency 200 --slots 10
start B --latency 200 --slots 10
start BAD --fail-500 100
rows 200 >"$T/in"

# One good endpoint alone, for the time it takes.
"$ENRICH" -j 40 -u "$A_URL" -p '{{text}}' --stats-json "$T/one.json" \
    <"$T/in" >"$T/one"
assert_eq "$(jq -r 'select(.answer == .text) | .id' "$T/one" | wc -l |
    tr -d ' ')" 200 "rows answered by one endpoint"

# The issue's case: a dead port and an always-5xx server beside two good
# ones.  With -r 0, so that a row moved to another endpoint is seen not to
# be charged: every row is answered, each good endpoint serves at least a
# quarter, and the run takes well under the one endpoint's time.
"$ENRICH" -j 40 -r 0 -u "$DEAD_URL" -u "$A_URL" -u "$BAD_URL" -u "$B_URL" \
    -p '{{text}}' --meta --stats --stats-json "$T/four.json" \
    <"$T/in" >"$T/four" 2>"$T/err"
assert_eq "$(jq -r 'select(.answer == .text) | .id' "$T/four" | sort -n |
    uniq | wc -l | tr -d ' ')" 200 "rows answered by four endpoints"
assert_eq "$(wc -l <"$T/four" | tr -d ' ')" 200 "lines written"
a=$(served "$A_URL" "$T/four")
b=$(served "$B_URL" "$T/four")
ok [ "$a" -ge 50 ] && [ "$b" -ge 50 ] ||
    fail "good endpoints served $a and $b of 200 rows"
assert_eq $((a + b)) 200 "rows served by the good endpoints"
awk -v one="$(jq .wall_seconds "$T/one.json")" \
    -v four="$(jq .wall_seconds "$T/four.json")" \
    'BEGIN { exit !(four < one * 0.75) }' ||
    fail "four endpoints took $(jq .wall_seconds "$T/four.json") s, one" \
    "alone $(jq .wall_seconds "$T/one.json") s"
assert_eq "$(jq -c '[.rows_ok, .rows_failed, .retries]' "$T/four.json")" \
    '[200,0,0]'
assert_eq "$(jq -c '[.endpoints[] | [.rows, (.errors > 0), (.set_aside > 0)]]' \
    "$T/four.json")" '[[0,true,true],['"$a"',false,false],[0,true,true],['"$b"',false,false]]'
assert_eq "$(jq -r '.endpoints[0].url' "$T/four.json")" \
    "$DEAD_URL/chat/completions"
assert_eq "$(jq -r '[.endpoints[1,3].latency_ms > 0] | all' "$T/four.json")" \
    true
assert_grep "$A_URL/chat/completions: $a rows, 0 errors" "$T/err"
assert_grep "$DEAD_URL/chat/completions: 0 rows" "$T/err"

# Latency decides the shares: a server four times as fast gets more.
start FAST --latency 25
start SLOW --latency 200
rows 300 >"$T/in300"
rows 40 >"$T/in40"
"$ENRICH" -j 20 -u "$SLOW_URL" -u "$FAST_URL" -p '{{text}}' --meta \
    <"$T/in300" >"$T/out"
fast=$(served "$FAST_URL" "$T/out")
slow=$(served "$SLOW_URL" "$T/out")
assert_eq $((fast + slow)) 300 "rows answered"
ok [ "$fast" -gt $((2 * slow)) ] ||
    fail "the fast endpoint served $fast rows, the slow one $slow"

# _meta.endpoint and the stats name an endpoint without its password.
"$ENRICH" -j 4 -u "http://user:s3cret@127.0.0.1:$FAST_PORT/v1" \
    -u "$SLOW_URL" -p '{{text}}' --meta --stats --stats-json "$T/pw.json" \
    <"$T/in40" >"$T/out" 2>"$T/err"
assert_eq "$(jq -r '._meta.endpoint | select(startswith("http://*"))' \
    "$T/out" | sort -u)" \
    "http://***@127.0.0.1:$FAST_PORT/v1/chat/completions"
assert_no_grep s3cret "$T/out"
assert_no_grep s3cret "$T/err"
assert_no_grep s3cret "$T/pw.json"

# A 429 holds its own endpoint, not the run: the rows go to the other,
# none is charged or fails.
start BUSY --fail-429 100 --retry-after 30
"$ENRICH" -j 20 -r 0 -u "$BUSY_URL" -u "$FAST_URL" -p '{{text}}' --meta \
    --stats-json "$T/busy.json" <"$T/in300" >"$T/out"
assert_eq "$(served "$FAST_URL" "$T/out")" 300 "rows past a busy endpoint"
# Held 30 s after its first 429s: far from the run's time.
awk -v t="$(jq .wall_seconds "$T/busy.json")" 'BEGIN { exit !(t < 10) }' ||
    fail "a busy endpoint held the run for $(jq .wall_seconds "$T/busy.json") s"
assert_eq "$(jq -c '[.endpoints[0].rows, .endpoints[0].set_aside]' \
    "$T/busy.json")" '[0,0]'

# An endpoint killed mid-run (its connections reset) and started again on
# its port: its rows go to the other, it is set aside, probed, taken back
# and serves again; no row fails, with -r 0.
start C --latency 100 --slots 4
start D --latency 100 --slots 4
rows 600 >"$T/in"
# Killed once it has taken 20 requests, started again once enrich has set
# it aside: conditions, not sleeps of 1 s that a loaded machine outlasts.
(
	wait_lines 20 "$T/D.log"
	kill -9 "$D_PID"
	i=0
	until grep -q "$D_URL/chat/completions set aside for" "$T/err"; do
		i=$((i + 1))
		[ $i -le 3000 ] || fail "$D_URL never set aside"
		sleep 0.01
	done
	"$MOCK" -p "$D_PORT" --port-file "$T/d2.port" --max-seconds 60 \
	    --latency 100 --slots 4 --log "$T/D2.log" >/dev/null 2>&1 &
	echo $! >"$T/d2.pid"
) &
killer=$!
"$ENRICH" -v -j 8 -r 0 -u "$C_URL" -u "$D_URL" -p '{{text}}' --meta \
    <"$T/in" >"$T/out" 2>"$T/err"
wait "$killer"
MOCK_PIDS="$MOCK_PIDS $(cat "$T/d2.pid")"
assert_eq "$(jq -r 'select(.answer == .text) | .id' "$T/out" | sort -n |
    uniq | wc -l | tr -d ' ')" 600 "rows answered around a restart"
assert_grep "$D_URL/chat/completions set aside for" "$T/err"
assert_grep "$D_URL/chat/completions taken back" "$T/err"
ok [ -s "$T/D2.log" ] || fail "the restarted endpoint got no request"
after=$(wc -l <"$T/D2.log" | tr -d ' ')
ok [ "$after" -ge 10 ] || fail "the restarted endpoint served $after rows"

# Every endpoint dead: the run stops as for one dead server (status 3),
# writing nothing, saying why.
DEAD2_URL=http://127.0.0.1:$(dead_port)/v1
rows 50 >"$T/in50"
assert_status 3 "$ENRICH" -j 8 -u "$DEAD_URL" -u "$DEAD2_URL" -p '{{text}}' \
    <"$T/in50" >"$T/out" 2>"$T/err"
assert_eq "$(wc -c <"$T/out" | tr -d ' ')" 0 "bytes written"
assert_grep 'every endpoint failed so' "$T/err"
assert_grep 'resumed with --skip-ids' "$T/err"
assert_status 3 "$ENRICH" -j 8 -u "$DEAD_URL" -p '{{text}}' \
    <"$T/in50" >"$T/out" 2>"$T/err"
assert_status 3 "$ENRICH" -r 0 -j 8 -u "$DEAD_URL" -u "$DEAD2_URL" \
    -p '{{text}}' <"$T/in50" >"$T/out" 2>"$T/err"

# A key per endpoint: -k after a -u is that endpoint's; each server
# refuses any other key (a 401 would set it aside).
printf 'sk-key-A\n' >"$T/kA"
printf 'sk-key-B\n' >"$T/kB"
printf 'sk-key-all\n' >"$T/kall"
start KA --require-key sk-key-A
start KB --require-key sk-key-B
start KE --require-key sk-key-env
start KALL --require-key sk-key-all
rows 40 >"$T/in40"
OPENAI_API_KEY=sk-key-env "$ENRICH" -j 8 -u "$KA_URL" -k "$T/kA" \
    -u "$KE_URL" -u "$KB_URL" -k "$T/kB" -p '{{text}}' --meta \
    <"$T/in40" >"$T/out"
assert_eq "$(jq -r 'select(.answer == .text) | .id' "$T/out" | wc -l |
    tr -d ' ')" 40 "rows answered with a key each"
assert_eq "$(jq -r .headers.authorization "$T/KA.log" | sort -u)" \
    'Bearer sk-key-A'
assert_eq "$(jq -r .headers.authorization "$T/KB.log" | sort -u)" \
    'Bearer sk-key-B'
assert_eq "$(jq -r .headers.authorization "$T/KE.log" | sort -u)" \
    'Bearer sk-key-env'
# A -k before any -u: every endpoint's without one of its own.
: >"$T/KA.log"
"$ENRICH" -k "$T/kall" -j 8 -u "$KALL_URL" -u "$KA_URL" -k "$T/kA" \
    -p '{{text}}' <"$T/in40" >"$T/out"
assert_eq "$(jq -r .headers.authorization "$T/KALL.log" | sort -u)" \
    'Bearer sk-key-all'
assert_eq "$(jq -r .headers.authorization "$T/KA.log" | sort -u)" \
    'Bearer sk-key-A'
# A wrong key for one of them: endpoints_401.sh.
# Two keys for one endpoint: which one is meant?
assert_status 2 "$ENRICH" -u "$KA_URL" -k "$T/kA" -k "$T/kB" -p x \
    <"$T/in40" 2>"$T/err"
assert_grep 'two -k for one endpoint' "$T/err"
assert_no_grep 'sk-key' "$T/err"

# $OPENAI_BASE_URL with several URLs, blank-separated.
: >"$T/FAST.log"
: >"$T/SLOW.log"
OPENAI_BASE_URL="$FAST_URL  $SLOW_URL" "$ENRICH" -j 20 -p '{{text}}' --meta \
    <"$T/in300" >"$T/out"
ok [ -s "$T/FAST.log" ] && [ -s "$T/SLOW.log" ] ||
    fail "\$OPENAI_BASE_URL: not every endpoint used"
assert_eq "$(jq -r 'select(.answer == .text) | .id' "$T/out" | wc -l |
    tr -d ' ')" 300 "rows answered from \$OPENAI_BASE_URL"

# Azure: several resources, the one deployment, a key each, by api-key.
: >"$T/FAST.log"
: >"$T/SLOW.log"
printf 'az-key-1\n' >"$T/az1"
printf 'az-key-2\n' >"$T/az2"
"$ENRICH" --azure -m dep -j 8 -u "${FAST_URL%/v1}" -k "$T/az1" \
    -u "${SLOW_URL%/v1}" -k "$T/az2" -p '{{text}}' <"$T/in40" >"$T/out"
assert_eq "$(jq -r 'select(.answer == .text) | .id' "$T/out" | wc -l |
    tr -d ' ')" 40 "rows answered by two Azure endpoints"
assert_eq "$(jq -r '.headers["api-key"]' "$T/FAST.log" | sort -u)" az-key-1
assert_eq "$(jq -r '.headers["api-key"]' "$T/SLOW.log" | sort -u)" az-key-2
assert_eq "$(jq -r .path "$T/SLOW.log" | sort -u)" \
    '/openai/deployments/dep/chat/completions?api-version=2024-10-21'

# Batch lines name their paths under one base URL.
assert_status 2 "$ENRICH" --batch-input -u "$FAST_URL" -u "$SLOW_URL" \
    <"$T/in40" 2>"$T/err"
assert_grep 'give one -u' "$T/err"
