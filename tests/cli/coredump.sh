# The key is in enrich's memory: a signal that dumps core dumps none.
. "$(dirname "$0")/../lib.sh"
cd "$T"
ulimit -c unlimited 2>/dev/null || true
# Only where a plain process of the same kind does dump one.
sh -c 'kill -ABRT $$' 2>/dev/null || true
if ! ls core* >/dev/null 2>&1; then
	echo "skip: this machine writes no core files"
	exit 0
fi
rm -f core*
mock_start --latency 5000 --log "$T/log"
echo '{"id":1,"t":"x"}' >in
OPENAI_API_KEY=sk-secret-key-in-memory "$ENRICH" -u "$URL" -p '{{t}}' <in \
    >out 2>/dev/null &
pid=$!
wait_lines 1 "$T/log"
kill -ABRT $pid
wait $pid 2>/dev/null || true
! ls core* >/dev/null 2>&1 || fail "a core file was written: $(ls core*)"
