#!/bin/sh
# Files that cannot be diffed (malformed, too large, binary, an LFS
# pointer) are listed with the reason; non-data files are left out; data
# that looks like Markdown, HTML or a mention is escaped.
. "$(dirname "$0")/lib.sh"

B=$T/tree-base
H=$T/tree-head
mkdir -p "$B/data" "$H/data" "$B/src" "$H/src"
printf 'id,v\n1,a\n' >"$B/data/bad.csv"
printf 'id,v\n1,a\n2,"open\n3,c\n' >"$H/data/bad.csv"
printf 'id,v\n1,a\n' >"$B/data/big.csv"
{ printf 'id,v\n'; i=0; while [ $i -lt 400 ]; do printf '%d,xxxxxxxx\n' $i; i=$((i + 1)); done; } >"$H/data/big.csv"
# more rows than max_rows: listed, but not malformed (it sorts first, so
# the failed status would name it if it were)
printf 'id,v\n1,a\n' >"$B/data/a-rows.csv"
seq 30 | sed 's/$/,a/' | sed '1i id,v' >"$H/data/a-rows.csv"
printf 'id,v\n1,a\n' >"$B/data/bin.csv"
printf 'id,v\n1,a\0\n' >"$H/data/bin.csv"
printf 'version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 12345\n' >"$H/data/lfs.csv"
printf 'id,name\n1,plain\n' >"$B/data/names.csv"
printf 'id,name\n1,plain\n2,"x | @everyone <img src=x onerror=alert(1)> `code` [link](http://evil)"\n' >"$H/data/names.csv"
printf 'print(1)\n' >"$B/src/app.py"
printf 'print(2)\n' >"$H/src/app.py"
BASE=$(sha 40)
HEAD=$(sha 41)

ado_start || exit 1
dd_config '[diff]' 'max_file_bytes = 2K' 'max_rows = 20' 'fail_on = malformed'
fx_push "$T/ado" "$REPO" 1 1 "$B" "$H" "$HEAD" "$BASE" "$BASE"
dd_start || exit 1
ado_event "$T/e.json" created "$HEAD" "$BASE"
code=$(post "$T/e.json")
check "accepted" test "$code" = 202
check "a final status" wait_final 1 1
report 1 >"$T/r.md"
check "malformed: listed with its line" grep -qF \
	'data/bad.csv: line 3 \(new version\): unterminated quoted field' "$T/r.md"
check "too large: listed with the limit" grep -qF \
	'data/big.csv: larger than max\_file\_bytes \(2048 bytes\)' "$T/r.md"
check "too many rows: listed with the limit" grep -qF \
	'data/a-rows.csv: line 22 \(new version\): more than 20 rows \(the limit\)' "$T/r.md"
check "binary: listed" grep -qF 'data/bin.csv: line 2 \(new version\): binary data' "$T/r.md"
check "LFS pointer: listed" grep -qF 'data/lfs.csv *(new file)*: a Git LFS pointer' "$T/r.md"
check "the non-data file is not in the report" test "$(grep -c app.py "$T/r.md")" -eq 0
check "the good file is diffed" grep -qF '| data/names.csv | id *(auto)* | 1 → 2 | +1 |' "$T/r.md"
check "data is escaped, and cut at 60 characters" grep -qF \
	'x \| &#64;everyone &lt;img src=x onerror=alert\(1\)&gt; \`code\` \[link\]\(htt…' "$T/r.md"
check "no raw mention, HTML tag or code span from data" sh -c "
	! grep -q '@everyone' $T/r.md && ! grep -q '<img' $T/r.md && ! grep -q ' \`code\`' $T/r.md"
check "fail_on malformed fails the status" \
	test "$(last_status 1)" = "failed fail_on malformed: data/bad.csv"
dd_stop
finish
