#!/bin/sh
# CLI tests: run BUILD/datadiff on the fixture pairs in tests/data and check
# exit codes, the JSON contract (with jq) and error messages. Prints
# "cli: N passed, N failed".
set -u
BUILD=${1:-build}
cd "$(dirname "$0")/../.."
DD="$BUILD/datadiff"
D=tests/data
TMP=$(mktemp -d "${TMPDIR:-/tmp}/datadiff-cli.XXXXXX")
trap 'rm -rf "$TMP"' EXIT INT TERM
passed=0
failed=0
bad=""

# run ARGS...: datadiff's stdout, stderr and exit status land in $TMP
run() {
	"$DD" "$@" >"$TMP/out" 2>"$TMP/err"
	echo $? >"$TMP/rc"
}

# a test is "begin NAME", checks, "end"; a failing check marks it failed
begin() {
	name=$1
	bad=""
}
fail() {
	[ -n "$bad" ] || bad=$1
}
rc() { [ "$(cat "$TMP/rc")" = "$1" ] || fail "exit status $(cat "$TMP/rc"), expected $1"; }
jqe() { jq -e "$1" "$TMP/out" >/dev/null 2>&1 || fail "jq: $1"; }
err_is() { grep -qxF -- "$1" "$TMP/err" || fail "stderr is not: $1"; }
err_has() { grep -qF -- "$1" "$TMP/err" || fail "stderr lacks: $1"; }
out_has() { grep -qF -- "$1" "$TMP/out" || fail "stdout lacks: $1"; }
end() {
	if [ -n "$bad" ]; then
		failed=$((failed + 1))
		echo "  FAIL $name: $bad"
		sed 's/^/    stderr: /' "$TMP/err" | head -n 5
	else
		passed=$((passed + 1))
		echo "  ok   $name"
	fi
}

run -f json -k id $D/basic_old.csv $D/basic_new.csv
begin "keyed counts and exit 1"
	rc 1
	jqe '.summary == {added:3,removed:1,changed:1,unchanged:2,duplicate_keys_old:0,duplicate_keys_new:0,null_keys_old:0,null_keys_new:0}'
	jqe '.key == {columns:["id"],source:"option"}'
	jqe '.old == {path:"tests/data/basic_old.csv",rows:4,columns:["id","name","price"]}'
	jqe '.new.rows == 6'
	jqe '.schema == {added:["qty"],removed:[],order_changed:false,type_changes:[{column:"price",old:"integer",new:"decimal"}]}'
	jqe '.columns == [{name:"name",changed:0},{name:"price",changed:1}]'
	jqe '.samples.changed == [{key:{id:"4"},changes:{price:["10","12.5"]}}]'
	jqe '.samples.removed == [{id:"17",name:"fig",price:"3"}]'
	jqe '.samples.added[0] == {id:"1001",name:"plum, red",price:"5",qty:"1"}'
	jqe '.samples.added[2].name == "say \"hi\""'
end

run -f json -s 1 $D/basic_old.csv $D/basic_new.csv
begin "auto key and sample count"
	rc 1
	jqe '.key.source == "auto" and .key.columns == ["id"]'
	jqe '.samples.added | length == 1'
end

run -f json $D/basic_old.csv $D/basic_old.csv
begin "identical files exit 0"
	rc 0
	jqe '.summary.unchanged == 4 and .summary.changed == 0'
end

run -q $D/basic_old.csv $D/basic_new.csv
begin "quiet prints nothing"
	rc 1
	[ ! -s "$TMP/out" ] || fail "output on stdout"
end

run -f json -k region,order_id $D/composite_old.csv $D/composite_new.csv
begin "composite key"
	rc 1
	jqe '.summary.added == 1 and .summary.changed == 1 and .summary.unchanged == 2 and .summary.removed == 0'
	jqe '.samples.changed[0].key == {region:"eu",order_id:"11"}'
end

run -f json -k id $D/dupkeys_old.csv $D/dupkeys_new.csv
begin "duplicate and null keys"
	rc 1
	jqe '.summary.duplicate_keys_old == 1 and .summary.duplicate_keys_new == 2'
	jqe '.summary.null_keys_old == 1 and .summary.null_keys_new == 0'
	jqe '.summary.unchanged == 3 and .summary.changed == 0'
	jqe '.samples.duplicate_keys_new == [{key:{id:"2"},line:4},{key:{id:"3"},line:6}]'
end

run -f json $D/unkeyed_old.csv $D/unkeyed_new.csv
begin "unkeyed multiset"
	rc 1
	jqe '.key == {columns:[],source:"none"}'
	jqe '.summary.added == 1 and .summary.removed == 1 and .summary.changed == 0 and .summary.unchanged == 2'
	jqe '.samples.removed == [{color:"red",size:"S"}] and .samples.added == [{color:"blue",size:"M"}]'
end

run -f json $D/crlf_bom.csv $D/lf_crlf_inside.csv
begin "BOM, CRLF line breaks and quoting are not differences"
	rc 0
	jqe '.summary.unchanged == 2'
end

run -f json $D/crlf_bom.csv $D/lf_quoted.csv
begin "a CRLF inside a quoted value differs from an LF"
	rc 1
	jqe '.summary.changed == 1 and .summary.unchanged == 1'
	jqe '.samples.changed[0].changes.note == ["line one\r\nline two","line one\nline two"]'
end

run -f json $D/tabs_old.tsv $D/tabs_new.tsv
begin "tsv by extension"
	rc 1
	jqe '.summary.changed == 1'
end

run -f json -d tab $D/tabs_old.tsv $D/tabs_new.tsv
begin "-d tab"
	rc 1
	jqe '.columns == [{name:"name",changed:1}]'
end

run -f json -k sku -t 0.005 -i updated_at $D/tol_old.csv $D/tol_new.csv
begin "tolerance and ignore"
	rc 1
	jqe '.summary.changed == 1 and .summary.unchanged == 2'
	jqe '.columns == [{name:"price",changed:1}]'
end

run -f json -k sku $D/tol_old.csv $D/tol_new.csv
begin "exact by default"
	rc 1
	jqe '.summary.changed == 3'
end

run -f json -k sku -i nosuch $D/tol_old.csv $D/tol_new.csv
begin "unknown --ignore column warns"
	rc 1
	err_has "warning: --ignore column 'nosuch' is in neither file"
end

run -f json -k id $D/schema_old.csv $D/schema_new.csv
begin "schema changes"
	rc 1
	jqe '.schema.removed == ["b"] and .schema.added == [] and .schema.order_changed == true'
	jqe '.schema.type_changes == [{column:"c",old:"date",new:"timestamp"},{column:"a",old:"integer",new:"decimal"}]'
end

run -f json $D/empty.csv $D/basic_old.csv
begin "empty old file: all rows added"
	rc 1
	jqe '.summary.added == 4 and .old.rows == 0 and .old.columns == []'
end

run -f json $D/basic_old.csv $D/empty.csv
begin "empty new file: all rows removed"
	rc 1
	jqe '.summary.removed == 4'
end

run -f markdown -k id $D/basic_old.csv $D/basic_new.csv
begin "markdown"
	rc 1
	out_has '**3** added · **1** removed · **1** changed'
	out_has '| 4 | price | 10 | 12.5 |'
end

run -f text -k id $D/basic_old.csv $D/basic_new.csv
begin "text"
	rc 1
	out_has 'added 3, removed 1, changed 1, unchanged 2'
	out_has '~ id=4: price 10 -> 12.5'
end

cat "$D/basic_new.csv" | { "$DD" -f json -k id "$D/basic_old.csv" /dev/stdin \
	>"$TMP/out" 2>"$TMP/err"; echo $? >"$TMP/rc"; }
begin "reads a pipe"
	rc 1
	jqe '.summary.added == 3'
end

# errors: exit 2, "datadiff: FILE:LINE: message"
run $D/bad_unterminated.csv $D/basic_new.csv
begin "unterminated quote"
	rc 2
	err_is 'datadiff: tests/data/bad_unterminated.csv:3: unterminated quoted field'
end
run $D/basic_old.csv $D/bad_toomany.csv
begin "too many fields"
	rc 2
	err_is 'datadiff: tests/data/bad_toomany.csv:3: record has 3 fields, the header has 2'
end
run $D/bad_dupheader.csv $D/basic_new.csv
begin "duplicate header"
	rc 2
	err_is "datadiff: tests/data/bad_dupheader.csv:1: duplicate column name 'id'"
end
run $D/bad_emptyheader.csv $D/basic_new.csv
begin "empty header name"
	rc 2
	err_is 'datadiff: tests/data/bad_emptyheader.csv:1: empty column name (column 2 of the header)'
end
run $D/basic_old.csv $D/bad_binary.csv
begin "binary input refused"
	rc 2
	err_is 'datadiff: tests/data/bad_binary.csv:3: binary data (NUL byte), not a delimited text file'
end
run $D/bad_afterquote.csv $D/basic_new.csv
begin "text after a closing quote"
	rc 2
	err_has 'bad_afterquote.csv:2: unexpected text after the closing quote'
end
run -k nosuch $D/basic_old.csv $D/basic_new.csv
begin "missing key column names the old file first"
	rc 2
	err_is "datadiff: tests/data/basic_old.csv:1: no column 'nosuch' for the key"
end
run -k qty $D/basic_old.csv $D/basic_new.csv
begin "missing key column in the old file only"
	rc 2
	err_has "basic_old.csv:1: no column 'qty' for the key"
end
run $D/basic_old.csv $D/no-such-file.csv
begin "missing file"
	rc 2
	err_is 'datadiff: tests/data/no-such-file.csv: No such file or directory'
end
run $D $D/basic_new.csv
begin "directory refused"
	rc 2
	err_has 'is a directory'
end
run -f yaml $D/basic_old.csv $D/basic_new.csv
begin "bad format"
	rc 2
	err_has "unknown format 'yaml'"
end
run -t -1 $D/basic_old.csv $D/basic_new.csv
begin "bad tolerance"
	rc 2
	err_has 'tolerance must be a number'
end
run -s 5000 $D/basic_old.csv $D/basic_new.csv
begin "bad sample count"
	rc 2
	err_has 'sample count must be 0 to 1000'
end
run $D/basic_old.csv
begin "usage on one file"
	rc 2
	err_has 'usage: datadiff'
end
run --help
begin "help"
	rc 0
	out_has 'exit status: 0 no differences, 1 differences, 2 error'
end

# Memory follows the rows a file holds, not a guess from its first lines:
# 1 MiB of 2-byte rows, then 100 rows of 1 MiB. Sizing the index from the
# first MiB alone reserved room for 50 million rows (gigabytes); under a
# 1 GiB address-space limit that fails. (Not under ASan, which maps
# terabytes of shadow memory.)
if nm "$DD" 2>/dev/null | grep -q __asan_init; then
	echo "  skip short-then-long rows (ASan build)"
else
	{
		echo x
		yes 1 | head -n 524288
		for i in $(seq 100); do
			head -c 1048575 /dev/zero | tr '\0' a
			echo
		done
	} >"$TMP/skewed.csv"
	(ulimit -v 1048576 && exec "$DD" -f json "$TMP/skewed.csv" \
		"$TMP/skewed.csv") >"$TMP/out" 2>"$TMP/err"
	echo $? >"$TMP/rc"
	rm -f "$TMP/skewed.csv"
	begin "short-then-long rows fit in 1 GiB"
		rc 0
		jqe '.old.rows == 524388 and .new.rows == 524388'
	end
fi

echo "cli: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
