#!/bin/sh
# A pull request of 3,000 changed files, 40 of them CSV: the changes are
# paged ($top=2000, nextSkip) and every data file is in the report.
. "$(dirname "$0")/lib.sh"

BASE=$(sha 30)
HEAD=$(sha 31)
ado_start || exit 1
dd_config
mkdir -p "$T/f"
printf 'x\n' >"$T/f/other"
other=$(fx_blob "$T/ado" "$T/f/other")
i=0
: >"$T/csvs"
while [ "$i" -lt 40 ]; do
	printf 'id,v\n1,%d\n2,x\n' "$i" >"$T/f/old$i.csv"
	printf 'id,v\n1,%d\n2,y\n3,z\n' "$i" >"$T/f/new$i.csv"
	printf '%s %s\n' "$(fx_blob "$T/ado" "$T/f/old$i.csv")" \
		"$(fx_blob "$T/ado" "$T/f/new$i.csv")" >>"$T/csvs"
	i=$((i + 1))
done
# 2,960 other files and the 40 CSVs, spread through the list
jq -n -c --arg other "$other" --rawfile csvs "$T/csvs" '
	($csvs | split("\n") | map(select(length > 0) | split(" "))) as $c
	| [range(3000) as $i
	   | if $i % 75 == 37 and ($i / 75 | floor) < 40 then
		($c[$i / 75 | floor]) as $b
		| {item: {path: "/data/part\($i).csv", objectId: $b[1],
			originalObjectId: $b[0]}, changeType: "edit"}
	     else
		{item: {path: "/src/file\($i).py", objectId: $other,
			originalObjectId: $other}, changeType: "edit"}
	     end]' >"$T/changes.json"
check "the fixture has 3,000 entries, 40 of them CSV" \
	test "$(jq 'length' "$T/changes.json")-$(jq 'map(select(.item.path | endswith(".csv"))) | length' "$T/changes.json")" = "3000-40"
fx_changes "$T/ado" "$REPO" 1 1 "$(cat "$T/changes.json")"
fx_iterations "$T/ado" "$REPO" 1 "[$(fx_iteration 1 "$HEAD" "$BASE" "$BASE")]"
dd_start || exit 1
ado_event "$T/e.json" created "$HEAD" "$BASE"
code=$(post "$T/e.json")
check "accepted" test "$code" = 202
check "a final status" wait_final 1 1
check "the changes were read in two pages" sh -c "
	[ \$(curl -s $FX_CONTROL/requests | jq '[.[] | select(.path | test(\"/changes\$\"))] | length') -eq 2 ]"
check "the second page starts at 2000" sh -c "
	curl -s $FX_CONTROL/requests | jq -e '[.[] | select(.path | test(\"/changes\$\")) | .query] | .[1] | test(\"skip=2000\")' >/dev/null"
report 1 >"$T/r.md"
check "the report counts 40 data files" grep -qF '**40 data files** changed' "$T/r.md"
check "every CSV has a row in the summary" test "$(grep -c '^| data/part[0-9]*\.csv |' "$T/r.md")" -eq 40
check "the other files are counted in the log" grep -q '40 data files, 2960 other files' "$T/log"
check "the status says 40 files" test "$(last_status 1)" = "succeeded 40 data files: +40 -0 ~40 rows"
dd_stop
finish
