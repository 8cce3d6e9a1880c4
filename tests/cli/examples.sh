# The examples/ folder, run against the mock server: the classify-alerts
# script and its checkpoint, resume, input order, split, GNU parallel.  (The
# man page's EXAMPLES are run from the page itself, by manexamples.sh.)
. "$(dirname "$0")/../lib.sh"
services="S3,IAM,EC2,CloudTrail,RDS,Lambda,EKS,KMS,GuardDuty,Cloud Storage"
services="$services,Key Vault,Entra ID,BigQuery,Compute Engine,Blob Storage"
services="$services,AKS,Cloud SQL,GKE,Virtual Machines,Azure SQL Database"
mock_start --answer "pick:$services" --latency 5 --jitter 20
export OPENAI_BASE_URL="$URL"
mkdir "$T/bin"
ln -s "$ENRICH" "$T/bin/enrich"
export PATH="$T/bin:$PATH"
ex=$ROOT/examples/classify-alerts
cd "$T"

# The classify-alerts script, twice: the second run sends nothing.
mkdir script
cp "$ex/alerts.jsonl" "$ex/prompt.txt" "$ex/classify.sh" script/
JOBS=10 sh script/classify.sh >out1
JOBS=10 sh script/classify.sh >out2
assert_eq "$(wc -l <script/done.jsonl)" 40
assert_eq "$(awk '{ n += $1 } END { print n }' out1)" 40
ok [ ! -s out2 ] || fail "classify.sh sent rows again: $(cat out2)"

# The scripts in examples/, each in a directory of its own.
for s in resume in-order split parallel; do
	mkdir "$T/ex-$s"
	(cd "$T/ex-$s" && sh "$ROOT/examples/$s.sh" >out 2>err) ||
	    fail "examples/$s.sh: $(cat "$T/ex-$s/err")"
done
assert_eq "$(cat "$T/ex-resume/out")" "40 rows done"
(cd "$T/ex-resume" && sh "$ROOT/examples/resume.sh" >out2)
assert_eq "$(wc -l <"$T/ex-resume/done.jsonl")" 40
assert_eq "$(cat "$T/ex-in-order/out")" "$(seq 1 40 | tr '\n' ' ')"
ok cmp -s "$T/ex-in-order/ordered.jsonl" "$T/ex-in-order/sorted.jsonl" ||
    fail "--ordered and sort disagree"
assert_eq "$(cat "$T/ex-split/out")" "40 rows"
if command -v parallel >/dev/null; then
	assert_eq "$(cat "$T/ex-parallel/out")" "40 rows, each once"
fi

# labels.sh, against a mock that picks the label a row names.
mock_stop
mock_start --answer "pick:S3,IAM,EC2,Lambda,Other"
export OPENAI_BASE_URL="$URL"
mkdir "$T/ex-labels"
awk 'BEGIN { split("S3 IAM EC2 Lambda Other", s, " "); for (i = 1; i <= 40; i++)
    printf "{\"id\":%d,\"text\":\"alert %d: %s\"}\n", i, i, s[i % 5 + 1] }' \
    >"$T/ex-labels/in"
(cd "$T/ex-labels" && sh "$ROOT/examples/labels.sh" in >out 2>err) ||
    fail "examples/labels.sh: $(cat "$T/ex-labels/err")"
assert_eq "$(cut -d, -f1 "$T/ex-labels/out")" "40 rows"
assert_eq "$(jq -r .service "$T/ex-labels/labelled.jsonl" | sort -u | grep -cvx 'S3\|IAM\|EC2\|Lambda\|Other')" 0
assert_eq "$(jq -r '.confidence | type' "$T/ex-labels/labelled.jsonl" | sort -u)" number
assert_eq "$(grep -c '^enrich: label ' "$T/ex-labels/stats.txt")" 5
# The unsure rows are those under 0.9, as the labelled file says.
assert_eq "$(wc -l <"$T/ex-labels/unsure.tsv" | tr -d ' ')" \
    "$(jq -r 'select(.confidence < 0.9) | .id' "$T/ex-labels/labelled.jsonl" | wc -l | tr -d ' ')"

# structured.sh, with rows whose answers fit the schema, one of them only
# when asked again.
mkdir "$T/ex-structured"
ok='{\"service\":\"S3\",\"risk\":\"high\",\"action\":\"Make the bucket private.\"}'
bad='{\"service\":\"S3\",\"risk\":\"severe\",\"action\":\"Panic.\"}'
printf '%s\n' "{\"id\":1,\"text\":\"[[answer:$ok]]\"}" \
    "{\"id\":2,\"text\":\"[[reask:$bad|$ok]]\"}" >"$T/ex-structured/in"
(cd "$T/ex-structured" && sh "$ROOT/examples/structured.sh" in >out 2>err) ||
    fail "examples/structured.sh: $(cat "$T/ex-structured/err")"
assert_eq "$(tr -s ' ' <"$T/ex-structured/out")" " 2 high"
assert_eq "$(jq -c '[.id, .service, .action]' "$T/ex-structured/described.jsonl" | sort | tr '\n' ' ')" \
    '[1,"S3","Make the bucket private."] [2,"S3","Make the bucket private."] '

# loop.sh: v1 and v2 on the same sample, measured; then every row with
# v2, the sample's rows from the cache, the unsure ones asked of gpt-4o.
mock_stop
mock_start --answer "pick:$(paste -s -d , "$ROOT/examples/loop/labels.txt")" \
    --log "$T/loop.log"
export OPENAI_BASE_URL="$URL"
mkdir "$T/ex-loop"
(cd "$T/ex-loop" && SAMPLE=50% sh "$ROOT/examples/loop/loop.sh" >out 2>err) ||
    fail "examples/loop/loop.sh: $(cat "$T/ex-loop/err")"
n=$(wc -l <"$T/ex-loop/sample-v2.jsonl" | tr -d ' ')
[ "$n" -gt 0 ] && [ "$n" -lt 40 ] || fail "a 50% sample of 40 rows: $n"
assert_eq "$(wc -l <"$T/ex-loop/sample-v1.jsonl" | tr -d ' ')" "$n"
assert_eq "$(sed -n 's/^v2: [0-9]* of \([0-9]*\) right, accuracy [0-9.]*$/\1/p' "$T/ex-loop/out")" "$n"
ok grep -q '^v1: [0-9]* of '"$n"' right, accuracy [0-9.]*$' "$T/ex-loop/out" ||
    fail "no v1 line: $(cat "$T/ex-loop/out")"
assert_eq "$(wc -l <"$T/ex-loop/all.jsonl" | tr -d ' ')" 40
# gpt-4o-mini was asked each row once with v2, the sample's in the
# sample's run only; gpt-4o each unsure row.
v2='Name the service'
assert_eq "$(jq -r '.body | fromjson | select(.model == "gpt-4o-mini") | .messages[-1].content' "$T/loop.log" | grep -c "$v2")" 40
e=$(jq .escalated "$T/ex-loop/all.json")
c=$(jq .cache_hits "$T/ex-loop/all.json")
assert_eq "$(jq -r '.body | fromjson | .model' "$T/loop.log" | grep -cx gpt-4o || true)" "$e"
[ "$e" -gt 0 ] && [ "$c" -gt 0 ] && [ "$c" -le "$n" ] ||
    fail "loop.sh: $c rows from the cache, $e escalated"
assert_grep "^all: 40 rows, $c from the cache, $e escalated\$" "$T/ex-loop/out"
