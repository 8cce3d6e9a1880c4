# Sourced by every command-line test: a private directory, a mock server
# that is always stopped, and a few assertions.  Each test is one behaviour.
set -eu
export LC_ALL=C
unset OPENAI_API_KEY OPENAI_BASE_URL ENRICH_MODEL AZURE_OPENAI_ENDPOINT \
    AZURE_OPENAI_API_KEY 2>/dev/null || true

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
ENRICH=${ENRICH:-$ROOT/enrich}
MOCK=${MOCK:-$ROOT/tests/mock}
T=$(mktemp -d)
MOCK_PIDS=""
# Each assertion that holds adds a byte to $ENRICH_CHECKS, which
# tests/run.sh counts: a file, since assertions run in subshells too.
CHECKS=${ENRICH_CHECKS:-/dev/null}

cleanup() {
	for p in $MOCK_PIDS; do kill "$p" 2>/dev/null || true; done
	for p in $MOCK_PIDS; do wait "$p" 2>/dev/null || true; done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# mock_start [mock options]: start a server, set PORT and URL.
mock_start() {
	rm -f "$T/port"
	"$MOCK" --port-file "$T/port" --max-seconds 300 "$@" \
	    >/dev/null 2>>"$T/mock.err" &
	MOCK_PIDS="$MOCK_PIDS $!"
	MOCK_PID=$!
	i=0
	while [ ! -s "$T/port" ]; do
		i=$((i + 1))
		[ $i -le 500 ] || fail "mock server did not start"
		kill -0 "$MOCK_PID" 2>/dev/null || fail "mock server died"
		sleep 0.01
	done
	PORT=$(cat "$T/port")
	URL="http://127.0.0.1:$PORT/v1"
}

mock_stop() {
	kill "$MOCK_PID" 2>/dev/null || true
	wait "$MOCK_PID" 2>/dev/null || true
}

fail() {
	printf "FAIL: %s\n" "$*" >&2
	exit 1
}

held() {
	printf . >>"$CHECKS"
}

# ok command...: its status, and one assertion counted when it holds, as
# in: ok [ "$n" -lt 5 ] || fail "$n rows"
ok() {
	"$@" || return
	held
}

# figures: true where a rate or a peak RSS means what the README says, in
# the plain build.  Under the sanitizers (SANITIZED, set by run.sh) the
# shadow memory and quarantine multiply RSS and the slower code shares two
# cores with the plain suite, so there the tests run for the sanitizers'
# own checks and every row's answer, and leave the figures to the plain
# build, which runs the same scripts in the same make check.
figures() {
	[ -z "${SANITIZED:-}" ]
}

# assert_eq got want [what]
assert_eq() {
	[ "$1" = "$2" ] || fail "${3:-value}: got '$1', want '$2'"
	held
}

# assert_status want command...: run command, check its exit status.
assert_status() {
	want=$1
	shift
	set +e
	"$@"
	got=$?
	set -e
	[ "$got" -eq "$want" ] || fail "exit status of $*: got $got, want $want"
	held
}

# assert_grep pattern file
assert_grep() {
	grep -q -- "$1" "$2" || fail "'$1' not in $2: $(head -c 2000 "$2")"
	held
}

assert_no_grep() {
	! grep -q -- "$1" "$2" || fail "'$1' unexpectedly in $2"
	held
}

# wait_lines N FILE: until FILE holds N lines (a mock's --log, a run's
# output).  What a test waits on before a signal or a kill, rather than a
# sleep that a loaded machine outlasts.
wait_lines() {
	i=0
	while [ "$(wc -l 2>/dev/null <"$2" || echo 0)" -lt "$1" ]; do
		i=$((i + 1))
		[ $i -le 3000 ] || fail "$2 never held $1 lines"
		sleep 0.01
	done
}

# rows N [template]: N JSON rows {"id":i,"text":"row i"}.
rows() {
	awk -v n="$1" 'BEGIN { for (i = 1; i <= n; i++)
	    printf "{\"id\":%d,\"text\":\"row %d\"}\n", i, i }'
}
