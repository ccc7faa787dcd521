/*
 * gendata: write a pair of CSV files for scripts/bench.sh.
 *
 *   gendata --rows N --seed S [--change F] [--add F] [--remove F]
 *           [--all-changed] [--no-shuffle] OLD NEW
 *
 * OLD holds N rows of ten columns (about 110 bytes a row). NEW is OLD with
 * exactly round(F * N) rows changed in 1 to 3 non-key columns, round(F * N)
 * rows removed and round(F * N) rows with fresh ids appended, then shuffled.
 * The exact expected counts go to stderr as one line
 *
 *   gendata: old_rows=N new_rows=M added=A removed=R changed=C unchanged=U
 *
 * Every value of row i is a function of (seed, i, column) alone, so OLD is
 * streamed and NEW is written by generating its rows again in shuffled
 * order: memory is 5 bytes per row (a category and an index), no temp file.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compat.h"
#include "xmalloc.h"
#include "banned.h"

#define GEN_COLUMNS      10
#define GEN_FIELD_MAX    64 /* bytes of one generated value */
#define GEN_ROW_MAX      (GEN_COLUMNS * (2 * GEN_FIELD_MAX + 3))
#define GEN_MAX_ROWS     UINT64_C(1000000000) /* keeps OLD + added < 2^32 */
#define GEN_OUT_BUF      (4u * 1024 * 1024)   /* bytes per write(2) */
#define GEN_QUOTED_PER   100 /* 1 row in 100 has a quoted name */
#define GEN_MAX_ATTEMPTS 64  /* tries to draw a different value */

/* random streams: one per purpose, so each is independent of the others */
#define STREAM_CATEGORY UINT64_C(0x63617465676f7279)
#define STREAM_SHUFFLE  UINT64_C(0x73687566666c6521)
#define STREAM_CHANGE   UINT64_C(0x6368616e67652121)
#define STREAM_FIELD    UINT64_C(0x6669656c64212121)

enum gen_category { CAT_KEPT, CAT_CHANGED, CAT_REMOVED };

static const char *const gen_header[GEN_COLUMNS] = {"id", "name", "email",
    "city", "country", "amount", "quantity", "order_date", "updated_at",
    "active"};

static const char *const first_names[] = {"James", "Mary", "John", "Patricia",
    "Robert", "Jennifer", "Michael", "Linda", "David", "Sarah", "William",
    "Karen", "Ahmed", "Fatima", "Wei", "Mei", "Hiroshi", "Yuki", "Carlos",
    "Sofia", "Lukas", "Anna", "Olga", "Ivan", "Priya", "Arjun", "Chloe",
    "Louis", "Emma", "Noah", "Lena", "Jonas"};

static const char *const last_names[] = {"Smith", "Johnson", "Brown", "Garcia",
    "Miller", "Davis", "Lopez", "Wilson", "Martin", "Lee", "Walker", "Young",
    "Khan", "Chen", "Wang", "Tanaka", "Sato", "Silva", "Muller", "Schmidt",
    "Novak", "Ivanova", "Patel", "Sharma", "Dubois", "Moreau", "Rossi",
    "Jensen", "Nielsen", "Kowalski", "Nagy", "Berg"};

static const char *const nicknames[] = {"Bob", "JJ", "Mo", "Liz", "Ace", "Kit"};

static const char *const domains[] = {
    "mail.com", "corp.io", "web.de", "ex.org", "inbox.net", "acme.co"};

static const char *const cities[] = {"Berlin", "Paris", "London", "Madrid",
    "Rome", "Oslo", "Vienna", "Prague", "Warsaw", "Lisbon", "Dublin", "Tokyo",
    "Osaka", "Seoul", "Lagos", "Cairo", "Lima", "Quito", "Austin", "Denver",
    "Boston", "Sydney", "Perth", "Toronto", "Delhi", "Mumbai", "Hamburg",
    "Lyon", "Porto", "Gdansk"};

static const char *const countries[] = {"DE", "FR", "GB", "ES", "IT", "NO",
    "AT", "CZ", "PL", "PT", "IE", "JP", "KR", "NG", "EG", "PE", "EC", "US",
    "AU", "CA", "IN", "NL", "BE", "SE", "DK", "FI", "CH", "BR", "MX", "ZA"};

struct rng {
	uint64_t s;
};

/* a buffered output file */
struct out {
	const char *path;
	int fd;
	char *buf;
	size_t len;
};

/* one row as generated, before CSV quoting */
struct row {
	char f[GEN_COLUMNS][GEN_FIELD_MAX];
	size_t len[GEN_COLUMNS];
};

struct gen {
	uint64_t seed;
	uint64_t rows;    /* rows of OLD */
	uint64_t changed; /* exact counts, from the fractions */
	uint64_t removed;
	uint64_t added;
	int all_changed; /* changed rows differ in exactly one column */
	int shuffle;
};

/* splitmix64 (Steele, Lea and Flood): tiny, fast, passes BigCrush */
static uint64_t
rng_next(struct rng *r)
{
	uint64_t z;

	r->s += UINT64_C(0x9e3779b97f4a7c15);
	z = r->s;
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

/* a number below n (n > 0); the modulo bias is below 2^-32 for our n */
static uint64_t
rng_below(struct rng *r, uint64_t n)
{
	return rng_next(r) % n;
}

/* an independent stream for (seed, a, b): two rounds of mixing */
static void
rng_seed(struct rng *r, uint64_t seed, uint64_t a, uint64_t b)
{
	struct rng m = {seed ^ UINT64_C(0x5851f42d4c957f2d)};

	m.s ^= rng_next(&m) ^ a;
	m.s ^= rng_next(&m) ^ b;
	r->s = rng_next(&m);
}

/*
 * The id of row index i: (i + 1) times an odd constant, modulo 2^32, is a
 * bijection, so ids are unique and do not look sequential.
 */
static uint64_t
gen_id(uint64_t i)
{
	return ((i + 1) * UINT64_C(2654435761)) & UINT64_C(0xffffffff);
}

static size_t
put_str(char *p, const char *s)
{
	size_t n = strlen(s);

	memcpy(p, s, n);
	return n;
}

static size_t
put_lower(char *p, const char *s)
{
	size_t n = 0;

	for (; s[n]; n++)
		p[n] = (char)(s[n] >= 'A' && s[n] <= 'Z' ? s[n] - 'A' + 'a' :
							   s[n]);
	return n;
}

/* decimal digits of v, at least width of them (zero-padded) */
static size_t
put_uint(char *p, uint64_t v, size_t width)
{
	char tmp[24];
	size_t n = 0, i;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n < width && n < sizeof(tmp))
		tmp[n++] = '0';
	for (i = 0; i < n; i++)
		p[i] = tmp[n - 1 - i];
	return n;
}

#define PICK(r, list) (list[rng_below(r, ARRAY_SIZE(list))])

/* YYYY-MM-DD between 2015-01-01 and 2024-12-28 */
static size_t
put_date(char *p, struct rng *r)
{
	size_t n = 0;

	n += put_uint(p + n, 2015 + rng_below(r, 10), 4);
	p[n++] = '-';
	n += put_uint(p + n, 1 + rng_below(r, 12), 2);
	p[n++] = '-';
	n += put_uint(p + n, 1 + rng_below(r, 28), 2);
	return n;
}

/* the value of column col drawn from r; returns its length */
static size_t
gen_field(char *p, int col, uint64_t i, struct rng *r)
{
	size_t n = 0;
	uint64_t v;

	switch (col) {
	case 0:
		n = put_uint(p, gen_id(i), 1);
		break;
	case 1:
		/* real exports hold commas and quotes: "Lee, Mary", Mo "Ace" */
		v = rng_below(r, 2 * GEN_QUOTED_PER);
		if (v == 0) {
			n += put_str(p + n, PICK(r, last_names));
			n += put_str(p + n, ", ");
			n += put_str(p + n, PICK(r, first_names));
		} else if (v == 1) {
			n += put_str(p + n, PICK(r, first_names));
			n += put_str(p + n, " \"");
			n += put_str(p + n, PICK(r, nicknames));
			n += put_str(p + n, "\" ");
			n += put_str(p + n, PICK(r, last_names));
		} else {
			n += put_str(p + n, PICK(r, first_names));
			p[n++] = ' ';
			n += put_str(p + n, PICK(r, last_names));
		}
		break;
	case 2:
		n += put_lower(p + n, PICK(r, first_names));
		p[n++] = '.';
		n += put_lower(p + n, PICK(r, last_names));
		n += put_uint(p + n, rng_below(r, 100), 1);
		p[n++] = '@';
		n += put_str(p + n, PICK(r, domains));
		break;
	case 3:
		n = put_str(p, PICK(r, cities));
		break;
	case 4:
		n = put_str(p, PICK(r, countries));
		break;
	case 5:
		v = rng_below(r, 10000000);
		n += put_uint(p + n, v / 100, 1);
		p[n++] = '.';
		n += put_uint(p + n, v % 100, 2);
		break;
	case 6:
		n = put_uint(p, rng_below(r, 1000), 1);
		break;
	case 7:
		n = put_date(p, r);
		break;
	case 8:
		n = put_date(p, r);
		p[n++] = 'T';
		n += put_uint(p + n, rng_below(r, 24), 2);
		p[n++] = ':';
		n += put_uint(p + n, rng_below(r, 60), 2);
		p[n++] = ':';
		n += put_uint(p + n, rng_below(r, 60), 2);
		p[n++] = 'Z';
		break;
	default:
		n = put_str(p, rng_below(r, 2) ? "true" : "false");
		break;
	}
	return n;
}

static void
gen_row(const struct gen *g, uint64_t i, struct row *row)
{
	struct rng r;

	for (int c = 0; c < GEN_COLUMNS; c++) {
		rng_seed(&r, g->seed, i, STREAM_FIELD + (uint64_t)c);
		row->len[c] = gen_field(row->f[c], c, i, &r);
	}
}

/*
 * Change row i in 1 to 3 distinct non-key columns (exactly 1 with
 * --all-changed), each to a value that differs from the old one.
 */
static void
gen_change(const struct gen *g, uint64_t i, struct row *row)
{
	int cols[GEN_COLUMNS - 1];
	char old[GEN_FIELD_MAX];
	size_t oldlen;
	uint64_t k;
	struct rng r, fr;

	for (int c = 0; c < GEN_COLUMNS - 1; c++)
		cols[c] = c + 1;
	rng_seed(&r, g->seed, i, STREAM_CHANGE);
	k = g->all_changed ? 1 : 1 + rng_below(&r, 3);
	for (uint64_t j = 0; j < k; j++) {
		/* partial Fisher-Yates: cols[0..k) become a random k-subset */
		uint64_t pick = j + rng_below(&r, GEN_COLUMNS - 1 - j);
		int c = cols[pick];

		cols[pick] = cols[j];
		cols[j] = c;
		memcpy(old, row->f[c], row->len[c]);
		oldlen = row->len[c];
		for (uint64_t a = 0; a < GEN_MAX_ATTEMPTS; a++) {
			rng_seed(&fr, g->seed ^ STREAM_CHANGE, i,
			    ((uint64_t)c << 32) | a);
			row->len[c] = gen_field(row->f[c], c, i, &fr);
			if (row->len[c] != oldlen ||
			    memcmp(row->f[c], old, oldlen) != 0)
				break;
		}
		if (row->len[c] == oldlen &&
		    memcmp(row->f[c], old, oldlen) == 0) {
			/* only a bug in gen_field could get here */
			fprintf(stderr,
			    "gendata: cannot change row %" PRIu64
			    " column %d\n",
			    i, c);
			exit(1);
		}
	}
}

static int
out_open(struct out *o, const char *path)
{
	o->path = path;
	o->len = 0;
	o->buf = xmalloc(GEN_OUT_BUF);
	o->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (o->fd == -1) {
		fprintf(stderr, "gendata: cannot create '%s': %s\n", path,
		    strerror(errno));
		return -1;
	}
	return 0;
}

static int
out_flush(struct out *o)
{
	size_t off = 0;
	ssize_t n;

	while (off < o->len) {
		n = write(o->fd, o->buf + off, o->len - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			fprintf(stderr, "gendata: cannot write '%s': %s\n",
			    o->path, strerror(errno));
			return -1;
		}
		off += (size_t)n;
	}
	o->len = 0;
	return 0;
}

static int
out_close(struct out *o)
{
	int ret = -1;

	if (o->fd == -1)
		goto out;
	if (out_flush(o) == -1)
		goto out;
	if (close(o->fd) == -1) {
		o->fd = -1;
		fprintf(stderr, "gendata: cannot close '%s': %s\n", o->path,
		    strerror(errno));
		goto out;
	}
	o->fd = -1;
	ret = 0;
out:
	if (o->fd != -1)
		close(o->fd);
	o->fd = -1;
	free(o->buf);
	o->buf = NULL;
	return ret;
}

/* append one CSV record, quoting values that hold a comma or a quote */
static int
out_record(struct out *o, const char *const *f, const size_t *len)
{
	char *p;

	if (GEN_OUT_BUF - o->len < GEN_ROW_MAX && out_flush(o) == -1)
		return -1;
	p = o->buf + o->len;
	for (int c = 0; c < GEN_COLUMNS; c++) {
		if (c > 0)
			*p++ = ',';
		if (memchr(f[c], ',', len[c]) || memchr(f[c], '"', len[c])) {
			*p++ = '"';
			for (size_t k = 0; k < len[c]; k++) {
				if (f[c][k] == '"')
					*p++ = '"';
				*p++ = f[c][k];
			}
			*p++ = '"';
		} else {
			memcpy(p, f[c], len[c]);
			p += len[c];
		}
	}
	*p++ = '\n';
	o->len = (size_t)(p - o->buf);
	return 0;
}

static int
out_row(struct out *o, const struct row *row)
{
	const char *f[GEN_COLUMNS];

	for (int c = 0; c < GEN_COLUMNS; c++)
		f[c] = row->f[c];
	return out_record(o, f, row->len);
}

static int
out_header(struct out *o)
{
	size_t len[GEN_COLUMNS];

	for (int c = 0; c < GEN_COLUMNS; c++)
		len[c] = strlen(gen_header[c]);
	return out_record(o, gen_header, len);
}

/*
 * Write OLD and NEW. cat[i] records what happens to OLD row i; it is drawn
 * by sequential selection sampling (Knuth's algorithm S), which gives the
 * exact counts with every choice of rows equally likely.
 */
static int
gen_write(const struct gen *g, const char *old_path, const char *new_path)
{
	struct out old = {.fd = -1}, new = {.fd = -1};
	struct row row;
	struct rng r;
	unsigned char *cat = NULL;
	uint32_t *idx = NULL;
	uint64_t nnew = g->rows - g->removed + g->added, n = 0;
	uint64_t left_changed = g->changed, left_removed = g->removed;
	int ret = -1;

	cat = xmalloc(g->rows ? g->rows : 1);
	idx = xreallocarray(NULL, nnew ? nnew : 1, sizeof(*idx));

	if (out_open(&old, old_path) == -1 || out_header(&old) == -1)
		goto out;
	rng_seed(&r, g->seed, 0, STREAM_CATEGORY);
	for (uint64_t i = 0; i < g->rows; i++) {
		uint64_t u = rng_below(&r, g->rows - i);

		if (u < left_removed) {
			cat[i] = CAT_REMOVED;
			left_removed--;
		} else if (u < left_removed + left_changed) {
			cat[i] = CAT_CHANGED;
			left_changed--;
			idx[n++] = (uint32_t)i;
		} else {
			cat[i] = CAT_KEPT;
			idx[n++] = (uint32_t)i;
		}
		gen_row(g, i, &row);
		if (out_row(&old, &row) == -1)
			goto out;
	}
	if (out_close(&old) == -1)
		goto out;

	for (uint64_t i = g->rows; i < g->rows + g->added; i++)
		idx[n++] = (uint32_t)i;
	if (g->shuffle) {
		rng_seed(&r, g->seed, 0, STREAM_SHUFFLE);
		for (uint64_t j = n; j > 1; j--) {
			uint64_t k = rng_below(&r, j);
			uint32_t t = idx[j - 1];

			idx[j - 1] = idx[k];
			idx[k] = t;
		}
	}

	if (out_open(&new, new_path) == -1 || out_header(&new) == -1)
		goto out;
	for (uint64_t j = 0; j < n; j++) {
		uint64_t i = idx[j];

		gen_row(g, i, &row);
		if (i < g->rows && cat[i] == CAT_CHANGED)
			gen_change(g, i, &row);
		if (out_row(&new, &row) == -1)
			goto out;
	}
	if (out_close(&new) == -1)
		goto out;
	ret = 0;
out:
	if (old.buf)
		out_close(&old);
	if (new.buf)
		out_close(&new);
	free(idx);
	free(cat);
	return ret;
}

static void
usage(FILE *f)
{
	fputs(
	    "usage: gendata --rows N --seed S [--change F] [--add F] "
	    "[--remove F]\n"
	    "               [--all-changed] [--no-shuffle] OLD NEW\n"
	    "Write a pair of CSV files for benchmarks: OLD with N rows, NEW\n"
	    "with a fraction F of OLD's rows changed (default 0.01), removed\n"
	    "(0.005) and added (0.005), shuffled. --all-changed changes every\n"
	    "row in one column (and adds and removes none unless asked).\n"
	    "The exact expected counts are printed to stderr.\n",
	    f);
}

static int
parse_u64(const char *s, const char *what, uint64_t max, uint64_t *v)
{
	char *end = NULL;
	unsigned long long n;

	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || n > max) {
		fprintf(stderr, "gendata: bad %s '%s' (0 to %" PRIu64 ")\n",
		    what, s, max);
		return -1;
	}
	*v = n;
	return 0;
}

static int
parse_fraction(const char *s, const char *what, double *v)
{
	char *end = NULL;
	double d;

	errno = 0;
	d = strtod(s, &end);
	if (errno || end == s || *end || !(d >= 0.0 && d <= 1.0)) {
		fprintf(stderr, "gendata: bad %s '%s' (0 to 1)\n", what, s);
		return -1;
	}
	*v = d;
	return 0;
}

static uint64_t
fraction_of(double f, uint64_t n)
{
	return (uint64_t)llround(f * (double)n);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"rows", required_argument, NULL, 'n'},
	    {"seed", required_argument, NULL, 's'},
	    {"change", required_argument, NULL, 'c'},
	    {"add", required_argument, NULL, 'a'},
	    {"remove", required_argument, NULL, 'r'},
	    {"all-changed", no_argument, NULL, 'A'},
	    {"no-shuffle", no_argument, NULL, 'S'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct gen g = {.shuffle = 1};
	double change = 0.01, add = 0.005, remove = 0.005;
	int have_rows = 0, have_seed = 0, have_add = 0, have_remove = 0;
	int ch;

	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'n':
			if (parse_u64(
				optarg, "--rows", GEN_MAX_ROWS, &g.rows) == -1)
				return 2;
			have_rows = 1;
			break;
		case 's':
			if (parse_u64(optarg, "--seed", UINT64_MAX, &g.seed) ==
			    -1)
				return 2;
			have_seed = 1;
			break;
		case 'c':
			if (parse_fraction(optarg, "--change", &change) == -1)
				return 2;
			break;
		case 'a':
			if (parse_fraction(optarg, "--add", &add) == -1)
				return 2;
			have_add = 1;
			break;
		case 'r':
			if (parse_fraction(optarg, "--remove", &remove) == -1)
				return 2;
			have_remove = 1;
			break;
		case 'A':
			g.all_changed = 1;
			break;
		case 'S':
			g.shuffle = 0;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (argc - optind != 2 || !have_rows || !have_seed) {
		usage(stderr);
		return 2;
	}
	if (g.all_changed) {
		add = have_add ? add : 0.0;
		remove = have_remove ? remove : 0.0;
	}
	g.removed = fraction_of(remove, g.rows);
	g.added = fraction_of(add, g.rows);
	g.changed =
	    g.all_changed ? g.rows - g.removed : fraction_of(change, g.rows);
	if (g.changed > g.rows - g.removed) {
		fprintf(stderr,
		    "gendata: --change plus --remove is more than "
		    "every row\n");
		return 2;
	}

	if (gen_write(&g, argv[optind], argv[optind + 1]) == -1)
		return 1;
	fprintf(stderr,
	    "gendata: old_rows=%" PRIu64 " new_rows=%" PRIu64 " added=%" PRIu64
	    " removed=%" PRIu64 " changed=%" PRIu64 " unchanged=%" PRIu64 "\n",
	    g.rows, g.rows - g.removed + g.added, g.added, g.removed, g.changed,
	    g.rows - g.removed - g.changed);
	return 0;
}
