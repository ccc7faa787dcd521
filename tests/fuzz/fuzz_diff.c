/*
 * fuzz_diff: two tables split from one input -> diff_run -> the renderers
 * (JSON, Markdown, text, and the pull-request report).
 *
 * Layout: byte 0 = options (bit 0: explicit key on the first old column,
 * bit 1: tolerance, bit 2: ignore the second column, bits 3-4: delimiter),
 * byte 1 = where to split the rest, as a fraction of its length. The JSON
 * rendering must parse; Markdown and text must stay within a bound linear
 * in the input; no escaped Markdown cell may carry raw HTML or a mention.
 * The pull-request report must keep within its limit (taken from byte 1)
 * and carry a digest that prreport_digest reads back.
 */
#include <assert.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "fuzz.h"
#include "csv.h"
#include "diff.h"
#include "prreport.h"
#include "report.h"
#include "strbuf.h"
#include "banned.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char delims[] = ",\t|;";
	struct diff_table t[2];
	struct diff_options o;
	struct diff_error err;
	struct diff_result *res;
	struct strbuf sb;
	struct prreport pr;
	struct prreport_file f;
	char digest[PRREPORT_DIGEST_LEN + 1];
	const char *body;
	size_t max;
	const char *key[1] = {NULL};
	const char *ignore[1] = {NULL};
	char first[64];
	size_t rest, cut, bound;
	cJSON *j;

	if (size < 2 || size > (1 << 20))
		return 0;
	rest = size - 2;
	cut = rest * data[1] / 255;
	t[0].path = "old.csv";
	t[0].buf = (const char *)data + 2;
	t[0].len = cut;
	t[1].path = "new.csv";
	t[1].buf = (const char *)data + 2 + cut;
	t[1].len = rest - cut;
	t[0].delim = t[1].delim = delims[(data[0] >> 3) % 4];

	diff_options_init(&o);
	o.samples = 3;
	if (data[0] & 1) {
		/* the old file's first field, up to the delimiter or line break */
		size_t n = 0;

		while (n < cut && n < sizeof(first) - 1 &&
		    t[0].buf[n] != t[0].delim && t[0].buf[n] != '\n' &&
		    t[0].buf[n] != '\r' && t[0].buf[n] != '"')
			n++;
		memcpy(first, t[0].buf, n);
		first[n] = '\0';
		if (n) {
			key[0] = first;
			o.key = key;
			o.nkey = 1;
			o.key_source = DIFF_KEY_OPTION;
		}
	}
	if (data[0] & 2)
		o.tolerance = 0.5;
	if (data[0] & 4) {
		ignore[0] = "b";
		o.ignore = ignore;
		o.nignore = 1;
	}
	res = diff_run(&t[0], &t[1], &o, &err);
	if (!res) {
		assert(err.msg[0] != '\0');
		return 0;
	}
	assert(
	    res->ns_added <= 3 && res->ns_removed <= 3 && res->ns_changed <= 3);
	if (res->nkey)
		assert(res->unchanged + res->changed + res->removed +
			res->dup_old + res->null_old ==
		    res->old.rows);
	bound = 64 * size + 65536;
	strbuf_init(&sb, 1u << 26);
	assert(report_json(&sb, res) == 0);
	j = cJSON_ParseWithLength(sb.buf, sb.len);
	assert(j);
	cJSON_Delete(j);
	strbuf_reset(&sb);
	assert(report_markdown(&sb, res, "f.csv", REPORT_DETAIL_FULL) == 0);
	assert(sb.len <= bound);
	assert(!memchr(sb.buf, '<', sb.len) && !memchr(sb.buf, '@', sb.len));
	strbuf_reset(&sb);
	assert(report_text(&sb, res) == 0);
	assert(sb.len <= bound);
	for (size_t i = 0; i < sb.len; i++)
		assert((unsigned char)sb.buf[i] >= 0x20 || sb.buf[i] == '\n');

	memset(&f, 0, sizeof(f));
	f.path = "data/f.csv";
	f.kind = PRREPORT_EDIT;
	f.res = res;
	memset(&pr, 0, sizeof(pr));
	pr.source_ref = "refs/heads/topic";
	pr.target_ref = "refs/heads/main";
	pr.base_commit = pr.head_commit = ""; /* no "<(git show" hint */
	pr.iteration = 1;
	pr.files = &f;
	pr.nfiles = 1;
	pr.footer = "datadiffd";
	max = 1500 + 600u * data[1];
	strbuf_reset(&sb);
	if (prreport_render(&sb, &pr, max) == 0) {
		assert(sb.len <= max);
		assert(strncmp(sb.buf, PRREPORT_MARKER "\n",
			   sizeof(PRREPORT_MARKER)) == 0);
		assert(prreport_digest(sb.buf, sb.len, digest) == 0);
		/* past the two hidden comments, no HTML and no mention */
		body = strstr(sb.buf, " -->\n### ");
		assert(body);
		assert(!strpbrk(body + 5, "<@"));
	}
	strbuf_release(&sb);
	diff_result_free(res);
	return 0;
}
