#!/bin/sh
# A burst of 500 events over 25 PRs from 5 concurrent clients: every one
# answered 2xx, and each PR runs exactly once on its newest commit pair.
. "$(dirname "$0")/lib.sh"

dd_config '[queue]' 'workers = 4'
dd_start DATADIFFD_JOB_STUB=150 || exit 1

jq '.resource.pullRequestId = 424242 |
    .resource.lastMergeSourceCommit.commitId = "SRC_PLACEHOLDER_0000000000000000000000000"' \
	"$EVENTS/updated-push.json" >"$T/template.json"
mkdir -p "$T/ev"
clients=""
# client c owns PRs c, c+5, ..., c+20; it sends 20 pushes per PR,
# interleaved, each with a new source commit
for c in 1 2 3 4 5; do
	(
		i=0
		while [ "$i" -lt 20 ]; do
			for k in 0 1 2 3 4; do
				pr=$((c + 5 * k))
				src=$(sha $((pr * 1000 + i)))
				sed -e "s/424242/$pr/" -e "s/SRC_PLACEHOLDER_0000000000000000000000000/$src/" \
					"$T/template.json" >"$T/ev/$c.json"
				code=$(post "$T/ev/$c.json")
				echo "$code" >>"$T/codes.$c"
			done
			i=$((i + 1))
		done
	) &
	clients="$clients $!"
done
for p in $clients; do
	wait "$p"
done
cat "$T"/codes.* >"$T/codes"
check "500 events answered" test "$(wc -l <"$T/codes")" -eq 500
check "every answer is 2xx" sh -c "! grep -qv '^20[02]$' $T/codes"
check "the jobs drain" wait_for 60 sh -c \
	"! ls $T/state/queue/ 2>/dev/null | grep -q . && [ \$(ls $T/state/done | wc -l) -eq 25 ]"
sleep 0.3
bad=""
pr=1
while [ "$pr" -le 25 ]; do
	newest=$(sha $((pr * 1000 + 19)))
	n=$(grep -c "stub run for pull request $pr at [0-9a-f]*\.\.$newest" "$T/log")
	last=$(grep "stub run for pull request $pr at " "$T/log" | tail -n 1 |
		sed 's/.*\.\.//')
	if [ "$n" -ne 1 ] || [ "$last" != "$newest" ]; then
		bad="$bad $pr(runs on newest: $n)"
	fi
	pr=$((pr + 1))
done
check "each PR ran exactly once on its newest pair, last${bad:+:$bad}" test -z "$bad"
check "no PR ever ran on two workers at once" awk '
	$7 == "started" { if (run[$6]++) bad = 1 }
	$7 == "done" { run[$6]-- }
	END { exit bad }' "$T/log"
dd_stop
check "exit 0 after the burst" test $? -eq 0
finish
