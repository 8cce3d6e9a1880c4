# Walls of tokens a minute: a 429 about tokens (OpenAI's "tokens per min
# (TPM)", no Retry-After) makes -j auto, or a fixed window, pace the
# tokens of what it starts, each request charged its prompt and its
# completion budget; announced x-ratelimit-*-tokens are paced by before
# they run out; a row larger than the wall fails alone.  Behaviour, not
# speed: make bench measures the share of the wall.
. "$(dirname "$0")/../lib.sh"

# mixed N: N rows whose prompts run from about 10 to 750 tokens.
mixed() {
	awk -v n="$1" 'BEGIN { srand(15); for (i = 1; i <= n; i++) {
	    len = 40 + int(rand() * 2960); s = ""
	    while (length(s) < len) s = s "lorem ipsum dolor "
	    printf "{\"id\":%d,\"text\":\"%s\"}\n", i, substr(s, 1, len) } }'
}
mixed 150 >"$T/in"

# start NAME MOCKOPTIONS... -- ENRICHOPTIONS...: the rows against a wall
# of 600,000 tokens a minute (10,000 a second, 20,000 of burst; or $TPM), a mock
# each, all at once: each run is paced by its own wall, not by the
# machine, and together they take the time of one.
start() {
	name=$1
	shift
	margs=
	while [ "$1" != -- ]; do margs="$margs $1"; shift; done
	shift
	mock_start --tpm "${TPM:-600000}" --answer hash --latency 30 \
	    --stats "$T/stats.$name" $margs
	echo "${TPM:-600000}" >"$T/tpm.$name"
	echo "$MOCK_PID" >"$T/mock.$name"
	( t0=$(date +%s%N)
	  "$ENRICH" -u "$URL" -P max_completion_tokens=100 -p '{{text}}' -v \
	      --stats-json "$T/st.$name" "$@" <"$T/in" >"$T/out.$name" \
	      2>"$T/err.$name"
	  echo $? >"$T/rc.$name"
	  echo $(( ($(date +%s%N) - t0) / 1000000 )) >"$T/ms.$name" ) &
	echo $! >"$T/run.$name"
}

# finish NAME: every row answered once, by its own answer; sets n429 and
# pct, the share of the wall (its burst and its rate over the run) that
# the tokens accepted came to.
finish() {
	name=$1
	wait "$(cat "$T/run.$name")" || true
	MOCK_PID=$(cat "$T/mock.$name")
	mock_stop
	[ "$(cat "$T/rc.$name")" -eq 0 ] ||
	    fail "$name: exit $(cat "$T/rc.$name"): $(tail -3 "$T/err.$name")"
	assert_eq "$(jq -r .id "$T/out.$name" | sort -n | uniq | wc -l)" 150 \
	    "$name: rows"
	assert_eq "$(jq -r 'select(.answer | test("^[0-9a-f]{16}$")) | .id' \
	    "$T/out.$name" | wc -l)" 150 "$name: answers"
	n429=$(jq .status_429 "$T/stats.$name")
	pct=$(jq --argjson ms "$(cat "$T/ms.$name")" \
	    --argjson tpm "$(cat "$T/tpm.$name")" \
	    '100 * .tokens / ($tpm / 60000 * $ms + $tpm / 30) | floor' \
	    "$T/stats.$name")
}

# Each request is charged its completion budget whole, as the server
# charges it: with a budget of 5000 a row, 20 rows are some 110,000
# tokens, and --tpm starts them a few at a time (the prompts alone, some
# 10,000 tokens, would all start at once and most be refused).
finish_big() {
	wait "$big" || fail "a budget of 5000: exit $?"
	MOCK_PID=$mock_big
	mock_stop
	assert_eq "$(jq -r .id "$T/out.big" | wc -l)" 20
	[ "$(jq .status_429 "$T/stats.big")" -le 2 ] ||
	    fail "a budget of 5000: $(jq .status_429 "$T/stats.big") refused"
}
mock_start --tpm 600000 --answer hash --stats "$T/stats.big"
mock_big=$MOCK_PID
head -20 "$T/in" >"$T/in20"
"$ENRICH" -u "$URL" -j 64 --tpm 600000 -P max_completion_tokens=5000 \
    -p '{{text}}' <"$T/in20" >"$T/out.big" 2>"$T/err.big" &
big=$!
start auto -- -j auto
start fixed -- -j 64
# Half the wall: its 5,000 tokens a second are met by -j auto's first
# requests (their rate starts at 10 a second), so the run measures the
# pacing rather than the start.
TPM=300000
start headers --ratelimit-headers -- -j auto
TPM=600000
start told -- -j 64 --tpm 600000

# Told nothing: the 429s are about tokens, -v says so, and it paces
# tokens from then on: few refused, a token rate reported near the wall's.
finish auto
assert_grep 'rate limited on tokens a minute: pacing new requests by their tokens' "$T/err.auto"
[ "$n429" -le 15 ] || fail "-j auto: $n429 of 150 rows refused"
[ "$(jq '.paced_tps > 5000 and .paced_tps <= 10500' "$T/st.auto")" = true ] ||
    fail "-j auto paced $(jq .paced_tps "$T/st.auto") tokens a second"

# A fixed window after its first 429 for tokens does the same: its first
# 64 rows (some 30,000 tokens) overrun the burst, and then it paces (at
# 30 ms a request, 64 in flight unpaced would be refused by hundreds).
finish fixed
assert_grep 'by their tokens' "$T/err.fixed"
[ "$n429" -le 40 ] || fail "-j 64: $n429 of 150 rows refused"
[ "$(jq '.paced_tps > 0' "$T/st.fixed")" = true ] || fail "-j 64: not paced"

# Announced by headers: nothing started that the remainder, less what is
# in flight, cannot pay for.  At most 1% refused (the race of what is in
# flight), and at least 90% of the wall.
finish headers
[ "$n429" -le 1 ] || fail "-j auto, announced: $n429 of 150 rows refused"
[ "$pct" -ge 90 ] || fail "-j auto, announced: $pct% of the wall"

# Told by --tpm: nothing refused.
finish told
[ "$n429" -le 1 ] || fail "--tpm: $n429 of 150 rows refused"
assert_no_grep 'rate limited' "$T/err.told"

finish_big

# Larger than the wall holds: that row fails at once, the others go on.
mock_start --tpm 6000
printf '%s\n' '{"id":1,"t":"short"}' \
    "{\"id\":2,\"t\":\"$(head -c 2000 /dev/zero | tr '\0' x)\"}" \
    '{"id":3,"t":"short too"}' >"$T/in3"
assert_status 1 "$ENRICH" -u "$URL" -P max_completion_tokens=10 -p '{{t}}' \
    <"$T/in3" >"$T/out" 2>"$T/err"
assert_eq "$(jq -c 'select(.id == 2) | [.error.status, .error.attempts]' "$T/out")" '[429,1]'
assert_eq "$(jq -r 'select(.answer) | .id' "$T/out" | sort | paste -s -d ' ' -)" "1 3"
