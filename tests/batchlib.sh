# Sourced by the --batch-api tests: a mock of the Files and Batches
# APIs, what it saw, and runs of enrich against it with STATE in $T/st.
# batch_mock [env...]: a mock whose batches take 300 ms (or as env says).
batch_mock() {
	rm -f "$T/log"
	env "$@" sh -c 'exec "$0" --port-file "$1" --max-seconds 300 --log "$2" \
	    >/dev/null 2>>"$3"' "$MOCK" "$T/port.new" "$T/log" "$T/mock.err" &
	MOCK_PIDS="$MOCK_PIDS $!"
	MOCK_PID=$!
	i=0
	while [ ! -s "$T/port.new" ]; do
		i=$((i + 1))
		[ $i -le 500 ] || fail "mock server did not start"
		sleep 0.01
	done
	URL="http://127.0.0.1:$(cat "$T/port.new")/v1"
	rm -f "$T/port.new"
}

# count METHOD PATH-REGEX: requests the mock saw.
count() {
	jq -r --arg m "$1" --arg p "$2" \
	    'select(.method == $m and (.path | test($p))) | .path' "$T/log" |
	    wc -l | tr -d ' '
}

# uploaded: the request lines of every upload the mock saw.
uploaded() {
	jq -r 'select(.path | test("/files$")) | .body' "$T/log" |
	    grep '^{"custom_id"' || true
}

# every_row_once N FILE: rows 1..N, each once, each with its own answer.
every_row_once() {
	assert_eq "$(wc -l <"$2" | tr -d ' ')" "$1" "lines of $2"
	assert_eq "$(jq -r .id "$2" | sort -n | uniq | wc -l | tr -d ' ')" "$1" \
	    "distinct rows of $2"
	assert_eq "$(jq -r 'select(.answer != .text) | .id' "$2" | wc -l |
	    tr -d ' ')" 0 "rows without their own answer"
}

# wait_for PATTERN N: until STATE holds N lines matching PATTERN.
wait_for() {
	i=0
	while n=$(grep -c -- "$1" "$T/st" 2>/dev/null) || n=0
	    [ "$n" -lt "$2" ]; do
		i=$((i + 1))
		[ $i -le 1000 ] || fail "STATE never held $2 of $1"
		sleep 0.01
	done
}

run() {
	"$ENRICH" --batch-api "$T/st" --batch-size 50 --batch-poll 1 \
	    -u "$URL" -p '{{text}}' "$@" <"$T/in"
}

# In the background, as itself: $! is enrich's own pid.
run_bg() {
	exec "$ENRICH" --batch-api "$T/st" --batch-size 50 --batch-poll 1 \
	    -u "$URL" -p '{{text}}' "$@" <"$T/in"
}

fresh() {
	rm -rf "$T/st" "$T/st.d"
}

