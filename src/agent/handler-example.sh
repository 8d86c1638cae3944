#!/bin/sh
# handler-example.sh -- an example cpjob handler (POSIX sh, coreutils).
#
# cpjob run --exec /usr/share/cpjob/handler-example.sh ...
#
# For each input artifact it records the size and SHA-256 (and whether
# it looks like a zip file); it writes that report as every output
# artifact, and leaves a summary, an external execution id and output
# variables in the result file. A real deploy handler would unpack the
# input here (unzip -q "$path" -d "$CPJOB_WORK_DIR/tmp/...") and install
# it.
#
# The contract (share/cpjob/handler.md, docs/handler.md in the source): job
# fields in CPJOB_* variables, input files at CPJOB_INPUT_<NAME>, output
# files to write at CPJOB_OUTPUT_<NAME>, key=value lines in
# CPJOB_RESULT_FILE; exit 0 for success, anything else for failure (the
# end of stderr is the message).
set -eu

# NAME -> the variable suffix cpjob uses: upper case, other than [A-Z0-9] as _
var() {
	printf '%s' "$1" | tr 'a-z' 'A-Z' | tr -c 'A-Z0-9' '_'
}

report="$CPJOB_WORK_DIR/tmp/report.txt"
{
	echo "cpjob example handler report"
	echo "job:       $CPJOB_JOB_ID"
	echo "pipeline:  ${CPJOB_PIPELINE_NAME:-?} (execution ${CPJOB_PIPELINE_EXECUTION_ID:-?})"
	echo "stage:     ${CPJOB_STAGE_NAME:-?}, action ${CPJOB_ACTION_NAME:-?}"
} >"$report"

echo "job $CPJOB_JOB_ID: pipeline ${CPJOB_PIPELINE_NAME:-?}, stage ${CPJOB_STAGE_NAME:-?}"
first_sum=
count=0
for name in $CPJOB_INPUT_NAMES; do
	eval "path=\${CPJOB_INPUT_$(var "$name")}"
	size=$(wc -c <"$path" | tr -d ' ')
	sum=$(sha256sum "$path" | cut -d ' ' -f 1)
	kind=data
	if [ "$(head -c 2 "$path")" = "PK" ]; then
		kind=zip
	fi
	echo "input $name: $size bytes, $kind, sha256 $sum"
	echo "input $name: $size bytes ($kind) sha256 $sum" >>"$report"
	[ -n "$first_sum" ] || first_sum=$sum
	count=$((count + 1))
done

for name in $CPJOB_OUTPUT_NAMES; do
	eval "out=\${CPJOB_OUTPUT_$(var "$name")}"
	cp "$report" "$out"
	echo "output $name: $(wc -c <"$out" | tr -d ' ') bytes written"
done

{
	echo "summary=checked $count input artifact(s) on $(uname -n)"
	echo "external_execution_id=example-$CPJOB_JOB_ID"
	echo "percent_complete=100"
	echo "output_variable.InputCount=$count"
	[ -z "$first_sum" ] || echo "output_variable.InputSha256=$first_sum"
} >"$CPJOB_RESULT_FILE"
exit 0
