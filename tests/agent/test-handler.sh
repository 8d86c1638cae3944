#!/bin/sh
# tests/agent/test-handler.sh -- the handler of the agent tests. What it
# does comes from the job's configuration: Mode (below), DumpTo (a path
# prefix where it records its environment and open descriptors), Sleep.
set -u

mode=${CPJOB_CONFIG_MODE:-ok}
dump=${CPJOB_CONFIG_DUMPTO:-}

var() {
	printf '%s' "$1" | tr 'a-z' 'A-Z' | tr -c 'A-Z0-9' '_'
}

record() {
	[ -n "$dump" ] || return 0
	env >"$dump.env"
	ls -l "/proc/$$/fd/" >"$dump.fds" 2>&1
	pwd >"$dump.cwd"
	for name in $CPJOB_INPUT_NAMES; do
		eval "p=\${CPJOB_INPUT_$(var "$name")}"
		printf '%s %s\n' "$name" "$(sha256sum "$p" | cut -d ' ' -f 1)"
	done >"$dump.inputs"
}

outputs() {
	for name in $CPJOB_OUTPUT_NAMES; do
		eval "o=\${CPJOB_OUTPUT_$(var "$name")}"
		printf 'output %s of job %s\n' "$name" "$CPJOB_JOB_ID" >"$o"
	done
}

case "$mode" in
ok)
	record
	echo "handler ok for $CPJOB_JOB_ID"
	echo "a line on stderr" >&2
	outputs
	{
		echo "# a comment"
		echo "summary=deployed é to ${CPJOB_CONFIG_FLEET:-nowhere}"
		echo "external_execution_id=ext-$CPJOB_JOB_ID"
		echo "percent_complete=100"
		echo "output_variable.JobId=$CPJOB_JOB_ID"
		echo "output_variable.Fleet=${CPJOB_CONFIG_FLEET:-}"
	} >"$CPJOB_RESULT_FILE"
	;;
fail)
	record
	echo "some progress on stdout"
	i=0
	while [ $i -lt 40 ]; do
		echo "noise line $i: ----------------------------------------------" >&2
		i=$((i + 1))
	done
	echo "error: the device rejected the image (é)" >&2
	if [ -n "${CPJOB_CONFIG_FAILTYPE:-}" ]; then
		{
			echo "failure_type=$CPJOB_CONFIG_FAILTYPE"
			echo "external_execution_id=fail-ext"
		} >"$CPJOB_RESULT_FILE"
	fi
	exit 3
	;;
failmsg)
	# a long message of its own (4,000 characters, 3 bytes each)
	{
		printf 'message='
		i=0
		while [ $i -lt 100 ]; do
			printf '€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€'
			i=$((i + 1))
		done
		echo
		echo "failure_type=RevisionUnavailable"
	} >"$CPJOB_RESULT_FILE"
	echo "not the message" >&2
	exit 1
	;;
sleep)
	record
	sleep "${CPJOB_CONFIG_SLEEP:-60}"
	outputs
	;;
sleepfail)
	sleep "${CPJOB_CONFIG_SLEEP:-60}"
	echo "error: failed after a while" >&2
	exit 3
	;;
tokenwait)
	# a continuation token after a while (no outputs yet)
	sleep "${CPJOB_CONFIG_SLEEP:-60}"
	echo "continuation_token=resume-me" >"$CPJOB_RESULT_FILE"
	;;
trapterm)
	trap '' TERM
	sleep 120 &
	echo $! >"$dump.child"
	record
	sleep 120
	;;
background)
	# a background process keeps stdout open after the handler exits
	sleep 120 &
	echo $! >"$dump.child"
	outputs
	echo "summary=left a background process" >"$CPJOB_RESULT_FILE"
	;;
continue)
	record
	if [ -z "${CPJOB_CONTINUATION_TOKEN:-}" ]; then
		{
			echo "continuation_token=step-2"
			echo "percent_complete=50"
			echo "summary=half way"
		} >"$CPJOB_RESULT_FILE"
		exit 0
	fi
	if [ "$CPJOB_CONTINUATION_TOKEN" != "step-2" ]; then
		echo "unexpected token $CPJOB_CONTINUATION_TOKEN" >&2
		exit 9
	fi
	outputs
	{
		echo "summary=done in two steps"
		echo "output_variable.Steps=2"
	} >"$CPJOB_RESULT_FILE"
	;;
tokensleep)
	record
	if [ -n "${CPJOB_CONTINUATION_TOKEN:-}" ]; then
		outputs
		echo "summary=resumed with $CPJOB_CONTINUATION_TOKEN" >"$CPJOB_RESULT_FILE"
		exit 0
	fi
	echo "continuation_token=resume-me" >"$CPJOB_RESULT_FILE"
	sleep 120
	;;
badresult)
	echo "percent_complete=200" >"$CPJOB_RESULT_FILE"
	outputs
	;;
unknownkey)
	echo "summry=typo" >"$CPJOB_RESULT_FILE"
	outputs
	;;
bigresult)
	{
		printf 'summary='
		head -c 70000 /dev/zero | tr '\0' a
		echo
	} >"$CPJOB_RESULT_FILE"
	outputs
	;;
varsandtoken)
	{
		echo "continuation_token=x"
		echo "output_variable.A=1"
	} >"$CPJOB_RESULT_FILE"
	;;
noout)
	echo "summary=forgot the outputs" >"$CPJOB_RESULT_FILE"
	;;
symlinkout)
	for name in $CPJOB_OUTPUT_NAMES; do
		eval "o=\${CPJOB_OUTPUT_$(var "$name")}"
		ln -s /etc/passwd "$o"
	done
	;;
fiforesult)
	mkfifo "$CPJOB_RESULT_FILE"
	outputs
	;;
flood)
	head -c 1000000 /dev/zero | tr '\0' x >&2
	printf '\nthe last words\n' >&2
	exit 4
	;;
signal)
	kill -SEGV $$
	;;
*)
	echo "unknown mode $mode" >&2
	exit 2
	;;
esac
exit 0
