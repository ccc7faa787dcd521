/*
 * datadiff: compare two delimited data files by key (design.md 5.1).
 *
 * Regular files are mapped; anything else (a pipe, process substitution
 * such as <(git show main:data.csv)) is read into memory.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bounds.h"
#include "csv.h"
#include "diff.h"
#include "mapfile.h"
#include "parallel.h"
#include "report.h"
#include "seed.h"
#include "strbuf.h"
#include "xmalloc.h"
#include "banned.h"

#define EXIT_SAME  0
#define EXIT_DIFF  1
#define EXIT_ERROR 2

#ifndef DATADIFF_VERSION
#define DATADIFF_VERSION "0.1.0"
#endif

/* bytes read from a file that cannot be mapped */
#define READ_MAX ((size_t)1 << 36)

static void
usage(FILE *f)
{
	fputs("usage: datadiff [options] OLD NEW\n"
	      "Compare two CSV/TSV files row by row, by primary key.\n\n"
	      "  -k, --key COLS         key column(s), comma-separated "
	      "(default: auto)\n"
	      "  -f, --format FMT       text (default on a terminal) | json "
	      "| markdown\n"
	      "  -d, --delimiter C      field delimiter (default: by "
	      "extension, else ',')\n"
	      "  -i, --ignore COLS      columns to leave out of the "
	      "comparison\n"
	      "  -t, --tolerance X      numbers equal when |a-b| <= X "
	      "(default 0: exact text)\n"
	      "  -s, --samples N        sample rows per category (default 5)\n"
	      "  -q, --quiet            no output, exit status only\n"
	      "  -h, --help             this help\n"
	      "      --version          print the version\n\n"
	      "Auto key: a column named id (any case), else the first column,\n"
	      "when its values are non-empty and unique in both files;\n"
	      "otherwise rows are compared as whole records.\n\n"
	      "exit status: 0 no differences, 1 differences, 2 error\n",
	    f);
}

static void PRINTF_LIKE(1, 2) err_(const char *fmt, ...)
{
	va_list ap;

	fputs("datadiff: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* split a comma-separated list into *v (pointers into s, which is modified) */
static int
split_list(char *s, const char ***v, size_t *n, size_t max, const char *what)
{
	char *p = s;

	for (;;) {
		char *comma = strchr(p, ',');

		if (comma)
			*comma = '\0';
		if (*p == '\0') {
			err_("%s: empty column name in '%s'", what, s);
			return -1;
		}
		if (*n >= max) {
			err_("%s: more than %zu columns", what, max);
			return -1;
		}
		*v = xreallocarray(*v, *n + 1, sizeof(**v));
		(*v)[(*n)++] = p;
		if (!comma)
			break;
		p = comma + 1;
	}
	return 0;
}

static int
parse_delimiter(const char *s, char *out)
{
	if (strcmp(s, "\\t") == 0 || strcmp(s, "tab") == 0) {
		*out = '\t';
		return 0;
	}
	if (strlen(s) != 1 || s[0] == '"' || s[0] == '\n' || s[0] == '\r') {
		err_(
		    "-d: the delimiter must be one character other than a quote "
		    "or a line break (or 'tab'), not '%s'",
		    s);
		return -1;
	}
	*out = s[0];
	return 0;
}

struct input {
	const char *path;
	struct mapfile mf;
	int ret;
	char err[256];
};

/* a task of parallel_run: both files are read in at the same time */
static void
input_open(void *arg)
{
	struct input *in = arg;

	in->ret =
	    mapfile_open(&in->mf, in->path, READ_MAX, in->err, sizeof(in->err));
}

static int
write_all(const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(STDOUT_FILENO, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			err_("cannot write the report: %s", strerror(errno));
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"key", required_argument, NULL, 'k'},
	    {"format", required_argument, NULL, 'f'},
	    {"delimiter", required_argument, NULL, 'd'},
	    {"ignore", required_argument, NULL, 'i'},
	    {"tolerance", required_argument, NULL, 't'},
	    {"samples", required_argument, NULL, 's'},
	    {"quiet", no_argument, NULL, 'q'},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {NULL, 0, NULL, 0},
	};
	struct diff_options opts;
	struct diff_table tables[2];
	struct input in[2];
	void *inv[2] = {&in[0], &in[1]};
	struct diff_result *res = NULL;
	struct diff_error derr;
	struct strbuf out;
	enum report_format fmt =
	    isatty(STDOUT_FILENO) ? REPORT_TEXT : REPORT_JSON;
	const char **key = NULL, **ignore = NULL;
	size_t nkey = 0, nignore = 0;
	char delim = 0;
	int quiet = 0, ch, status = EXIT_ERROR, opened = 0;
	char *end;

	diff_options_init(&opts);
	strbuf_init(&out, REPORT_MAX_BYTES);
	while ((ch = getopt_long(
		    argc, argv, "k:f:d:i:t:s:qh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'k':
			if (split_list(optarg, &key, &nkey,
				DIFF_MAX_KEY_COLUMNS, "--key") == -1)
				goto out;
			break;
		case 'f':
			if (report_format_parse(optarg, &fmt) == -1) {
				err_("-f: unknown format '%s' (text, json or "
				     "markdown)",
				    optarg);
				goto out;
			}
			break;
		case 'd':
			if (parse_delimiter(optarg, &delim) == -1)
				goto out;
			break;
		case 'i':
			if (split_list(optarg, &ignore, &nignore,
				DIFF_MAX_IGNORE_COLUMNS, "--ignore") == -1)
				goto out;
			break;
		case 't':
			errno = 0;
			opts.tolerance = strtod(optarg, &end);
			if (errno || end == optarg || *end ||
			    !isfinite(opts.tolerance) || opts.tolerance < 0) {
				err_("-t: the tolerance must be a number >= 0, "
				     "not '%s'",
				    optarg);
				goto out;
			}
			break;
		case 's': {
			unsigned long v;

			errno = 0;
			v = strtoul(optarg, &end, 10);
			if (errno || end == optarg || *end ||
			    optarg[0] == '-' || v > DIFF_MAX_SAMPLES) {
				err_(
				    "-s: the sample count must be 0 to %d, not "
				    "'%s'",
				    DIFF_MAX_SAMPLES, optarg);
				goto out;
			}
			opts.samples = v;
			break;
		}
		case 'q':
			quiet = 1;
			break;
		case 'h':
			usage(stdout);
			status = EXIT_SAME;
			goto out;
		case 'V':
			printf("datadiff %s\n", DATADIFF_VERSION);
			status = EXIT_SAME;
			goto out;
		default:
			usage(stderr);
			goto out;
		}
	}
	if (argc - optind != 2) {
		usage(stderr);
		goto out;
	}
	memset(in, 0, sizeof(in));
	in[0].path = argv[optind];
	in[1].path = argv[optind + 1];
	parallel_run(NULL, input_open, inv, 2);
	opened = 1;
	for (int i = 0; i < 2; i++) {
		if (in[i].ret == -1) {
			err_("%s: %s", in[i].path, in[i].err);
			goto out;
		}
	}
	for (int i = 0; i < 2; i++) {
		tables[i].path = argv[optind + i];
		tables[i].buf = in[i].mf.buf;
		tables[i].len = in[i].mf.len;
		tables[i].delim =
		    delim ? delim : csv_delimiter_for_path(argv[optind + i]);
	}
	opts.key = key;
	opts.nkey = nkey;
	opts.key_source = DIFF_KEY_OPTION;
	opts.ignore = ignore;
	opts.nignore = nignore;
	opts.parallel = parallel_run;
	opts.hash_seed = seed_random();

	res = diff_run(&tables[0], &tables[1], &opts, &derr);
	if (!res) {
		if (derr.side < 0)
			err_("%s", derr.msg);
		else if (derr.line)
			err_("%s:%lu: %s", tables[derr.side].path, derr.line,
			    derr.msg);
		else
			err_("%s: %s", tables[derr.side].path, derr.msg);
		goto out;
	}
	for (size_t i = 0; i < res->nignore_missing; i++)
		err_("warning: --ignore column '%s' is in neither file",
		    res->ignore_missing[i]);
	if (!quiet) {
		if (report_render(&out, res, fmt, argv[optind + 1]) == -1) {
			err_("the report is larger than %u bytes",
			    REPORT_MAX_BYTES);
			goto out;
		}
		if (write_all(out.buf, out.len) == -1)
			goto out;
	}
	status = diff_has_differences(res) ? EXIT_DIFF : EXIT_SAME;
out:
	diff_result_free(res);
	if (opened) {
		mapfile_close(&in[0].mf);
		mapfile_close(&in[1].mf);
	}
	strbuf_release(&out);
	free(key);
	free(ignore);
	return status;
}
