# The fleet recipes of examples/fleet, run here: the Slurm array job and
# the Kubernetes Indexed Job with their index variables set by hand (a
# failed index re-run sends only what it lacks), and GNU parallel over
# two hosts through a real sshd on 127.0.0.2 and 127.0.0.3, the key read
# from a file on each host and in no command line.  Without parallel, or
# an sshd this user can start, that part is skipped, and says so.
. "$(dirname "$0")/../lib.sh"
fleet=$ROOT/examples/fleet
key=sk-recipes-$$-secret
mock_start --require-key "$key" --answer hash --stats "$T/stats"
printf '%s\n' "$key" >"$T/key"
chmod 600 "$T/key"
awk 'BEGIN { for (i = 1; i <= 40; i++)
    printf "{\"id\":%d,\"text\":\"alert %d\"}\n", i, i }' >"$T/rows.jsonl"
# every ID once with an answer, in all the outputs given
answered() {
	cat "$@" | jq -r 'select(.error == null and
	    (.answer | test("^[0-9a-f]{16}$"))) | .id' | sort -n | uniq |
	    paste -s -d ' ' -
}
all=$(seq 1 40 | paste -s -d ' ' -)
export ENRICH

# Slurm: the script as sbatch runs it, once per array index.  Its key
# file is under $HOME; here, a home of our own, and the mock's URL.
mkdir -p "$T/home/.config/enrich" "$T/slurm"
cp "$T/key" "$T/home/.config/enrich/key"
cp "$fleet/shard.sh" "$T/rows.jsonl" "$T/slurm/"
for i in 0 1 2 3; do
	HOME=$T/home SLURM_SUBMIT_DIR=$T/slurm SLURM_ARRAY_TASK_ID=$i \
	    SLURM_ARRAY_TASK_COUNT=4 OPENAI_BASE_URL=$URL \
	    sh "$fleet/slurm.sbatch" 2>"$T/err.$i" ||
	    fail "slurm task $i: $(cat "$T/err.$i")"
done
assert_eq "$(answered "$T"/slurm/out.?)" "$all" "slurm rows"
# Four shards of ten, none twice.
assert_eq "$(cat "$T"/slurm/out.? | wc -l)" 40
assert_eq "$(wc -l <"$T/slurm/out.2")" 10

# A failed index re-run: index 1 failed (its server down: the run stops,
# its rows left to resume), then it runs again and sends those only.
rm "$T/slurm/out.1"
HOME=$T/home SLURM_SUBMIT_DIR=$T/slurm SLURM_ARRAY_TASK_ID=1 \
    OPENAI_BASE_URL=http://127.0.0.1:1/v1 sh "$fleet/slurm.sbatch" \
    2>/dev/null && fail "a task against no server succeeded"
assert_eq "$(answered "$T/slurm/out.1")" "" "index 1 failed"
HOME=$T/home SLURM_SUBMIT_DIR=$T/slurm SLURM_ARRAY_TASK_ID=1 \
    OPENAI_BASE_URL=$URL sh "$fleet/slurm.sbatch"
assert_eq "$(answered "$T"/slurm/out.?)" "$all" "slurm rows, re-run"
# And a done index run again sends nothing.
HOME=$T/home SLURM_SUBMIT_DIR=$T/slurm SLURM_ARRAY_TASK_ID=1 \
    OPENAI_BASE_URL=$URL sh "$fleet/slurm.sbatch"
assert_eq "$(jq -r 'select(.error == null) | .id' "$T/slurm/out.1" |
    wc -l)" 10 "index 1 re-run again"

# Kubernetes: the container's command line, taken from the YAML, with
# the volumes where the test has them and JOB_COMPLETION_INDEX by hand.
cmd=$(sed -n 's/^        - \(sh \/fleet\/shard.sh .*\)$/\1/p' \
    "$fleet/k8s-indexed-job.yaml")
ok [ -n "$cmd" ] || fail "no command in k8s-indexed-job.yaml"
mkdir -p "$T/data" "$T/secrets/openai"
cp "$T/rows.jsonl" "$T/data/"
cp "$T/key" "$T/secrets/openai/key"
cmd=$(printf '%s\n' "$cmd" | sed "s|/fleet/|$fleet/|; s|/data/|$T/data/|g;
    s|/secrets/|$T/secrets/|")
for i in 3 0 2 1; do
	JOB_COMPLETION_INDEX=$i OPENAI_BASE_URL=$URL sh -c "$cmd" ||
	    fail "k8s index $i"
done
assert_eq "$(answered "$T"/data/out.?)" "$all" "k8s rows"
assert_eq "$(cat "$T"/data/out.? | wc -l)" 40

# GNU parallel over two hosts, each an sshd of ours.
if ! command -v parallel >/dev/null; then
	echo "recipes.sh: parallel-hosts skipped: GNU parallel not installed"
	exit 0
fi
sshd=$(command -v sshd || echo /usr/sbin/sshd)
skip() {
	echo "recipes.sh: parallel-hosts skipped: $*"
	exit 0
}
[ -x "$sshd" ] || skip "no sshd (make deps installs openssh-server)"
# As root, sshd wants its privilege separation directory.
[ "$(id -u)" != 0 ] || [ -d /run/sshd ] || mkdir -p /run/sshd 2>/dev/null ||
    skip "no /run/sshd for a root sshd"
ssh-keygen -q -t ed25519 -N '' -f "$T/hostkey" >/dev/null 2>&1 &&
    ssh-keygen -q -t ed25519 -N '' -f "$T/id" >/dev/null 2>&1 ||
    skip "ssh-keygen failed"
cp "$T/id.pub" "$T/authorized_keys"
chmod 600 "$T/authorized_keys"
port=$(( 20000 + $$ % 20000 ))
cat >"$T/sshd_config" <<EOC
ListenAddress 127.0.0.2:$port
ListenAddress 127.0.0.3:$port
HostKey $T/hostkey
AuthorizedKeysFile $T/authorized_keys
PidFile $T/sshd.pid
StrictModes no
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
AcceptEnv NONE
EOC
"$sshd" -D -e -f "$T/sshd_config" 2>"$T/sshd.err" &
MOCK_PIDS="$MOCK_PIDS $!"
sshd_pid=$!
cat >"$T/ssh_config" <<EOC
Host 127.0.0.2 127.0.0.3
	Port $port
	User $(id -un)
	IdentityFile $T/id
	IdentitiesOnly yes
	StrictHostKeyChecking no
	UserKnownHostsFile /dev/null
	LogLevel ERROR
	BatchMode yes
EOC
# ssh as parallel runs it, each command line kept: the key must not be in
# any of them.
cat >"$T/ssh" <<EOC
#!/bin/sh
printf '%s\n' "\$*" >>"$T/ssh.argv"
exec ssh -F "$T/ssh_config" "\$@"
EOC
chmod +x "$T/ssh"
up=0
for i in $(seq 1 100); do
	kill -0 "$sshd_pid" 2>/dev/null || break
	if "$T/ssh" 127.0.0.3 true 2>/dev/null &&
	    "$T/ssh" 127.0.0.2 true 2>/dev/null; then
		up=1
		break
	fi
	sleep 0.1
done
[ "$up" = 1 ] || skip "cannot start sshd as $(id -un): $(tail -2 "$T/sshd.err" | tr '\n' ' ')"
: >"$T/ssh.argv"
# The hosts' enrich is this tree's; the key is a file on each "host".
PARALLEL_SSH=$T/ssh HOSTS=2/127.0.0.2,2/127.0.0.3 KEYFILE=$T/key BLOCK=200 \
    URL=$URL PROMPT='{{text}}' sh "$fleet/parallel-hosts.sh" \
    "$T/rows.jsonl" >"$T/done.jsonl" 2>"$T/err" ||
    fail "parallel-hosts: $(cat "$T/err")"
assert_eq "$(answered "$T/done.jsonl")" "$all" "rows over ssh"
assert_eq "$(wc -l <"$T/done.jsonl")" 40
# Both hosts were used, and the key was in no ssh command line.
ok grep -q '127.0.0.2' "$T/ssh.argv" || fail "127.0.0.2 not used"
ok grep -q '127.0.0.3' "$T/ssh.argv" || fail "127.0.0.3 not used"
assert_no_grep "$key" "$T/ssh.argv"
