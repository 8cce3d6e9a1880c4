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
[ ! -s out2 ] || fail "classify.sh sent rows again: $(cat out2)"

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
cmp -s "$T/ex-in-order/ordered.jsonl" "$T/ex-in-order/sorted.jsonl" ||
    fail "--ordered and sort disagree"
assert_eq "$(cat "$T/ex-split/out")" "40 rows"
if command -v parallel >/dev/null; then
	assert_eq "$(cat "$T/ex-parallel/out")" "40 rows, each once"
fi
