#!/bin/sh
# selftest.sh BUILD: check BUILD/fake-ado against every route and failure
# mode it promises (see fake_ado.c, fake_git.h, fake_fault.h), with curl and
# jq. Ends with "fake-ado: N passed, N failed"; exits non-zero on a failure.
# shellcheck disable=SC2016 # jq filters are single-quoted on purpose
set -u

BUILD=${1:-${BUILD:-build}}
case $BUILD in
/*) ;;
*) BUILD=$(pwd)/$BUILD ;;
esac
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=fixture.sh source-path=SCRIPTDIR
. "$HERE/fixture.sh"

if [ ! -x "$BUILD/fake-ado" ]; then
	echo "selftest: no $BUILD/fake-ado (run make first)" >&2
	echo "fake-ado: 0 passed, 1 failed"
	exit 1
fi
for tool in curl jq sha1sum; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "selftest: $tool is required" >&2
		echo "fake-ado: 0 passed, 1 failed"
		exit 1
	fi
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/fake-ado-selftest.XXXXXX") || exit 1
FX_PID=
BG_PID=
cleanup() {
	if [ -n "$BG_PID" ]; then kill "$BG_PID" 2>/dev/null; fi
	if [ -n "$FX_PID" ]; then kill -KILL "$FX_PID" 2>/dev/null; fi
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

passed=0
failed=0

# run NAME FUNCTION: one named test; on failure show what came back
run() {
	STATUS=
	if "$2"; then
		passed=$((passed + 1))
		echo "ok - $1"
	else
		failed=$((failed + 1))
		echo "not ok - $1"
		echo "#   last HTTP status: ${STATUS:-none}"
		if [ -s "$WORK/body" ]; then
			echo "#   last body: $(head -c 400 "$WORK/body" | tr -d '\000')"
		fi
	fi
}

# req METHOD URL [curl options]: body in $WORK/body, headers (CR stripped)
# in $WORK/headers, status in $STATUS
req() {
	_m=$1
	_u=$2
	shift 2
	: >"$WORK/body"
	STATUS=$(curl -sS -o "$WORK/body" -D "$WORK/headers.raw" \
		-w '%{http_code}' --max-time 30 -X "$_m" "$@" "$_u") ||
		STATUS=000
	tr -d '\r' <"$WORK/headers.raw" >"$WORK/headers"
}

# areq METHOD URL [curl options]: req with the PAT (empty user name)
areq() {
	_m=$1
	_u=$2
	shift 2
	req "$_m" "$_u" -u ":$PAT" "$@"
}

# ajson METHOD URL JSON: areq with a JSON body
ajson() {
	areq "$1" "$2" -H 'Content-Type: application/json' --data-binary "$3"
}

# jqt FILTER [JQ OPTIONS]: is FILTER true of the last body?
jqt() {
	_f=$1
	shift
	jq -e "$@" "$_f" "$WORK/body" >/dev/null 2>&1
}

# hdr REGEX: does a header line of the last answer match (any case)?
hdr() {
	grep -qiE "$1" "$WORK/headers"
}

status_is() {
	[ "$STATUS" = "$1" ]
}

# ado_error STATUS TYPEKEY: the last answer is Azure DevOps' error envelope
ado_error() {
	status_is "$1" &&
	hdr '^Content-Type: application/json' &&
	jqt '.["$id"] == "1" and .innerException == null and
		(.message | type == "string") and
		(.typeName | type == "string") and .errorCode == 0 and
		.eventId == 3000' &&
	jqt ".typeKey == \"$2\""
}

# ---- fixtures ----

PAT="fake-pat-$$-Zq9xW"
ORG=Fabrikam
REPO=4BC14D40-C903-45E2-872E-0462c7748079
FX=$WORK/fixtures
printf '%s\n' "$PAT" >"$WORK/pat"
fx_init "$FX"

printf 'id,amount\n1,10\n2,20\n' >"$WORK/old.csv"
printf 'id,amount\n1,10\n2,25\n3,30\n' >"$WORK/new.csv"
head -c 70000 /dev/urandom >"$WORK/binary.bin"
OLD=$(fx_blob "$FX" "$WORK/old.csv")
NEW=$(fx_blob "$FX" "$WORK/new.csv")
BIN=$(fx_blob "$FX" "$WORK/binary.bin")
# a 256 MiB sparse file: served by streaming, never read into memory
truncate -s 256M "$WORK/huge.bin"
HUGE=$(fx_blob_link "$FX" "$WORK/huge.bin")

fx_iterations "$FX" "$REPO" 1 "[$(fx_iteration 1 \
	53d54ac915144006c2c9e90d2c7d3880920db49c \
	a511f535b1ea495ee0c903badb68fbc83772c882 \
	a511f535b1ea495ee0c903badb68fbc83772c882)]"
fx_changes "$FX" "$REPO" 1 1 "[$(fx_change edit /data/sales.csv "$NEW" \
	"$OLD"),$(fx_change add /data/blob.bin "$BIN" "")]"
# iteration 2: 250 entries, iteration 3: 2500 (for the $top clamp)
fx_changes "$FX" "$REPO" 1 2 "$(jq -nc '[range(250) | {item: {
	path: "/data/f\(.).csv", objectId: ("a" * 40)}, changeType: "add"}]')"
fx_changes "$FX" "$REPO" 1 3 "$(jq -nc '[range(2500) | {item: {
	path: "/data/g\(.).csv", objectId: ("b" * 40)}, changeType: "add"}]')"
fx_pr "$FX" "$REPO" 1 '{"pullRequestId":1,"status":"active",
	"title":"Update Q3 sales data","sourceRefName":"refs/heads/mytopic",
	"targetRefName":"refs/heads/main"}'
# pull request 2 exists, but has no pr.json and no iterations yet
mkdir -p "$(fx_pr_dir "$FX" "$REPO" 2)"

REPO_LC=$(fx_lower "$REPO")

# projects for the project and service-hook routes
PROJ_ID=6ce954b1-ce1f-45d1-b94d-e6bf2464ba2c
PROJ2_ID=0d2a7e3b-5c4f-4a1e-9b8d-7c6e5f4a3b2c
printf '%s\n' "[{\"id\":\"$PROJ_ID\",\"name\":\"Fabrikam Project\"},
	{\"id\":\"$(echo "$PROJ2_ID" | tr 'a-f' 'A-F')\",\"name\":\"Data\",
	\"description\":\"Data sets\",\"visibility\":\"public\"}]" \
	>"$FX/projects.json"

# ---- tests ----

t_start() {
	fx_start "$BUILD" "$FX" "$ORG" "$WORK/pat" "$WORK" &&
	case $FX_PORT in
	'' | *[!0-9]*) false ;;
	*) [ "$FX_PORT" -gt 0 ] ;;
	esac &&
	grep -q "^fake-ado: listening on 127.0.0.1:$FX_PORT\$" \
		"$WORK/fake-ado.stderr"
}
run "start: port file and 'listening on' line" t_start
if [ -z "$FX_PID" ]; then
	echo "fake-ado: $passed passed, $((failed + 1)) failed"
	exit 1
fi
B=$FX_ORG_URL/Fabrikam%20Project/_apis/git/repositories/$REPO
BP=$B/pullRequests/1
V=api-version=7.1

t_fixture_blob_id() {
	[ "$NEW" = "$(git hash-object --no-filters "$WORK/new.csv" 2>/dev/null ||
		echo "$NEW")" ] &&
	[ "$(printf 'blob 0\000' | sha1sum | cut -c1-40)" = \
		e69de29bb2d1d6434b8b29ae775ad8c2e48c5391 ] &&
	: >"$WORK/empty" &&
	[ "$(fx_blob_id "$WORK/empty")" = \
		e69de29bb2d1d6434b8b29ae775ad8c2e48c5391 ] &&
	cmp -s "$FX/blobs/$NEW" "$WORK/new.csv"
}
run "fixture.sh: fx_blob stores blobs under their git blob id" \
	t_fixture_blob_id

t_fixture_change() {
	fx_change "edit, rename" /b.csv "$NEW" "$OLD" /a.csv >"$WORK/body" &&
	jqt '.changeType == "edit, rename" and .item.path == "/b.csv" and
		.item.originalObjectId != null and .originalPath == "/a.csv"' &&
	fx_change delete /gone.csv "" "$OLD" >"$WORK/body" &&
	jqt '(.item | has("objectId") | not) and
		(has("originalPath") | not)'
}
run "fixture.sh: fx_change shapes edit/rename and delete entries" \
	t_fixture_change

t_auth_missing() {
	req GET "$BP/iterations?$V" &&
	ado_error 401 UnauthorizedRequestException &&
	jqt '.message == "TF400813: The user '"''"' is not authorized to access this resource."' &&
	hdr '^WWW-Authenticate: Basic realm="https://fake-ado/"$'
}
run "auth: no credentials -> 401 TF400813 + WWW-Authenticate" t_auth_missing

t_auth_wrong() {
	req GET "$BP/iterations?$V" -u ":not-the-pat" &&
	ado_error 401 UnauthorizedRequestException &&
	hdr '^WWW-Authenticate: Basic realm=' &&
	req GET "$BP/iterations?$V" -H 'Authorization: Bearer x' &&
	status_is 401 &&
	req GET "$BP/iterations?$V" -u ":${PAT}x" &&
	status_is 401
}
run "auth: wrong PAT or scheme -> 401" t_auth_wrong

t_auth_any_user() {
	areq GET "$BP/iterations?$V" && status_is 200 &&
	req GET "$BP/iterations?$V" -u "whoever:$PAT" && status_is 200
}
run "auth: any user name with the PAT (file newline trimmed) -> 200" \
	t_auth_any_user

t_version_missing() {
	areq GET "$BP/iterations" &&
	ado_error 400 VssVersionNotSpecifiedException &&
	jqt '.message | startswith("No api-version was supplied for the \"GET\" request.")' &&
	ajson POST "$BP/threads" '{}' &&
	jqt '.message | startswith("No api-version was supplied for the \"POST\" request.")'
}
run "api-version: missing -> 400 VssVersionNotSpecifiedException" \
	t_version_missing

t_version_accept() {
	areq GET "$BP/iterations" -H 'Accept: application/json;api-version=7.1' &&
	status_is 200 &&
	hdr '^Content-Type: application/json; charset=utf-8; api-version=7.1$' &&
	areq GET "$BP/iterations" -H 'Accept: application/json; api-version=7.0' &&
	status_is 200
}
run "api-version: in the Accept header -> 200" t_version_accept

t_version_bad() {
	areq GET "$BP/iterations?api-version=6.0" &&
	ado_error 400 VssVersionOutOfRangeException &&
	areq GET "$BP/iterations?api-version=7.2-preview.1" &&
	status_is 400 &&
	areq GET "$BP/iterations?api-version=7.1-preview.1" &&
	status_is 200 &&
	areq GET "$BP/iterations?api-version=7.0-preview.2" &&
	status_is 200 &&
	areq GET "$BP/iterations?api-version=7.1-previewx" &&
	status_is 400
}
run "api-version: only 7.0, 7.1 and their -preview* accepted" t_version_bad

t_org() {
	areq GET "$FX_URL/Contoso/p/_apis/git/repositories/$REPO/pullRequests/1/iterations?$V" &&
	status_is 404 && jqt '.["$id"] == "1" and (.message | type == "string")' &&
	areq GET "$FX_URL/FABRIKAM/p/_apis/git/repositories/$REPO/pullRequests/1/iterations?$V" &&
	status_is 200 &&
	areq GET "$FX_ORG_URL/_apis/git/repositories/$REPO_LC/pullRequests/1/iterations?$V" &&
	status_is 200
}
run "routing: other organization -> 404; org, repo id any case; no project" \
	t_org

t_routes() {
	areq GET "$B/commits?$V" && ado_error 404 VssResourceNotFoundException &&
	areq GET "$FX_ORG_URL/p/_apis/git/repositories/nosuchrepo/pullRequests/1/iterations?$V" &&
	ado_error 404 GitRepositoryNotFoundException &&
	jqt '.message | startswith("TF401019:")' &&
	areq DELETE "$BP/threads?$V" && ado_error 405 VssMethodNotAllowedException &&
	hdr '^Allow: GET, POST$' &&
	areq PUT "$B/blobs/$NEW?$V" && status_is 405
}
run "routing: unknown route 404, unknown repo 404, wrong method 405" \
	t_routes

t_iterations() {
	areq GET "$BP/iterations?$V" && status_is 200 &&
	jqt '.count == 1 and (.value | length) == 1 and .value[0].id == 1 and
		.value[0].sourceRefCommit.commitId == "53d54ac915144006c2c9e90d2c7d3880920db49c" and
		.value[0].commonRefCommit.commitId != null' &&
	areq GET "$B/pullRequests/2/iterations?$V" && status_is 200 &&
	jqt '.count == 0 and .value == []'
}
run "iterations: {count, value} from iterations.json" t_iterations

t_iterations_live() {
	fx_iterations "$FX" "$REPO" 1 "[$(fx_iteration 1 a b c),$(fx_iteration 2 d b c)]" &&
	areq GET "$BP/iterations?$V" && status_is 200 &&
	jqt '.count == 2 and .value[1].id == 2 and .value[1].reason == "push"'
}
run "iterations: fixtures are re-read (a push while running)" \
	t_iterations_live

t_pr_missing() {
	areq GET "$B/pullRequests/99/iterations?$V" &&
	ado_error 404 GitPullRequestNotFoundException &&
	jqt '.message == "TF401180: The requested pull request was not found."' &&
	areq GET "$B/pullRequests/99/threads?$V" && status_is 404
}
run "pull request without a fixture -> 404 TF401180" t_pr_missing

t_pr() {
	areq GET "$BP?$V" && status_is 200 &&
	jqt '.pullRequestId == 1 and .title == "Update Q3 sales data"' &&
	areq GET "$B/pullRequests/2?$V" && ado_error 404 GitPullRequestNotFoundException
}
run "pull request: pr.json, or 404 without it" t_pr

t_changes_small() {
	areq GET "$BP/iterations/1/changes?$V" && status_is 200 &&
	jqt "(.changeEntries | length) == 2 and .nextSkip == 0 and
		.nextTop == 0 and .changeEntries[0].changeTrackingId == 1 and
		.changeEntries[0].item.objectId == \"$NEW\" and
		.changeEntries[0].item.originalObjectId == \"$OLD\" and
		.changeEntries[0].changeType == \"edit\""
}
run "changes: {changeEntries, nextSkip 0, nextTop 0}" t_changes_small

t_changes_paged() {
	areq GET "$BP/iterations/2/changes?\$top=100&\$skip=0&$V" && status_is 200 &&
	jqt '(.changeEntries | length) == 100 and .nextSkip == 100 and
		.nextTop == 100 and .changeEntries[0].item.path == "/data/f0.csv"' &&
	areq GET "$BP/iterations/2/changes?%24top=100&%24skip=100&$V" &&
	status_is 200 &&
	jqt '(.changeEntries | length) == 100 and .nextSkip == 200 and
		.nextTop == 100 and .changeEntries[0].item.path == "/data/f100.csv"' &&
	areq GET "$BP/iterations/2/changes?\$top=100&\$skip=200&\$compareTo=0&$V" &&
	status_is 200 &&
	jqt '(.changeEntries | length) == 50 and .nextSkip == 0 and
		.nextTop == 0 and .changeEntries[49].item.path == "/data/f249.csv"'
}
run "changes: 250 entries with \$top=100 page as 100/100/50, nextSkip 100, 200, 0" \
	t_changes_paged

t_changes_top() {
	areq GET "$BP/iterations/2/changes?$V" && status_is 200 &&
	jqt '(.changeEntries | length) == 100 and .nextSkip == 100' &&
	areq GET "$BP/iterations/3/changes?\$top=5000&$V" && status_is 200 &&
	jqt '(.changeEntries | length) == 2000 and .nextSkip == 2000 and
		.nextTop == 2000' &&
	areq GET "$BP/iterations/2/changes?\$top=ten&$V" && ado_error 400 ArgumentException &&
	areq GET "$BP/iterations/2/changes?\$skip=-1&$V" && status_is 400 &&
	areq GET "$BP/iterations/9/changes?$V" && status_is 404
}
run "changes: \$top defaults to 100, clamps at 2000; bad \$top 400; no iteration 404" \
	t_changes_top

t_changes_compare() {
	fx_changes "$FX" "$REPO" 1 2 "[$(fx_change edit /data/only-delta.csv "$NEW" "$OLD")]" 1 &&
	areq GET "$BP/iterations/2/changes?\$compareTo=1&$V" && status_is 200 &&
	jqt '(.changeEntries | length) == 1 and
		.changeEntries[0].item.path == "/data/only-delta.csv"'
}
run "changes: \$compareTo=N reads changes/<it>-<N>.json" t_changes_compare

t_blob_raw() {
	areq GET "$B/blobs/$NEW?\$format=octetstream&$V" && status_is 200 &&
	hdr '^Content-Type: application/octet-stream$' &&
	cmp -s "$WORK/body" "$WORK/new.csv" &&
	areq GET "$B/blobs/$BIN?%24format=octetStream&$V" && status_is 200 &&
	cmp -s "$WORK/body" "$WORK/binary.bin" &&
	areq GET "$B/blobs/$(echo "$OLD" | tr a-f A-F)" \
		-H 'Accept: application/octet-stream;api-version=7.1' &&
	status_is 200 && cmp -s "$WORK/body" "$WORK/old.csv"
}
run "blobs: raw bytes with \$format=octetstream/octetStream or Accept" \
	t_blob_raw

t_blob_meta() {
	areq GET "$B/blobs/$NEW?$V" && status_is 200 &&
	hdr '^Content-Type: application/json' &&
	jqt ".objectId == \"$NEW\" and .size == $(wc -c <"$WORK/new.csv") and
		(.url | endswith(\"/blobs/$NEW\"))" &&
	areq GET "$B/blobs/$NEW?\$format=json&$V" -H 'Accept: application/octet-stream' &&
	status_is 200 && jqt ".objectId == \"$NEW\""
}
run "blobs: JSON metadata {objectId, size, url} otherwise" t_blob_meta

t_blob_missing() {
	areq GET "$B/blobs/0123456789012345678901234567890123456789?\$format=octetstream&$V" &&
	ado_error 404 GitItemNotFoundException &&
	jqt '.message | startswith("TF401174:")' &&
	areq GET "$B/blobs/nothex?$V" && status_is 400
}
run "blobs: unknown blob -> 404 TF401174; bad id -> 400" t_blob_missing

t_blob_huge() {
	_size=$(curl -sS -o /dev/null -w '%{size_download}' --max-time 120 \
		-u ":$PAT" "$B/blobs/$HUGE?\$format=octetstream&$V") &&
	[ "$_size" = 268435456 ] &&
	_hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$FX_PID/status") &&
	[ -n "$_hwm" ] && [ "$_hwm" -lt 131072 ]
}
run "blobs: a 256 MiB blob streams from the file (peak RSS < 128 MiB)" \
	t_blob_huge

t_threads_seeded() {
	areq GET "$BP/threads?$V" && status_is 200 &&
	jqt '.count == 1 and .value[0].id == 1 and
		.value[0].comments[0].commentType == "system" and
		.value[0].properties.CodeReviewThreadType["$type"] == "System.String" and
		.value[0].properties.CodeReviewThreadType["$value"] == "ReviewersUpdate" and
		.value[0].isDeleted == false and (.value[0]._links.self.href | type == "string")'
}
run "threads: every PR starts with one system ReviewersUpdate thread" \
	t_threads_seeded

THREAD_BODY='{"comments":[{"parentCommentId":0,"content":"## Data diff\n| a | b |","commentType":"text"}],
	"status":"active","properties":{
	"Microsoft.TeamFoundation.Discussion.SupportsMarkdown":{"type":"System.Int32","value":1},
	"DataDiff.ReportKey":{"$type":"System.String","$value":"datadiff:v1"}}}'

t_thread_create() {
	ajson POST "$BP/threads?$V" "$THREAD_BODY" && status_is 200 &&
	jqt '.id == 2 and .status == "active" and .isDeleted == false and
		(.publishedDate | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T.*Z$")) and
		(.lastUpdatedDate | type == "string") and
		.comments[0].id == 1 and .comments[0].parentCommentId == 0 and
		.comments[0].content == "## Data diff\n| a | b |" and
		.comments[0].commentType == "text" and
		.comments[0].isDeleted == false and
		(.comments[0].author | (.id | type == "string") and
			(.displayName | type == "string") and
			(.uniqueName | type == "string")) and
		(.comments[0] | has("publishedDate") and has("lastUpdatedDate") and
			has("lastContentUpdatedDate")) and
		.properties["Microsoft.TeamFoundation.Discussion.SupportsMarkdown"] ==
			{"$type": "System.Int32", "$value": 1} and
		.properties["DataDiff.ReportKey"] ==
			{"$type": "System.String", "$value": "datadiff:v1"} and
		(._links.self.href | endswith("/pullRequests/1/threads/2"))' &&
	ajson POST "$BP/threads?$V" \
		'{"comments":[{"content":"two","commentType":1}],"status":4}' &&
	status_is 200 &&
	jqt '.id == 3 and .status == "closed" and .comments[0].commentType == "text"'
}
run "threads: create (write-form properties come back in read form)" \
	t_thread_create

t_thread_list() {
	areq GET "$BP/threads?$V" && status_is 200 &&
	jqt '.count == 3 and ([.value[].id] == [1, 2, 3])' &&
	fx_threads "$REPO" 1 >"$WORK/body" &&
	jqt 'type == "array" and length == 3 and .[0].comments[0].commentType == "system" and
		.[1].properties["DataDiff.ReportKey"]["$value"] == "datadiff:v1"' &&
	areq GET "$BP/threads/2?$V" && status_is 200 && jqt '.id == 2'
}
run "threads: list and /_fake/threads show the system thread and ours" \
	t_thread_list

t_thread_bad() {
	ajson POST "$BP/threads?$V" '{"comments":[]}' && ado_error 400 ArgumentException &&
	ajson POST "$BP/threads?$V" '{"status":"active"}' && status_is 400 &&
	ajson POST "$BP/threads?$V" 'not json' && ado_error 400 ArgumentNullException &&
	ajson POST "$BP/threads?$V" '{"comments":[{"content":"x"}],"status":"bogus"}' &&
	status_is 400 &&
	ajson POST "$BP/threads?$V" '{"comments":[{"content":"x"}],"properties":[1]}' &&
	status_is 400 &&
	fx_threads "$REPO" 1 >"$WORK/body" && jqt 'length == 3'
}
run "threads: no comments, bad JSON, bad status or properties -> 400, nothing stored" \
	t_thread_bad

# long_body FILE N CHAR: a thread body whose comment is N times CHAR
long_body() {
	yes "$3" | head -n "$2" | tr -d '\n' >"$WORK/content" &&
	jq -n --rawfile c "$WORK/content" '{comments: [{content: $c}]}' >"$1"
}

t_comment_limit() {
	long_body "$WORK/over.json" 150001 x &&
	areq POST "$BP/threads?$V" -H 'Content-Type: application/json' \
		--data-binary "@$WORK/over.json" &&
	ado_error 400 ArgumentException &&
	jqt '.message == "A discussion comment cannot be longer than 150000 characters.\r\nParameter name: comment.Content"' &&
	long_body "$WORK/max.json" 150000 x &&
	areq POST "$BP/threads?$V" -H 'Content-Type: application/json' \
		--data-binary "@$WORK/max.json" &&
	status_is 200 && jqt '.id == 4 and (.comments[0].content | length) == 150000' &&
	long_body "$WORK/accents.json" 150000 'é' &&
	areq POST "$BP/threads?$V" -H 'Content-Type: application/json' \
		--data-binary "@$WORK/accents.json" &&
	status_is 200 && jqt '.id == 5'
}
run "threads: 150,000 characters (not bytes) pass, 150,001 -> 400 exact message" \
	t_comment_limit

t_comment_patch() {
	ajson PATCH "$BP/threads/2/comments/1?$V" '{"content":"## Data diff v2"}' &&
	status_is 200 &&
	jqt '.id == 1 and .content == "## Data diff v2" and
		(.lastContentUpdatedDate | type == "string")' &&
	areq GET "$BP/threads/2?$V" && status_is 200 &&
	jqt '.comments[0].content == "## Data diff v2"' &&
	long_body "$WORK/patch.json" 150001 y &&
	jq '{content: .comments[0].content}' "$WORK/patch.json" >"$WORK/patch2.json" &&
	areq PATCH "$BP/threads/2/comments/1?$V" -H 'Content-Type: application/json' \
		--data-binary "@$WORK/patch2.json" &&
	ado_error 400 ArgumentException &&
	jqt '.message | startswith("A discussion comment cannot be longer than 150000 characters.")' &&
	areq GET "$BP/threads/2/comments/1?$V" && jqt '.content == "## Data diff v2"'
}
run "comments: PATCH updates content; over the limit -> 400, unchanged" \
	t_comment_patch

t_comment_missing() {
	ajson PATCH "$BP/threads/77/comments/1?$V" '{"content":"x"}' &&
	ado_error 404 DiscussionThreadNotFoundException &&
	ajson PATCH "$BP/threads/2/comments/9?$V" '{"content":"x"}' &&
	ado_error 404 DiscussionCommentNotFoundException
}
run "comments: unknown thread or comment -> 404" t_comment_missing

t_thread_patch() {
	ajson PATCH "$BP/threads/2?$V" '{"status":"closed"}' && status_is 200 &&
	jqt '.id == 2 and .status == "closed" and
		.properties["DataDiff.ReportKey"]["$value"] == "datadiff:v1"' &&
	fx_threads "$REPO" 1 >"$WORK/body" &&
	jqt '.[1].status == "closed"' &&
	ajson PATCH "$BP/threads/2?$V" '{"status":"nonsense"}' && status_is 400 &&
	ajson PATCH "$BP/threads/42?$V" '{"status":"closed"}' && status_is 404
}
run "threads: PATCH status" t_thread_patch

t_statuses() {
	ajson POST "$BP/statuses?$V" '{"state":"pending","description":"Data diff running",
		"context":{"name":"data-diff","genre":"datadiffd"},"iterationId":1}' &&
	status_is 200 &&
	jqt '.id == 1 and .state == "pending" and .context.name == "data-diff" and
		.context.genre == "datadiffd" and .iterationId == 1 and
		(.creationDate | type == "string") and (.updatedDate | type == "string") and
		(.createdBy.id | type == "string")' &&
	ajson POST "$BP/statuses?$V" '{"state":"succeeded","context":{"name":"data-diff","genre":"datadiffd"},
		"targetUrl":"https://example.com/r/1"}' &&
	status_is 200 && jqt '.id == 2 and .state == "succeeded"' &&
	areq GET "$BP/statuses?$V" && status_is 200 &&
	jqt '.count == 2 and ([.value[].state] == ["pending", "succeeded"])' &&
	fx_statuses "$REPO" 1 >"$WORK/body" &&
	jqt 'length == 2 and .[1].targetUrl == "https://example.com/r/1"'
}
run "statuses: POST stores id/dates/createdBy; GET and /_fake/statuses list" \
	t_statuses

t_statuses_bad() {
	ajson POST "$BP/statuses?$V" '{"state":"done","context":{"name":"data-diff"}}' &&
	ado_error 400 ArgumentException &&
	ajson POST "$BP/statuses?$V" '{"state":2,"context":{"name":"data-diff"}}' &&
	status_is 400 &&
	ajson POST "$BP/statuses?$V" '{"context":{"name":"data-diff"}}' &&
	status_is 400 &&
	ajson POST "$BP/statuses?$V" '{"state":"failed","context":{"genre":"x"}}' &&
	ado_error 400 ArgumentNullException &&
	fx_statuses "$REPO" 1 >"$WORK/body" && jqt 'length == 2'
}
run "statuses: bad or missing state, missing context.name -> 400" \
	t_statuses_bad

t_projects() {
	areq GET "$FX_ORG_URL/_apis/projects/Fabrikam%20Project?$V" &&
	status_is 200 &&
	hdr '^Content-Type: application/json; charset=utf-8; api-version=7.1$' &&
	jqt ".id == \"$PROJ_ID\" and .name == \"Fabrikam Project\" and
		.state == \"wellFormed\" and .visibility == \"private\" and
		(.revision | type == \"number\") and
		(.url | endswith(\"/$ORG/_apis/projects/$PROJ_ID\")) and
		(._links.web.href | endswith(\"/Fabrikam%20Project\")) and
		(has(\"description\") | not)" &&
	areq GET "$FX_ORG_URL/_apis/Projects/fabrikam%20PROJECT?$V" &&
	status_is 200 && jqt ".id == \"$PROJ_ID\"" &&
	areq GET "$FX_ORG_URL/_apis/projects/$(echo "$PROJ_ID" | tr a-f A-F)?$V" &&
	status_is 200 && jqt ".name == \"Fabrikam Project\"" &&
	areq GET "$FX_ORG_URL/_apis/projects/$PROJ2_ID?$V" && status_is 200 &&
	jqt ".id == \"$PROJ2_ID\" and .name == \"Data\" and
		.description == \"Data sets\" and .visibility == \"public\"" &&
	areq GET "$FX_ORG_URL/_apis/projects?$V" && status_is 200 &&
	jqt '.count == 2 and ([.value[].name] == ["Fabrikam Project", "Data"])'
}
run "projects: GET by name (any case) or id; list" t_projects

t_projects_missing() {
	areq GET "$FX_ORG_URL/_apis/projects/Nope?$V" &&
	ado_error 404 ProjectDoesNotExistWithNameException &&
	jqt '.message | startswith("TF200016: The following project does not exist: Nope.")' &&
	areq GET "$FX_ORG_URL/_apis/projects/11111111-2222-4333-8444-555555555555?$V" &&
	ado_error 404 ProjectDoesNotExistException &&
	req GET "$FX_ORG_URL/_apis/projects/Data?$V" &&
	ado_error 401 UnauthorizedRequestException &&
	areq GET "$FX_ORG_URL/_apis/projects/Data" &&
	ado_error 400 VssVersionNotSpecifiedException &&
	areq POST "$FX_ORG_URL/_apis/projects/Data?$V" && status_is 405 &&
	areq GET "$FX_ORG_URL/_apis/projects/Data/teams/x?$V" && status_is 404
}
run "projects: unknown -> 404 TF200016; PAT, api-version, method checked" \
	t_projects_missing

HOOKS=$FX_ORG_URL/_apis/hooks/subscriptions
HOOK_PW='s3cret "pw" \\ x'

# sub_body [JQ FILTER]: the subscription of ado-reference 8, edited
sub_body() {
	jq -nc --arg p "$PROJ_ID" --arg pw "$HOOK_PW" '{
		publisherId: "tfs", eventType: "git.pullrequest.updated",
		resourceVersion: "1.0", consumerId: "webHooks",
		consumerActionId: "httpRequest",
		publisherInputs: {projectId: $p,
			repository: "4bc14d40-c903-45e2-872e-0462c7748079",
			notificationType: "PushNotification"},
		consumerInputs: {url: "https://datadiff.example.com/hooks/azure-devops",
			basicAuthUsername: "ado", basicAuthPassword: $pw,
			resourceDetailsToSend: "all", messagesToSend: "text",
			detailedMessagesToSend: "none"}} | '"${1:-.}"
}

is_guid='test("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")'

t_hooks_create() {
	ajson POST "$HOOKS?$V" "$(sub_body)" && status_is 200 &&
	jqt "(.id | $is_guid) and .status == \"enabled\" and
		.publisherId == \"tfs\" and
		.eventType == \"git.pullrequest.updated\" and
		.resourceVersion == \"1.0\" and .consumerId == \"webHooks\" and
		.consumerActionId == \"httpRequest\" and
		(.url | endswith(\"/_apis/hooks/subscriptions/\" + \$id)) and
		(.createdDate | test(\"^[0-9]{4}-[0-9]{2}-[0-9]{2}T.*Z\$\")) and
		(.createdBy.id | type == \"string\") and
		(.actionDescription == \"To host datadiff.example.com\") and
		(.eventDescription | type == \"string\") and
		(.publisherInputs.tfsSubscriptionId | $is_guid) and
		(.publisherInputs | del(.tfsSubscriptionId)) == {
			projectId: \"$PROJ_ID\",
			repository: \"4bc14d40-c903-45e2-872e-0462c7748079\",
			notificationType: \"PushNotification\"} and
		.consumerInputs == {
			url: \"https://datadiff.example.com/hooks/azure-devops\",
			basicAuthUsername: \"ado\", basicAuthPassword: \"********\",
			resourceDetailsToSend: \"all\", messagesToSend: \"text\",
			detailedMessagesToSend: \"none\"} and
		(._links.self.href == .url)" --arg id "$(jq -r .id "$WORK/body")" &&
	SUB_ID=$(jq -r .id "$WORK/body") &&
	ajson POST "$HOOKS?$V" "$(sub_body '.eventType = "git.pullrequest.created" |
		del(.publisherInputs.notificationType, .resourceVersion) |
		.consumerInputs.url = "http://127.0.0.1:9/hooks"')" &&
	status_is 200 && jqt '.resourceVersion == "latest" and
		.actionDescription == "To host 127.0.0.1"'
}
run "hooks: POST stores the subscription; id, status, tfsSubscriptionId added, password masked" \
	t_hooks_create

t_hooks_list() {
	areq GET "$HOOKS?$V" && status_is 200 &&
	jqt '.count == 2 and (.value | length) == 2 and
		all(.value[]; .consumerInputs.basicAuthPassword == "********")' &&
	areq GET "$HOOKS?publisherId=tfs&eventType=git.pullrequest.updated&consumerId=webHooks&consumerActionId=httpRequest&$V" &&
	status_is 200 && jqt '.count == 1 and .value[0].id == $id' --arg id "$SUB_ID" &&
	areq GET "$HOOKS?eventType=GIT.pullrequest.CREATED&$V" &&
	jqt '.count == 1 and .value[0].eventType == "git.pullrequest.created"' &&
	areq GET "$HOOKS?consumerId=slack&$V" && jqt '.count == 0 and .value == []' &&
	areq GET "$HOOKS/$SUB_ID?$V" && status_is 200 &&
	jqt '.id == $id and .consumerInputs.basicAuthPassword == "********"' \
		--arg id "$SUB_ID"
}
run "hooks: GET lists (filtered by publisherId/eventType/consumer*) and gets, masked" \
	t_hooks_list

t_hooks_control() {
	req GET "$FX_CONTROL/subscriptions" && status_is 200 &&
	jqt 'length == 2 and .[0].id == $id and
		.[0].consumerInputs.basicAuthPassword == $pw and
		.[1].consumerInputs.basicAuthPassword == $pw' \
		--arg id "$SUB_ID" --arg pw "$HOOK_PW"
}
run "control: /_fake/subscriptions shows the passwords as sent" t_hooks_control

# bad_sub STATUS TYPEKEY JQ_FILTER: POST an edited subscription, expect an error
bad_sub() {
	ajson POST "$HOOKS?$V" "$(sub_body "$3")" && ado_error "$1" "$2"
}

t_hooks_bad() {
	bad_sub 400 ArgumentException '.publisherId = "azure"' &&
	bad_sub 400 ArgumentException '.eventType = "git.pullrequest.deleted"' &&
	bad_sub 400 ArgumentException 'del(.eventType)' &&
	bad_sub 400 ArgumentException '.consumerId = "slack"' &&
	bad_sub 400 ArgumentException '.consumerActionId = "post"' &&
	bad_sub 400 ArgumentException '.resourceVersion = "one"' &&
	bad_sub 400 ArgumentNullException 'del(.publisherInputs.projectId)' &&
	bad_sub 400 ArgumentNullException 'del(.publisherInputs)' &&
	bad_sub 400 ArgumentException '.publisherInputs.projectId = "Fabrikam Project"' &&
	bad_sub 400 ArgumentException '.publisherInputs.projectId = "11111111-2222-4333-8444-555555555555"' &&
	jqt '.message | startswith("TF200016:")' &&
	bad_sub 400 ArgumentException '.publisherInputs.repository = "myrepo"' &&
	bad_sub 400 ArgumentException '.publisherInputs.notificationType = "Bogus"' &&
	bad_sub 400 ArgumentException '.eventType = "git.pullrequest.created"' &&
	jqt '.message | contains("notificationType")' &&
	bad_sub 400 ArgumentException '.publisherInputs.projectId = 42' &&
	bad_sub 400 ArgumentNullException 'del(.consumerInputs.url)' &&
	bad_sub 400 ArgumentException '.consumerInputs.url = "ftp://example.com/x"' &&
	bad_sub 400 ArgumentException '.consumerInputs.url = "https://u:p@example.com/x"' &&
	bad_sub 400 ArgumentException '.consumerInputs.url = "datadiff.example.com"' &&
	bad_sub 400 ArgumentException '.consumerInputs.url = "http://datadiff.example.com/x"' &&
	jqt '.message | startswith("Basic authentication requires an https URL")' &&
	bad_sub 400 ArgumentException '.consumerInputs.messagesToSend = "everything"' &&
	bad_sub 400 ArgumentException '.consumerInputs.resourceDetailsToSend = "some"' &&
	bad_sub 400 ArgumentException '.consumerInputs.secret = "x"' &&
	ajson POST "$HOOKS?$V" 'not json' && ado_error 400 ArgumentNullException &&
	req GET "$FX_CONTROL/subscriptions" && jqt 'length == 2'
}
run "hooks: bad publisher, event, consumer, project, filters, url, inputs -> 400, nothing stored" \
	t_hooks_bad

t_hooks_plain_http() {
	ajson POST "$HOOKS?$V" "$(sub_body '.consumerInputs.url = "http://hooks.example.com/x" |
		del(.consumerInputs.basicAuthUsername, .consumerInputs.basicAuthPassword)')" &&
	status_is 200 && _id=$(jq -r .id "$WORK/body") &&
	areq DELETE "$HOOKS/$_id?$V" && status_is 204 && [ ! -s "$WORK/body" ] &&
	! hdr '^Content-Type:'
}
run "hooks: plain http without Basic auth is accepted; DELETE -> 204, no body" \
	t_hooks_plain_http

t_hooks_delete() {
	areq DELETE "$HOOKS/$SUB_ID?$V" && status_is 204 &&
	areq DELETE "$HOOKS/$SUB_ID?$V" && ado_error 404 SubscriptionNotFoundException &&
	areq GET "$HOOKS/$SUB_ID?$V" && status_is 404 &&
	areq GET "$HOOKS?$V" && jqt '.count == 1' &&
	areq DELETE "$HOOKS?$V" && status_is 405 && hdr '^Allow: GET, POST$' &&
	areq GET "$FX_ORG_URL/_apis/hooks/consumers?$V" && status_is 404 &&
	req GET "$HOOKS?$V" && status_is 401 &&
	areq GET "$HOOKS" && status_is 400
}
run "hooks: DELETE -> 204 then 404; 405, 404, 401, 400 as for other routes" \
	t_hooks_delete

# ---- identities: connectionData, and a second PAT ----

BOT_ID=6f1c2d3e-4a5b-4c6d-8e7f-0a1b2c3d4e5f
MEMBER_ID=2f7d6a3c-9b8e-4c1d-a0f5-6e4b3c2d1a09
TFS_ID=00000002-0000-8888-8000-000000000000
MEMBER_PAT="member-pat-$$-Kp3vR"
printf '%s\n' "$MEMBER_PAT" >"$WORK/member-pat"
CD=$FX_ORG_URL/_apis/connectionData

# is_user ID NAME LOGIN: the last body is connectionData for that user
is_user() {
	jqt '.authenticatedUser.id == $id and
		.authorizedUser == .authenticatedUser and
		.authenticatedUser.providerDisplayName == $name and
		.authenticatedUser.isActive == true and
		.authenticatedUser.properties.Account ==
			{"$type": "System.String", "$value": $login} and
		(.authenticatedUser.descriptor | startswith(
			"Microsoft.IdentityModel.Claims.ClaimsIdentity;") and
			endswith("\\" + $login)) and
		(.authenticatedUser.subjectDescriptor | startswith("aad.")) and
		.authenticatedUser.resourceVersion == 2 and
		.authenticatedUser.metaTypeId == 0 and
		(.instanceId | test("^[0-9a-f-]{36}$")) and
		(.deploymentId | test("^[0-9a-f-]{36}$")) and
		.deploymentType == "hosted" and
		.locationServiceData.serviceOwner ==
			"00025394-6065-48ca-87d9-7f5672854ef7" and
		.locationServiceData.defaultAccessMappingMoniker ==
			"PublicAccessMapping"' \
		--arg id "$1" --arg name "$2" --arg login "$3"
}

t_identity_bot() {
	areq GET "$CD?api-version=7.1-preview" && status_is 200 &&
	hdr '^Content-Type: application/json; charset=utf-8; api-version=7.1-preview$' &&
	is_user "$BOT_ID" "DataDiff Bot" datadiff-bot@fake-ado.example &&
	_me=$(jq -r .authenticatedUser.id "$WORK/body") &&
	ajson POST "$BP/threads?$V" '{"comments":[{"content":"mine"}]}' &&
	status_is 200 &&
	jqt '.comments[0].author.id == $me and
		.comments[0].author.displayName == "DataDiff Bot" and
		.comments[0].author.uniqueName == "datadiff-bot@fake-ado.example"' \
		--arg me "$_me" &&
	areq GET "$BP/statuses?$V" && status_is 200 &&
	jqt '.count > 0 and all(.value[]; .createdBy.id == $me)' --arg me "$_me" &&
	areq GET "$HOOKS?$V" && status_is 200 &&
	jqt '.count > 0 and all(.value[];
		.createdBy.id == $me and .modifiedBy.id == $me)' --arg me "$_me" &&
	areq GET "$BP/threads/1?$V" &&
	jqt '.comments[0].author.id == $tfs' --arg tfs "$TFS_ID"
}
run "connectionData: the bot's id, which is the author of its comments, creator of its statuses and subscriptions" \
	t_identity_bot

t_identity_version() {
	areq GET "$CD" && status_is 200 &&
	hdr '^Content-Type: application/json; charset=utf-8$' &&
	jqt '.authenticatedUser.id == $id' --arg id "$BOT_ID" &&
	areq GET "$FX_ORG_URL/_APIS/ConnectionData/?api-version=7.1-preview.1" &&
	status_is 200 &&
	areq GET "$CD" -H 'Accept: application/json;api-version=7.1' &&
	status_is 200 &&
	areq GET "$CD?api-version=7.0-preview" && status_is 200 &&
	areq GET "$CD?api-version=6.0" && ado_error 400 VssVersionOutOfRangeException &&
	areq GET "$CD?api-version=7.2-preview" && status_is 400 &&
	areq GET "$CD?api-version=7.10" && status_is 400
}
run "connectionData: api-version optional, checked when given; path any case" \
	t_identity_version

t_identity_errors() {
	req GET "$CD" -u ":not-the-pat" && ado_error 401 UnauthorizedRequestException &&
	hdr '^WWW-Authenticate: Basic realm=' &&
	req GET "$CD?api-version=7.1-preview" && status_is 401 &&
	areq POST "$CD?api-version=7.1-preview" && ado_error 405 VssMethodNotAllowedException &&
	hdr '^Allow: GET$' &&
	areq GET "$CD/more?$V" && ado_error 404 VssResourceNotFoundException &&
	fx_faults '[{"path":"/_apis/connectionData","status":503}]' &&
	areq GET "$CD" && ado_error 503 InjectedFaultException &&
	areq GET "$CD" && status_is 200 &&
	fx_requests >"$WORK/body" &&
	jqt '[.[] | select(.path | endswith("/connectionData"))][-2:] |
		map([.auth, .status, .fault]) == [["ok", 503, true], ["ok", 200, false]]'
}
run "connectionData: wrong PAT 401, POST 405, faults and journal as for other routes" \
	t_identity_errors

t_member_refused() {
	req GET "$CD" -u ":$MEMBER_PAT" && ado_error 401 UnauthorizedRequestException &&
	req GET "$BP/threads?$V" -u ":$MEMBER_PAT" && status_is 401 &&
	fx_requests >"$WORK/body" &&
	jqt '.[-2:] | map([.auth, .status]) == [["bad", 401], ["bad", 401]]' &&
	[ -z "$FX_MEMBER_PAT_FILE" ] &&
	! fx_member_thread "$REPO" 1 '{"comments":[{"content":"x"}]}' 2>/dev/null
}
run "member: without --member-pat the member's token -> 401" t_member_refused


t_fault_503() {
	fx_faults '[{"method":"GET","path":"/iterations","status":503,"count":2}]' &&
	areq GET "$BP/iterations?$V" && ado_error 503 InjectedFaultException &&
	areq GET "$BP/iterations?$V" && status_is 503 &&
	areq GET "$BP/iterations?$V" && status_is 200 &&
	fx_requests >"$WORK/body" &&
	jqt '[.[] | select(.path | endswith("/iterations"))][-3:] |
		map([.status, .fault]) == [[503, true], [503, true], [200, false]]'
}
run "faults: 503 twice, then 200 (faulted requests recorded)" t_fault_503

t_fault_match() {
	fx_faults '[{"method":"POST","path":"/threads","status":500,"count":-1},
		{"path":"/statuses","status":502}]' &&
	areq GET "$BP/threads?$V" && status_is 200 &&
	ajson POST "$BP/threads?$V" '{"comments":[{"content":"x"}]}' && status_is 500 &&
	ajson POST "$BP/threads?$V" '{"comments":[{"content":"x"}]}' && status_is 500 &&
	areq GET "$BP/statuses?$V" && status_is 502 &&
	areq GET "$BP/statuses?$V" && status_is 200 &&
	fx_faults '[]' &&
	ajson POST "$BP/threads?$V" '{"comments":[{"content":"x"}]}' && status_is 200
}
run "faults: method filter, path substring, count -1 forever, replace all" \
	t_fault_match

t_fault_429() {
	fx_faults '[{"path":"/blobs/","status":429,"retry_after":"7","count":1}]' &&
	areq GET "$B/blobs/$NEW?$V" && ado_error 429 RequestBlockedException &&
	hdr '^Retry-After: 7$' &&
	jqt '.message | startswith("TF400733: The request has been canceled: Request was blocked due to exceeding usage of resource")' &&
	areq GET "$B/blobs/$NEW?$V" && status_is 200
}
run "faults: 429 with Retry-After and the TF400733 message" t_fault_429

t_fault_203() {
	fx_faults '[{"path":"/threads","html203":true,"count":1}]' &&
	areq GET "$BP/threads?$V" && status_is 203 &&
	hdr '^Content-Type: text/html' &&
	grep -q 'Sign In' "$WORK/body" &&
	! jqt 'true' &&
	areq GET "$BP/threads?$V" && status_is 200
}
run "faults: html203 -> 203 + an HTML sign-in page" t_fault_203

t_fault_after() {
	fx_threads "$REPO" 1 >"$WORK/before" &&
	fx_faults '[{"method":"POST","path":"/threads","status":502,"after":true}]' &&
	ajson POST "$BP/threads?$V" '{"comments":[{"content":"lost answer"}]}' &&
	status_is 502 &&
	fx_threads "$REPO" 1 >"$WORK/body" &&
	jqt "length == $(jq length "$WORK/before") + 1 and
		.[-1].comments[0].content == \"lost answer\"" &&
	req POST "$FX_CONTROL/faults" --data-binary '[{"after":true}]' &&
	status_is 400
}
run "faults: after -> carried out, then the error status" t_fault_after

t_fault_delay() {
	fx_faults '[{"path":"/iterations","delay_ms":300,"count":1}]' &&
	areq GET "$BP/iterations?$V" && status_is 200 && jqt '.count == 2' &&
	fx_requests >"$WORK/body" &&
	jqt '.[-1] | .fault == true and .status == 200'
}
run "faults: delay_ms without status delays, then serves normally" \
	t_fault_delay

t_fault_concurrent() {
	# a request held for 60 s must not hold up another one
	fx_faults '[{"path":"/statuses","delay_ms":60000,"count":1}]' &&
	{ curl -s -o /dev/null --max-time 90 -u ":$PAT" "$BP/statuses?$V" 2>/dev/null &
		BG_PID=$!; } &&
	_i=0 &&
	while ! fx_requests | jq -e 'any(.[]; (.path | endswith("/statuses")) and .status == null)' >/dev/null; do
		_i=$((_i + 1)) && [ "$_i" -lt 100 ] || return 1
		sleep 0.1
	done &&
	req GET "$BP/iterations?$V" -u ":$PAT" --max-time 20 && status_is 200
}
run "faults: a delayed answer does not block other connections" \
	t_fault_concurrent

t_fault_bad() {
	req POST "$FX_CONTROL/faults" --data-binary '{"status":503}' && status_is 400 &&
	jqt '.error | type == "string"' &&
	req POST "$FX_CONTROL/faults" --data-binary '[{"status":42}]' && status_is 400 &&
	req POST "$FX_CONTROL/faults" --data-binary '[{"count":"x"}]' && status_is 400 &&
	req GET "$FX_CONTROL/faults" && status_is 200 &&
	jqt 'length == 1 and .[0].delay_ms == 60000'
}
run "control: bad fault rules -> 400, rules kept" t_fault_bad

t_requests_log() {
	fx_requests >"$WORK/body" &&
	jqt 'type == "array" and length > 40 and
		([.[].seq] == [range(1; length + 1)]) and
		all(.[]; has("seq") and has("method") and has("path") and
			has("query") and has("auth") and has("status") and
			has("accept") and has("content_type"))' &&
	jqt 'any(.[]; .auth == "missing" and .status == 401) and
		any(.[]; .auth == "bad" and .status == 401) and
		any(.[]; .auth == "ok" and .status == 200)' &&
	jqt 'any(.[]; .method == "GET" and (.query | contains("%24top=100")))' &&
	jqt 'any(.[]; .method == "POST" and (.path | endswith("/statuses")) and
		.content_type == "application/json" and
		(.body | fromjson | .state) == "pending")' &&
	jqt 'all(.[]; if .method == "GET" then has("body") | not else true end)' &&
	jqt 'any(.[]; (.accept // "") | contains("application/octet-stream"))' &&
	_b64=$(printf ':%s' "$PAT" | base64 | tr -d '\n') &&
	! grep -qF "$PAT" "$WORK/body" && ! grep -qF "$_b64" "$WORK/body" &&
	[ -s "$WORK/fake-ado.requests.log" ] &&
	! grep -qF "$PAT" "$WORK/fake-ado.requests.log" &&
	! grep -qF "$_b64" "$WORK/fake-ado.requests.log" &&
	jq -e -s 'length > 40 and all(.[]; .status != null)' \
		"$WORK/fake-ado.requests.log" >/dev/null
}
run "control: /_fake/requests and --log record requests, never the PAT" \
	t_requests_log

t_body_limit() {
	head -c 17000000 /dev/zero | tr '\0' a >"$WORK/big" &&
	areq POST "$BP/threads?$V" --data-binary "@$WORK/big" &&
	status_is 413
}
run "requests: a body over 16 MiB -> 413" t_body_limit

t_reset() {
	req POST "$FX_CONTROL/reset" && status_is 200 &&
	fx_requests >"$WORK/body" && jqt '. == []' &&
	req GET "$FX_CONTROL/faults" && jqt '. == []' &&
	fx_threads "$REPO" 1 >"$WORK/body" &&
	jqt 'length == 1 and .[0].comments[0].commentType == "system"' &&
	fx_statuses "$REPO" 1 >"$WORK/body" && jqt '. == []' &&
	req GET "$FX_CONTROL/subscriptions" && jqt '. == []' &&
	ajson POST "$BP/threads?$V" '{"comments":[{"content":"again"}]}' &&
	status_is 200 && jqt '.id == 2' &&
	fx_requests >"$WORK/body" && jqt 'length == 1 and .[0].seq == 1'
}
run "control: /_fake/reset clears threads, statuses, subscriptions, requests, faults" \
	t_reset

t_control_errors() {
	req GET "$FX_CONTROL/threads?repo=$REPO&pr=99" && status_is 404 &&
	req GET "$FX_CONTROL/threads" && status_is 400 &&
	req GET "$FX_CONTROL/nothing" && status_is 404 &&
	req GET "$FX_CONTROL/reset" && status_is 405
}
run "control: unknown PR 404, missing args 400, unknown 404, bad method 405" \
	t_control_errors

t_sigterm() {
	fx_stop
	_rc=$?
	if [ -n "$BG_PID" ]; then
		wait "$BG_PID"
		BG_PID=
	fi
	[ "$_rc" -eq 0 ] &&
	grep -q '^fake-ado: SIGTERM, stopping$' "$WORK/fake-ado.stderr" &&
	! grep -qiE 'AddressSanitizer|LeakSanitizer|runtime error' \
		"$WORK/fake-ado.stderr"
}
# fx_stop returns fake-ado's exit status; the held request above is still
# waiting, so this also checks that delays end at shutdown
run "SIGTERM: exit status 0 (no leaks under ASan), even with a delayed request" \
	t_sigterm

# ---- a fake with a member PAT ----

mkdir -p "$WORK/m"

t_member_same_token() {
	! fx_start "$BUILD" "$FX" "$ORG" "$WORK/pat" "$WORK/m" "$WORK/pat" \
		2>/dev/null &&
	[ -z "$FX_PID" ] &&
	grep -q "holds the same token as --pat-file" "$WORK/m/fake-ado.stderr"
}
run "member: --member-pat with the --pat-file token -> refuses to start" \
	t_member_same_token

t_member_start() {
	fx_start "$BUILD" "$FX" "$ORG" "$WORK/pat" "$WORK/m" "$WORK/member-pat" &&
	[ "$FX_MEMBER_PAT_FILE" = "$WORK/member-pat" ] &&
	grep -q "^fake-ado: listening on 127.0.0.1:$FX_PORT\$" \
		"$WORK/m/fake-ado.stderr"
}
run "member: fx_start with MEMBER_PATFILE starts fake-ado --member-pat" \
	t_member_start

CD=$FX_ORG_URL/_apis/connectionData
MBP=$FX_ORG_URL/_apis/git/repositories/$REPO/pullRequests/1

# mjson METHOD URL JSON: a request with a JSON body as the member
mjson() {
	req "$1" "$2" -u ":$MEMBER_PAT" -H 'Content-Type: application/json' \
		--data-binary "$3"
}

t_member_identity() {
	req GET "$CD?api-version=7.1-preview" -u "whoever:$MEMBER_PAT" &&
	status_is 200 &&
	is_user "$MEMBER_ID" "Fake User" fake.user@fake-ado.example &&
	_cd=$(fx_member_curl -sS -f --max-time 10 "$CD") &&
	[ "$(printf '%s' "$_cd" | jq -r .authenticatedUser.id)" = "$MEMBER_ID" ] &&
	areq GET "$CD" && status_is 200 &&
	is_user "$BOT_ID" "DataDiff Bot" datadiff-bot@fake-ado.example &&
	req GET "$CD" -u ":${MEMBER_PAT}x" && status_is 401
}
run "member: connectionData names the member for its token, the bot for the PAT" \
	t_member_identity

t_member_thread() {
	fx_member_thread "$REPO" 1 "$THREAD_BODY" >"$WORK/body" &&
	jqt '.id == 2 and .comments[0].author.id == $id and
		.comments[0].author.displayName == "Fake User" and
		.comments[0].author.uniqueName == "fake.user@fake-ado.example" and
		.properties["DataDiff.ReportKey"]["$value"] == "datadiff:v1"' \
		--arg id "$MEMBER_ID" &&
	mjson POST "$MBP/threads?$V" \
		'{"comments":[{"content":"a"},{"content":"b","parentCommentId":1}]}' &&
	status_is 200 &&
	jqt '[.comments[].author.id] == [$id, $id]' --arg id "$MEMBER_ID" &&
	ajson POST "$MBP/threads?$V" "$THREAD_BODY" && status_is 200 &&
	jqt '.id == 4 and .comments[0].author.id == $id' --arg id "$BOT_ID" &&
	areq GET "$MBP/threads?$V" && status_is 200 &&
	jqt '[.value[].comments[0].author.id] == [$tfs, $m, $m, $b]' \
		--arg tfs "$TFS_ID" --arg m "$MEMBER_ID" --arg b "$BOT_ID"
}
run "member: threads it creates carry it as author; the bot's stay the bot's" \
	t_member_thread

t_member_status_hook() {
	mjson POST "$MBP/statuses?$V" '{"state":"succeeded","context":{"name":"ci"}}' &&
	status_is 200 &&
	jqt '.createdBy.id == $id and .createdBy.displayName == "Fake User"' \
		--arg id "$MEMBER_ID" &&
	ajson POST "$MBP/statuses?$V" '{"state":"pending","context":{"name":"data-diff"}}' &&
	status_is 200 && jqt '.createdBy.id == $id' --arg id "$BOT_ID" &&
	mjson POST "$FX_ORG_URL/_apis/hooks/subscriptions?$V" "$(sub_body)" &&
	status_is 200 &&
	jqt '.createdBy.id == $id and .modifiedBy.id == $id' --arg id "$MEMBER_ID"
}
run "member: statuses and subscriptions it creates carry it as createdBy" \
	t_member_status_hook

t_member_journal() {
	fx_requests >"$WORK/body" &&
	jqt 'any(.[]; .auth == "member" and .status == 200 and
			(.path | endswith("/connectionData"))) and
		any(.[]; .auth == "member" and .method == "POST" and
			(.path | endswith("/threads"))) and
		any(.[]; .auth == "ok" and .status == 200) and
		any(.[]; .auth == "bad" and .status == 401) and
		([.[] | select(.auth == "member")] | length) == 6' &&
	_b64=$(printf ':%s' "$MEMBER_PAT" | base64 | tr -d '\n') &&
	! grep -qF "$MEMBER_PAT" "$WORK/body" && ! grep -qF "$_b64" "$WORK/body" &&
	! grep -qF "$MEMBER_PAT" "$WORK/m/fake-ado.requests.log" &&
	! grep -qF "$_b64" "$WORK/m/fake-ado.requests.log"
}
run "member: the journal says auth \"member\", never the member's token" \
	t_member_journal

t_member_sigterm() {
	fx_stop &&
	! grep -qiE 'AddressSanitizer|LeakSanitizer|runtime error' \
		"$WORK/m/fake-ado.stderr"
}
run "member: SIGTERM, exit status 0" t_member_sigterm


echo "fake-ado: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
