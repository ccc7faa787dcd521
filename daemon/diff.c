/*
 * diff.c: the data diff engine (see diff.h and design.md 6 and 9).
 * * Phase 1 scans each side once: it checks every record, infers column types,
 * hashes the key of each row and indexes the rows (struct entry: key hash and
 * packed offset/length, 16 bytes, in file order) in an open-addressing table
 * of 64-bit slots (a 32-bit hash tag and the entry index, so a probe rarely
 * touches an entry). A row is inserted PREFETCH_DIST rows after it was
 * scanned, its slot prefetched meanwhile, so the scan does not wait on the
 * cache miss of every random probe. A key met twice is confirmed on its
 * bytes and counted as a duplicate.
 * Phase 2 walks the new side's rows, finds each key in the old index,
 * confirms it on the key bytes and compares the rows: raw bytes first when
 * both files share one layout, values column by column otherwise. Phase 3
 * collects the old rows nobody matched. Samples are materialised last, by
 * re-reading the few rows they name.
 */
#include "diff.h"

#include <stdarg.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "bounds.h"
#include "csv.h"
#include "xmalloc.h"
#include "banned.h"

/* a packed position: duplicate flag, 36-bit offset, 27-bit length */
#define LEN_BITS      27
#define LEN_MASK      ((UINT64_C(1) << LEN_BITS) - 1)
#define OFF_BITS      36
#define OFF_MASK      ((UINT64_C(1) << OFF_BITS) - 1)
#define MAX_OFF       (UINT64_C(1) << OFF_BITS)
#define DUP_FLAG      (UINT64_C(1) << 63)
#define NO_ENTRY      UINT32_MAX
#define PREFETCH_DIST 16 /* rows between a row's scan and its insertion */

struct entry {
	uint64_t hash; /* key hash (or record hash when unkeyed) */
	uint64_t pos;  /* DUP_FLAG | offset << LEN_BITS | length */
};

/* why a side's scan stopped */
enum { SIDE_MALFORMED = 1, SIDE_TOO_LARGE = 2 };

/*
 * The two sides are scanned by two threads at once: each side's state
 * starts on its own cache line, so their writes never share one.
 */
struct side {
	_Alignas(64) const struct diff_table *in;
	struct csv_reader rd;  /* the scan */
	struct csv_reader rd2; /* re-read rows to confirm equal hashes */
	struct csv_reader rd3;
	size_t body; /* offset of the first record after the header */
	unsigned long body_line;
	unsigned long header_line;
	int has_header;
	char **names;
	size_t ncols;

	size_t *kidx; /* hashed columns: the key, or the record when unkeyed */
	size_t nk;
	int keyed;       /* rows are identified by a key */
	int strict;      /* auto key: a duplicate or null key fails it */
	int build_table; /* index this side for lookups */
	size_t samples;
	uint64_t seed;     /* of the row hashes, the same for both sides */
	uint64_t max_rows; /* more records than this fail the diff */

	enum value_type *types;
	struct entry *ent;
	size_t nent, aent;
	size_t ninserted; /* entries [0, ninserted) went through the table */
	uint64_t *slots;  /* hash >> 32 << 32 | entry index + 1; 0 empty */
	size_t mask;
	size_t nslots_used;
	uint32_t *next, *last; /* unkeyed: equal records, in file order */
	unsigned long lines[2 * PREFETCH_DIST]; /* of the rows in flight */
	uint64_t rows, dups, nulls;
	struct diff_key_row *sdup, *snull;
	size_t nsdup, nsnull;
	int failed; /* strict and a duplicate or null key was found */
	int error;  /* SIDE_MALFORMED, SIDE_TOO_LARGE or 0 */
	unsigned long err_line;
	char err[CSV_ERR_LEN];
	atomic_int *stop; /* the other side failed: stop early */
};

struct diff {
	struct side s[2];
	const struct diff_options *opts;
	size_t ncmp; /* compared columns, in the new file's order */
	size_t *cmp_old, *cmp_new;
	int same_layout;        /* equal raw bytes imply equal rows */
	unsigned char *matched; /* per old entry */
	uint32_t *cursor;       /* unkeyed: next unclaimed old row of a group */
	_Alignas(
	    64) atomic_int stop; /* read by both scans: a line of its own */
};

const char *
diff_key_source_name(enum diff_key_source s)
{
	switch (s) {
	case DIFF_KEY_OPTION:
		return "option";
	case DIFF_KEY_CONFIG:
		return "config";
	case DIFF_KEY_AUTO:
		return "auto";
	case DIFF_KEY_NONE:
		break;
	}
	return "none";
}

void
diff_options_init(struct diff_options *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->key_source = DIFF_KEY_AUTO;
	opts->samples = DIFF_DEFAULT_SAMPLES;
}

static int PRINTF_LIKE(4, 5) diff_fail(
    struct diff_error *err, int side, unsigned long line, const char *fmt, ...)
{
	va_list ap;

	err->side = side;
	err->line = line;
	err->too_large = 0;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

static uint64_t
entry_off(const struct entry *e)
{
	return (e->pos >> LEN_BITS) & OFF_MASK;
}

static int
entry_dup(const struct entry *e)
{
	return (e->pos & DUP_FLAG) != 0;
}

static size_t
entry_len(const struct entry *e)
{
	return (size_t)(e->pos & LEN_MASK);
}

static uint64_t
hash_fields(
    const struct csv_field *f, const size_t *idx, size_t n, uint64_t seed)
{
	uint64_t h = seed;

	for (size_t i = 0; i < n; i++)
		h = XXH3_64bits_withSeed(f[idx[i]].ptr, f[idx[i]].len, h);
	return h;
}

static int
field_eq(const struct csv_field *a, const struct csv_field *b)
{
	return a->len == b->len &&
	    (a->len == 0 || !memcmp(a->ptr, b->ptr, a->len));
}

/* fields a[ai[i]] == b[bi[i]] for all i < n */
static int
fields_equal(const struct csv_field *a, const size_t *ai,
    const struct csv_field *b, const size_t *bi, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!field_eq(&a[ai[i]], &b[bi[i]]))
			return 0;
	return 1;
}

/*
 * A copy of a value for a sample, cut at DIFF_MAX_SAMPLE_VALUE bytes on a
 * UTF-8 boundary with an ellipsis appended.
 */
static char *
sample_value(const char *p, size_t len, int *truncated)
{
	char *r;
	size_t cut;

	if (len <= DIFF_MAX_SAMPLE_VALUE)
		return xmemdup(p, len);
	cut = DIFF_MAX_SAMPLE_VALUE;
	while (cut > 0 && ((unsigned char)p[cut] & 0xc0) == 0x80)
		cut--;
	r = xmalloc(cut + 4);
	memcpy(r, p, cut);
	memcpy(r + cut, "\xe2\x80\xa6", 4);
	*truncated = 1;
	return r;
}

static char **
sample_fields(
    const struct csv_field *f, const size_t *idx, size_t n, int *truncated)
{
	char **v = xcalloc(n ? n : 1, sizeof(*v));

	for (size_t i = 0; i < n; i++) {
		const struct csv_field *x = idx ? &f[idx[i]] : &f[i];

		v[i] = sample_value(x->ptr, x->len, truncated);
	}
	return v;
}

static void
free_strv(char **v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* ---- per-side index ---- */

static size_t
pow2_at_least(size_t n)
{
	size_t p = 16;

	while (p < n)
		p <<= 1;
	return p;
}

/*
 * Room for every row there can be: the line breaks of the body bound the
 * records from above, whatever the first lines look like, so a file cannot
 * make us reserve memory its rows will never use.
 */
static size_t
estimate_rows(const struct side *s)
{
	uint64_t n =
	    csv_count_lines(s->in->buf + s->body, s->in->len - s->body);

	n++; /* a last record without a line break */
	return n > s->max_rows + 1 ? (size_t)s->max_rows + 1 : (size_t)n;
}

/* grow a huge array of n items of size bytes to m items */
static void *
huge_grow(void *old, size_t n, size_t m, size_t size)
{
	void *p = xhuge_calloc(m, size);

	if (n)
		memcpy(p, old, n * size);
	free(old);
	return p;
}

static void
side_alloc_entries(struct side *s, size_t n)
{
	s->ent = huge_grow(s->ent, s->nent, n, sizeof(*s->ent));
	if (!s->keyed && s->build_table) {
		s->next = huge_grow(s->next, s->nent, n, sizeof(*s->next));
		s->last = huge_grow(s->last, s->nent, n, sizeof(*s->last));
	}
	s->aent = n;
}

static uint64_t
slot_make(uint64_t hash, size_t idx)
{
	return (hash & ~UINT64_C(0xffffffff)) | (uint64_t)(idx + 1);
}

static uint32_t
slot_entry(uint64_t slot)
{
	return (uint32_t)(slot & 0xffffffff) - 1;
}

/* whether a slot may hold an entry of this hash (its tag matches) */
static int
slot_tag_eq(uint64_t slot, uint64_t hash)
{
	return ((slot ^ hash) >> 32) == 0;
}

static void
side_rehash(struct side *s, size_t nslots)
{
	uint64_t *slots = xhuge_calloc(nslots, sizeof(*slots));
	size_t mask = nslots - 1;

	for (size_t i = 0; s->slots && i <= s->mask; i++) {
		size_t k;

		if (!s->slots[i])
			continue;
		k = (size_t)s->ent[slot_entry(s->slots[i])].hash & mask;
		while (slots[k])
			k = (k + 1) & mask;
		slots[k] = s->slots[i];
	}
	free(s->slots);
	s->slots = slots;
	s->mask = mask;
}

static void
side_note_key_row(struct side *s, struct diff_key_row **v, size_t *n,
    const struct csv_field *f, unsigned long line)
{
	int unused = 0;

	if (*n >= s->samples)
		return;
	if (!*v)
		*v = xcalloc(s->samples, sizeof(**v));
	(*v)[*n].key = f ? sample_fields(f, s->kidx, s->nk, &unused) : NULL;
	(*v)[*n].line = line;
	(*n)++;
}

/* whether the rows of entries a and b have equal keys (records) */
static int
side_same_key(struct side *s, size_t a, size_t b, struct csv_record *rb)
{
	struct csv_record ra;

	if (csv_record_at(&s->rd2, (size_t)entry_off(&s->ent[a]), &ra) != 1 ||
	    csv_record_at(&s->rd3, (size_t)entry_off(&s->ent[b]), rb) != 1)
		return 0;
	return fields_equal(ra.fields, s->kidx, rb->fields, s->kidx, s->nk);
}

/*
 * Put entry i (a row scanned PREFETCH_DIST rows ago) in the table: a key
 * already there makes it a duplicate (keyed) or a further member of that
 * record's group (unkeyed). Returns -1 when a strict key fails.
 */
static int
side_insert(struct side *s, size_t i)
{
	struct entry *e = &s->ent[i];
	struct csv_record rec;
	size_t k;

	for (k = (size_t)e->hash & s->mask; s->slots[k];
	     k = (k + 1) & s->mask) {
		uint32_t j;

		if (!slot_tag_eq(s->slots[k], e->hash))
			continue;
		j = slot_entry(s->slots[k]);
		if (s->ent[j].hash != e->hash || !side_same_key(s, j, i, &rec))
			continue;
		if (!s->keyed) {
			s->next[i] = NO_ENTRY;
			s->next[s->last[j]] = (uint32_t)i;
			s->last[j] = (uint32_t)i;
			return 0;
		}
		e->pos |= DUP_FLAG;
		s->dups++;
		side_note_key_row(s, &s->sdup, &s->nsdup, rec.fields,
		    s->lines[i % (2 * PREFETCH_DIST)]);
		return s->strict ? -1 : 0;
	}
	s->slots[k] = slot_make(e->hash, i);
	if (!s->keyed) {
		s->next[i] = NO_ENTRY;
		s->last[i] = (uint32_t)i;
	}
	if (++s->nslots_used > (s->mask + 1) / 10 * 7)
		side_rehash(s, (s->mask + 1) * 2);
	return 0;
}

/* insert the scanned entries up to (not including) upto */
static int
side_insert_upto(struct side *s, size_t upto)
{
	while (s->ninserted < upto)
		if (side_insert(s, s->ninserted++) == -1)
			return -1;
	return 0;
}

static int
side_all_empty(const struct side *s, const struct csv_field *f)
{
	for (size_t i = 0; i < s->nk; i++)
		if (f[s->kidx[i]].len)
			return 0;
	return 1;
}

static void
side_fail(struct side *s)
{
	s->failed = 1;
	atomic_store(s->stop, 1);
}

/* phase 1 for one side (a task: may run beside the other side) */
static void
side_scan(void *arg)
{
	struct side *s = arg;
	struct csv_record rec;
	size_t est;
	int r;

	if (!s->has_header) {
		/* an empty table: an empty index, so lookups find nothing */
		if (s->build_table)
			side_rehash(s, pow2_at_least(0));
		return;
	}
	s->rd.pos = s->body;
	s->rd.line = s->body_line;
	est = estimate_rows(s);
	side_alloc_entries(s, est);
	if (s->build_table)
		side_rehash(s, pow2_at_least(est + est / 2));

	while ((r = csv_next(&s->rd, &rec)) == 1) {
		uint64_t h;
		if ((s->rows & 1023) == 0 &&
		    atomic_load_explicit(s->stop, memory_order_relaxed))
			return;
		if (++s->rows > s->max_rows) {
			s->error = SIDE_TOO_LARGE;
			s->err_line = rec.line;
			snprintf(s->err, sizeof(s->err),
			    "more than %" PRIu64 " rows (the limit)",
			    s->max_rows);
			return;
		}
		if (rec.off >= MAX_OFF) {
			s->error = SIDE_TOO_LARGE;
			s->err_line = rec.line;
			snprintf(s->err, sizeof(s->err), "file too large");
			return;
		}
		for (size_t c = 0; c < s->ncols; c++) {
			enum value_type t = s->types[c];

			if (t != VALUE_TEXT)
				s->types[c] = value_type_merge(t,
				    value_classify(
					rec.fields[c].ptr, rec.fields[c].len));
		}
		if (s->keyed && side_all_empty(s, rec.fields)) {
			s->nulls++;
			side_note_key_row(
			    s, &s->snull, &s->nsnull, NULL, rec.line);
			if (s->strict) {
				side_fail(s);
				return;
			}
			continue;
		}
		h = hash_fields(rec.fields, s->kidx, s->nk, s->seed);
		if (s->nent == s->aent)
			side_alloc_entries(s, s->aent + s->aent / 2);
		s->ent[s->nent].hash = h;
		s->ent[s->nent].pos =
		    ((uint64_t)rec.off << LEN_BITS) | (uint64_t)rec.len;
		s->lines[s->nent % (2 * PREFETCH_DIST)] = rec.line;
		s->nent++;
		if (!s->build_table)
			continue;
		__builtin_prefetch(&s->slots[(size_t)h & s->mask], 1);
		if (s->nent > PREFETCH_DIST &&
		    side_insert_upto(s, s->nent - PREFETCH_DIST) == -1) {
			side_fail(s);
			return;
		}
	}
	if (r == -1) {
		s->error = SIDE_MALFORMED;
		s->err_line = s->rd.err_line;
		snprintf(s->err, sizeof(s->err), "%s", s->rd.err);
		return;
	}
	if (s->build_table && side_insert_upto(s, s->nent) == -1)
		side_fail(s);
}

/* forget what a scan found, to scan again with another key */
static void
side_reset(struct side *s)
{
	free(s->ent);
	free(s->slots);
	free(s->next);
	free(s->last);
	s->ent = NULL;
	s->slots = NULL;
	s->next = s->last = NULL;
	s->nent = s->aent = s->ninserted = s->nslots_used = 0;
	s->mask = 0;
	s->rows = s->dups = s->nulls = 0;
	for (size_t i = 0; i < s->nsdup; i++)
		free_strv(s->sdup[i].key, s->nk);
	for (size_t i = 0; i < s->nsnull; i++)
		free_strv(s->snull[i].key, s->nk);
	free(s->sdup);
	free(s->snull);
	s->sdup = s->snull = NULL;
	s->nsdup = s->nsnull = 0;
	s->failed = 0;
	for (size_t c = 0; c < s->ncols; c++)
		s->types[c] = VALUE_EMPTY;
	free(s->kidx);
	s->kidx = NULL;
	s->nk = 0;
}

static void
side_release(struct side *s)
{
	side_reset(s);
	free(s->types);
	free_strv(s->names, s->ncols);
	csv_reader_release(&s->rd);
	csv_reader_release(&s->rd2);
	csv_reader_release(&s->rd3);
}

/* index of column name in side s, or -1 */
static long
side_col(const struct side *s, const char *name)
{
	for (size_t i = 0; i < s->ncols; i++)
		if (strcmp(s->names[i], name) == 0)
			return (long)i;
	return -1;
}

static int
side_open(struct side *s, const struct diff_table *in, int which,
    struct diff_error *err)
{
	struct csv_record rec;
	int r;

	s->in = in;
	if (csv_reader_init(&s->rd, in->buf, in->len, in->delim) == -1)
		return diff_fail(err, which, s->rd.err_line, "%s", s->rd.err);
	r = csv_read_header(&s->rd, &rec);
	if (r == -1)
		return diff_fail(err, which, s->rd.err_line, "%s", s->rd.err);
	s->has_header = r == 1;
	if (s->has_header) {
		s->header_line = rec.line;
		s->ncols = rec.nfields;
		s->names = xcalloc(s->ncols, sizeof(*s->names));
		for (size_t i = 0; i < s->ncols; i++)
			s->names[i] =
			    xmemdup(rec.fields[i].ptr, rec.fields[i].len);
	} /* written for every row: lines the other scan never touches */
	s->types = xcalloc_line(s->ncols, sizeof(*s->types));
	s->body = s->rd.pos;
	s->body_line = s->rd.line;
	csv_reader_clone(&s->rd2, &s->rd);
	csv_reader_clone(&s->rd3, &s->rd);
	return 0;
}

/* ---- key choice ---- */

struct key_choice {
	const char *cols[DIFF_MAX_KEY_COLUMNS];
	size_t n; /* 0: unkeyed */
	enum diff_key_source source;
	int strict;
};

/* the header that names the auto-key candidates: old's, else new's */
static const struct side *
diff_candidate_side(const struct diff *d)
{
	return d->s[0].has_header ? &d->s[0] : &d->s[1];
}

/* a column exists "in both files": a side without a header does not count */
static int
diff_has_col(const struct diff *d, const char *name)
{
	for (int i = 0; i < 2; i++)
		if (d->s[i].has_header && side_col(&d->s[i], name) < 0)
			return 0;
	return 1;
}

/* candidates in order of design.md 6.3, then "none"; -1 on a bad key */
static int
diff_key_candidates(const struct diff *d, const struct diff_options *o,
    struct key_choice *kc, size_t *nkc, struct diff_error *err)
{
	const struct side *cs = diff_candidate_side(d);
	size_t n = 0;

	if (o->nkey) {
		if (o->nkey > DIFF_MAX_KEY_COLUMNS)
			return diff_fail(err, -1, 0,
			    "a key of more than %d columns",
			    DIFF_MAX_KEY_COLUMNS);
		for (size_t i = 0; i < o->nkey; i++) {
			for (size_t j = 0; j < i; j++)
				if (strcmp(o->key[i], o->key[j]) == 0)
					return diff_fail(err, -1, 0,
					    "key column '%s' named twice",
					    o->key[i]);
			for (int s = 0; s < 2; s++)
				if (d->s[s].has_header &&
				    side_col(&d->s[s], o->key[i]) < 0)
					return diff_fail(err, s,
					    d->s[s].header_line,
					    "no column '%s' for the key",
					    o->key[i]);
			kc[0].cols[i] = o->key[i];
		}
		kc[0].n = o->nkey;
		kc[0].source = o->key_source == DIFF_KEY_CONFIG ?
		    DIFF_KEY_CONFIG :
		    DIFF_KEY_OPTION;
		kc[0].strict = 0;
		*nkc = 1;
		return 0;
	}
	for (size_t i = 0; i < cs->ncols; i++) {
		if (strcasecmp(cs->names[i], "id") == 0) {
			if (diff_has_col(d, cs->names[i])) {
				kc[n].cols[0] = cs->names[i];
				kc[n].n = 1;
				kc[n].source = DIFF_KEY_AUTO;
				kc[n].strict = 1;
				n++;
			}
			break;
		}
	}
	if (cs->ncols && diff_has_col(d, cs->names[0]) &&
	    (n == 0 || strcmp(kc[0].cols[0], cs->names[0]) != 0)) {
		kc[n].cols[0] = cs->names[0];
		kc[n].n = 1;
		kc[n].source = DIFF_KEY_AUTO;
		kc[n].strict = 1;
		n++;
	}
	kc[n].n = 0;
	kc[n].source = DIFF_KEY_NONE;
	kc[n].strict = 0;
	*nkc = n + 1;
	return 0;
}

static int
is_ignored(const struct diff_options *o, const char *name)
{
	for (size_t i = 0; i < o->nignore; i++)
		if (strcmp(o->ignore[i], name) == 0)
			return 1;
	return 0;
}

static int
is_key(const struct key_choice *kc, const char *name)
{
	for (size_t i = 0; i < kc->n; i++)
		if (strcmp(kc->cols[i], name) == 0)
			return 1;
	return 0;
}

/* compared columns: in both files, not the key, not ignored; new's order */
static void
diff_plan_columns(struct diff *d, const struct key_choice *kc)
{
	const struct side *o = &d->s[0], *n = &d->s[1];

	free(d->cmp_old);
	free(d->cmp_new);
	d->cmp_old = xcalloc(n->ncols ? n->ncols : 1, sizeof(size_t));
	d->cmp_new = xcalloc(n->ncols ? n->ncols : 1, sizeof(size_t));
	d->ncmp = 0;
	for (size_t j = 0; j < n->ncols; j++) {
		long i = side_col(o, n->names[j]);

		if (i < 0 || is_key(kc, n->names[j]) ||
		    is_ignored(d->opts, n->names[j]))
			continue;
		d->cmp_old[d->ncmp] = (size_t)i;
		d->cmp_new[d->ncmp] = j;
		d->ncmp++;
	}
}

/* which columns each side hashes for this key choice */
static void
diff_plan_sides(struct diff *d, const struct key_choice *kc)
{
	for (int w = 0; w < 2; w++) {
		struct side *s = &d->s[w];

		s->keyed = kc->n > 0;
		s->strict = kc->strict;
		s->build_table = s->keyed || w == 0;
		s->samples = d->opts->samples;
		s->seed = d->opts->hash_seed;
		s->max_rows =
		    d->opts->max_rows && d->opts->max_rows < CSV_MAX_ROWS ?
		    d->opts->max_rows :
		    CSV_MAX_ROWS;
		s->stop = &d->stop;
		if (!s->has_header)
			continue;
		if (s->keyed) {
			s->nk = kc->n;
			s->kidx = xcalloc(kc->n, sizeof(*s->kidx));
			for (size_t i = 0; i < kc->n; i++)
				s->kidx[i] = (size_t)side_col(s, kc->cols[i]);
		} else {
			s->nk = d->ncmp;
			s->kidx =
			    xcalloc(d->ncmp ? d->ncmp : 1, sizeof(*s->kidx));
			memcpy(s->kidx, w == 0 ? d->cmp_old : d->cmp_new,
			    d->ncmp * sizeof(size_t));
		}
	}
}

static void
run_tasks(const struct diff_options *o, void (*fn)(void *), void *const *args,
    size_t n)
{
	if (o->parallel && n > 1) {
		o->parallel(o->parallel_ctx, fn, args, n);
		return;
	}
	for (size_t i = 0; i < n; i++)
		fn(args[i]);
}

/* ---- phase 2: match new rows to old rows ---- */

struct pair {
	uint32_t n, o; /* new entry, old entry */
};

struct match_task {
	_Alignas(64) struct diff *d; /* two run at once: no shared line */
	size_t from, to;
	struct csv_reader ro, rn;
	struct csv_record orec, nrec; /* the rows probe() read */
	uint64_t added, changed, unchanged;
	uint64_t *colchg;
	uint32_t *s_added;
	size_t ns_added;
	struct pair *s_changed;
	size_t ns_changed;
	int error;
};

/* compare the compared columns; count per column; 1 when any differs */
static int
diff_rows(const struct diff *d, const struct csv_field *of,
    const struct csv_field *nf, uint64_t *colchg)
{
	double tol = d->opts->tolerance;
	int differs = 0;

	for (size_t c = 0; c < d->ncmp; c++) {
		const struct csv_field *a = &of[d->cmp_old[c]];
		const struct csv_field *b = &nf[d->cmp_new[c]];

		if (!value_equal(a->ptr, a->len, b->ptr, b->len, tol)) {
			if (colchg)
				colchg[c]++;
			differs = 1;
		}
	}
	return differs;
}

static int
raw_equal(const struct diff *d, const struct entry *o, const struct entry *n)
{
	size_t len = entry_len(o);

	return d->same_layout && len == entry_len(n) &&
	    memcmp(d->s[0].in->buf + entry_off(o),
		d->s[1].in->buf + entry_off(n), len) == 0;
}

/*
 * The old entry whose key (or record, unkeyed) equals that of new entry e,
 * or NO_ENTRY. Equal raw rows settle it at once (*same set); otherwise the
 * two rows are left read in t->orec and t->nrec for the caller. t->error
 * is set when a row cannot be read again.
 */
static uint32_t
probe(struct match_task *t, const struct entry *e, int *same)
{
	struct diff *d = t->d;
	const struct side *o = &d->s[0], *n = &d->s[1];
	int parsed = 0;

	*same = 0;
	for (size_t k = (size_t)e->hash & o->mask; o->slots[k];
	     k = (k + 1) & o->mask) {
		uint32_t j;
		const struct entry *oe;

		if (!slot_tag_eq(o->slots[k], e->hash))
			continue;
		j = slot_entry(o->slots[k]);
		oe = &o->ent[j];
		if (oe->hash != e->hash)
			continue;
		if (raw_equal(d, oe, e)) {
			*same = 1;
			return j;
		}
		if ((!parsed &&
			csv_record_at(&t->rn, (size_t)entry_off(e), &t->nrec) !=
			    1) ||
		    csv_record_at(&t->ro, (size_t)entry_off(oe), &t->orec) !=
			1) {
			t->error = 1;
			return NO_ENTRY;
		}
		parsed = 1;
		if (fields_equal(t->orec.fields, o->kidx, t->nrec.fields,
			n->kidx, o->nk))
			return j;
	}
	return NO_ENTRY;
}

/*
 * The old entry matching new entry e, or NO_ENTRY; sets *differs when the
 * rows differ in a compared column (counted per column).
 */
static uint32_t
match_one(struct match_task *t, const struct entry *e, int *differs)
{
	int same;
	uint32_t j = probe(t, e, &same);

	*differs = j != NO_ENTRY && !same &&
	    diff_rows(t->d, t->orec.fields, t->nrec.fields, t->colchg);
	return j;
}

/*
 * Prefetch for the row PREFETCH_DIST/2 ahead (its slot was prefetched a
 * while ago): the old entry its slot names. Then, for the row a quarter
 * ahead, that entry's row bytes. By the time a row is matched, slot, entry
 * and old row are in the cache.
 */
static void
match_prefetch(struct match_task *t, size_t i, uint32_t *ring)
{
	const struct side *o = &t->d->s[0], *n = &t->d->s[1];
	size_t ahead = i + PREFETCH_DIST / 2, quarter = i + PREFETCH_DIST / 4;

	if (i + PREFETCH_DIST < t->to)
		__builtin_prefetch(
		    &o->slots[(size_t)n->ent[i + PREFETCH_DIST].hash &
			o->mask]);
	if (ahead < t->to) {
		uint64_t h = n->ent[ahead].hash;
		uint64_t slot = o->slots[(size_t)h & o->mask];
		uint32_t j = NO_ENTRY;

		if (slot && slot_tag_eq(slot, h)) {
			j = slot_entry(slot);
			__builtin_prefetch(&o->ent[j]);
		}
		ring[ahead % PREFETCH_DIST] = j;
	}
	if (quarter < t->to && ring[quarter % PREFETCH_DIST] != NO_ENTRY) {
		const struct entry *oe = &o->ent[ring[quarter % PREFETCH_DIST]];
		const char *row = o->in->buf + entry_off(oe);

		__builtin_prefetch(row);
		__builtin_prefetch(row + 64);
		__builtin_prefetch(row + entry_len(oe) - 1);
	}
}

static void
match_keyed(void *arg)
{
	struct match_task *t = arg;
	struct diff *d = t->d;
	const struct side *n = &d->s[1];
	const size_t samples = d->opts->samples;
	uint32_t ring[PREFETCH_DIST];

	for (size_t k = 0; k < PREFETCH_DIST; k++)
		ring[k] = NO_ENTRY;
	for (size_t i = t->from; i < t->to && !t->error; i++) {
		const struct entry *e = &n->ent[i];
		uint32_t found;
		int differs = 0;

		match_prefetch(t, i, ring);
		if (entry_dup(e))
			continue;
		found = match_one(t, e, &differs);
		if (t->error)
			return;
		if (found == NO_ENTRY) {
			if (t->ns_added < samples)
				t->s_added[t->ns_added++] = (uint32_t)i;
			t->added++;
			continue;
		}
		d->matched[found] = 1;
		if (!differs) {
			t->unchanged++;
			continue;
		}
		if (t->ns_changed < samples) {
			t->s_changed[t->ns_changed].n = (uint32_t)i;
			t->s_changed[t->ns_changed].o = found;
			t->ns_changed++;
		}
		t->changed++;
	}
}

/* multiset: each new record claims the first unclaimed equal old record */
static void
match_unkeyed(void *arg)
{
	struct match_task *t = arg;
	struct diff *d = t->d;
	const struct side *o = &d->s[0], *n = &d->s[1];
	const size_t samples = d->opts->samples;

	for (size_t i = t->from; i < t->to; i++) {
		int same;
		uint32_t head = probe(t, &n->ent[i], &same);

		if (t->error)
			return;
		if (head != NO_ENTRY && d->cursor[head] != NO_ENTRY) {
			uint32_t c = d->cursor[head];

			d->matched[c] = 1;
			d->cursor[head] = o->next[c];
			t->unchanged++;
			continue;
		}
		if (t->ns_added < samples)
			t->s_added[t->ns_added++] = (uint32_t)i;
		t->added++;
	}
}

/* ---- result assembly ---- */

static char **
strv_copy(char *const *v, size_t n)
{
	char **r = xcalloc(n ? n : 1, sizeof(*r));

	for (size_t i = 0; i < n; i++)
		r[i] = xstrdup(v[i]);
	return r;
}

static void
strv_push(char ***v, size_t *n, const char *s)
{
	*v = xreallocarray(*v, *n + 1, sizeof(**v));
	(*v)[(*n)++] = xstrdup(s);
}

static void
diff_schema(struct diff_result *res, const struct diff *d)
{
	const struct side *o = &d->s[0], *n = &d->s[1];
	size_t last = 0;
	int seen = 0;

	for (size_t j = 0; j < n->ncols; j++)
		if (side_col(o, n->names[j]) < 0)
			strv_push(
			    &res->cols_added, &res->ncols_added, n->names[j]);
	for (size_t i = 0; i < o->ncols; i++)
		if (side_col(n, o->names[i]) < 0)
			strv_push(&res->cols_removed, &res->ncols_removed,
			    o->names[i]);
	/* shared columns in new's order must have increasing old positions */
	for (size_t j = 0; j < n->ncols; j++) {
		long i = side_col(o, n->names[j]);

		if (i < 0)
			continue;
		if (seen && (size_t)i < last)
			res->order_changed = 1;
		last = (size_t)i;
		seen = 1;
	}
	for (size_t j = 0; j < n->ncols; j++) {
		long i = side_col(o, n->names[j]);
		enum value_type a, b;

		if (i < 0)
			continue;
		a = o->types[i];
		b = n->types[j];
		if (a == VALUE_EMPTY || b == VALUE_EMPTY || a == b)
			continue;
		res->type_changes = xreallocarray(res->type_changes,
		    res->ntype_changes + 1, sizeof(*res->type_changes));
		res->type_changes[res->ntype_changes].column =
		    xstrdup(n->names[j]);
		res->type_changes[res->ntype_changes].old_type = a;
		res->type_changes[res->ntype_changes].new_type = b;
		res->ntype_changes++;
	}
}

static void
diff_side_info(struct diff_side_info *info, const struct side *s)
{
	info->path = xstrdup(s->in->path ? s->in->path : "");
	info->rows = s->rows;
	info->columns = strv_copy(s->names, s->ncols);
	info->ncolumns = s->ncols;
	info->types = xcalloc(s->ncols ? s->ncols : 1, sizeof(*info->types));
	if (s->ncols)
		memcpy(info->types, s->types, s->ncols * sizeof(*s->types));
	info->has_header = s->has_header;
}

static int
sample_row(struct csv_reader *r, const struct entry *e, struct diff_row *row,
    int *truncated)
{
	struct csv_record rec;

	if (csv_record_at(r, (size_t)entry_off(e), &rec) != 1)
		return -1;
	row->values = sample_fields(rec.fields, NULL, rec.nfields, truncated);
	row->nvalues = rec.nfields;
	return 0;
}

static int
sample_changed(struct diff *d, struct csv_reader *ro, struct csv_reader *rn,
    const struct pair *p, struct diff_changed_row *cr, int *truncated)
{
	const struct side *o = &d->s[0], *n = &d->s[1];
	struct csv_record orec, nrec;

	if (csv_record_at(rn, (size_t)entry_off(&n->ent[p->n]), &nrec) != 1 ||
	    csv_record_at(ro, (size_t)entry_off(&o->ent[p->o]), &orec) != 1)
		return -1;
	cr->key = sample_fields(nrec.fields, n->kidx, n->nk, truncated);
	cr->changes = xcalloc(d->ncmp ? d->ncmp : 1, sizeof(*cr->changes));
	for (size_t c = 0; c < d->ncmp; c++) {
		const struct csv_field *a = &orec.fields[d->cmp_old[c]];
		const struct csv_field *b = &nrec.fields[d->cmp_new[c]];
		struct diff_change *ch;

		if (value_equal(
			a->ptr, a->len, b->ptr, b->len, d->opts->tolerance))
			continue;
		ch = &cr->changes[cr->nchanges++];
		ch->column = c;
		ch->old_value = sample_value(a->ptr, a->len, truncated);
		ch->new_value = sample_value(b->ptr, b->len, truncated);
	}
	return 0;
}

static void
key_rows_move(struct diff_key_row **dst, size_t *ndst,
    struct diff_key_row **src, size_t *nsrc)
{
	*dst = *src;
	*ndst = *nsrc;
	*src = NULL;
	*nsrc = 0;
}

/* phase 2 and 3 and the samples, once the key is settled */
static int
diff_match(struct diff *d, struct diff_result *res, struct diff_error *err)
{
	struct side *o = &d->s[0], *n = &d->s[1];
	const size_t samples = d->opts->samples;
	struct match_task t[2];
	void *args[2] = {&t[0], &t[1]};
	size_t ntasks = o->keyed && d->opts->parallel && n->nent > 4096 ? 2 : 1;
	struct csv_reader ro, rn;
	int ret = -1, trunc = 0;

	d->matched = xhuge_calloc(o->nent ? o->nent : 1, 1);
	if (!o->keyed) {
		d->cursor = xcalloc(o->nent ? o->nent : 1, sizeof(*d->cursor));
		for (size_t i = 0; i < o->nent; i++)
			d->cursor[i] = (uint32_t)i;
	}
	memset(t, 0, sizeof(t));
	for (size_t k = 0; k < ntasks; k++) {
		t[k].d = d;
		t[k].from = n->nent * k / ntasks;
		t[k].to = n->nent * (k + 1) / ntasks;
		csv_reader_clone(&t[k].ro, &o->rd);
		csv_reader_clone(&t[k].rn, &n->rd);
		t[k].colchg = xcalloc_line(d->ncmp, sizeof(uint64_t));
		t[k].s_added = xcalloc(samples ? samples : 1, sizeof(uint32_t));
		t[k].s_changed =
		    xcalloc(samples ? samples : 1, sizeof(struct pair));
	}
	if (o->has_header || n->has_header)
		run_tasks(d->opts, o->keyed ? match_keyed : match_unkeyed, args,
		    ntasks);

	csv_reader_clone(&ro, &o->rd);
	csv_reader_clone(&rn, &n->rd);
	res->columns = xcalloc(d->ncmp ? d->ncmp : 1, sizeof(*res->columns));
	res->ncolumns = d->ncmp;
	for (size_t c = 0; c < d->ncmp; c++)
		res->columns[c].name = xstrdup(n->names[d->cmp_new[c]]);
	res->s_added = xcalloc(samples ? samples : 1, sizeof(*res->s_added));
	res->s_changed =
	    xcalloc(samples ? samples : 1, sizeof(*res->s_changed));
	for (size_t k = 0; k < ntasks; k++) {
		if (t[k].error) {
			diff_fail(
			    err, -1, 0, "internal error: cannot re-read a row");
			goto out;
		}
		res->added += t[k].added;
		res->changed += t[k].changed;
		res->unchanged += t[k].unchanged;
		for (size_t c = 0; c < d->ncmp; c++)
			res->columns[c].changed += t[k].colchg[c];
		for (size_t i = 0; i < t[k].ns_added && res->ns_added < samples;
		     i++)
			if (sample_row(&rn, &n->ent[t[k].s_added[i]],
				&res->s_added[res->ns_added++], &trunc) == -1)
				goto reread;
		for (size_t i = 0;
		     i < t[k].ns_changed && res->ns_changed < samples; i++)
			if (sample_changed(d, &ro, &rn, &t[k].s_changed[i],
				&res->s_changed[res->ns_changed++],
				&trunc) == -1)
				goto reread;
	}

	/* phase 3: old rows nobody matched, in the old file's order */
	res->s_removed =
	    xcalloc(samples ? samples : 1, sizeof(*res->s_removed));
	for (size_t i = 0; i < o->nent; i++) {
		if (d->matched[i] || entry_dup(&o->ent[i]))
			continue;
		res->removed++;
		if (res->ns_removed < samples &&
		    sample_row(&ro, &o->ent[i],
			&res->s_removed[res->ns_removed++], &trunc) == -1)
			goto reread;
	}
	res->dup_old = o->dups;
	res->dup_new = n->dups;
	res->null_old = o->nulls;
	res->null_new = n->nulls;
	key_rows_move(&res->s_dup_old, &res->ns_dup_old, &o->sdup, &o->nsdup);
	key_rows_move(&res->s_dup_new, &res->ns_dup_new, &n->sdup, &n->nsdup);
	key_rows_move(
	    &res->s_null_old, &res->ns_null_old, &o->snull, &o->nsnull);
	key_rows_move(
	    &res->s_null_new, &res->ns_null_new, &n->snull, &n->nsnull);
	res->samples_truncated = trunc;
	ret = 0;
	goto out;
reread:
	diff_fail(err, -1, 0, "internal error: cannot re-read a sampled row");
out:
	for (size_t k = 0; k < ntasks; k++) {
		csv_reader_release(&t[k].ro);
		csv_reader_release(&t[k].rn);
		free(t[k].colchg);
		free(t[k].s_added);
		free(t[k].s_changed);
	}
	csv_reader_release(&ro);
	csv_reader_release(&rn);
	return ret;
}

static void
diff_ignore_missing(struct diff_result *res, const struct diff *d)
{
	for (size_t i = 0; i < d->opts->nignore; i++) {
		const char *name = d->opts->ignore[i];

		if (side_col(&d->s[0], name) < 0 &&
		    side_col(&d->s[1], name) < 0)
			strv_push(
			    &res->ignore_missing, &res->nignore_missing, name);
	}
}

static int
diff_same_layout(const struct diff *d)
{
	const struct side *o = &d->s[0], *n = &d->s[1];

	if (!o->has_header || !n->has_header || o->ncols != n->ncols ||
	    o->in->delim != n->in->delim)
		return 0;
	for (size_t i = 0; i < o->ncols; i++)
		if (strcmp(o->names[i], n->names[i]) != 0)
			return 0;
	return 1;
}

struct diff_result *
diff_run(const struct diff_table *old, const struct diff_table *new,
    const struct diff_options *opts, struct diff_error *err)
{
	struct diff d;
	struct diff_result *res = NULL;
	struct key_choice kc[3];
	size_t nkc = 0, k;
	void *args[2];

	memset(&d, 0, sizeof(d));
	memset(err, 0, sizeof(*err));
	err->side = -1;
	d.opts = opts;
	if (opts->samples > DIFF_MAX_SAMPLES) {
		diff_fail(err, -1, 0, "more than %d samples", DIFF_MAX_SAMPLES);
		goto fail;
	}
	if (side_open(&d.s[0], old, 0, err) == -1 ||
	    side_open(&d.s[1], new, 1, err) == -1)
		goto fail;
	if (diff_key_candidates(&d, opts, kc, &nkc, err) == -1)
		goto fail;
	d.same_layout = diff_same_layout(&d);

	for (k = 0; k < nkc; k++) {
		diff_plan_columns(&d, &kc[k]);
		diff_plan_sides(&d, &kc[k]);
		atomic_store(&d.stop, 0);
		args[0] = &d.s[0];
		args[1] = &d.s[1];
		run_tasks(opts, side_scan, args, 2);
		for (int w = 0; w < 2; w++)
			if (d.s[w].error) {
				diff_fail(
				    err, w, d.s[w].err_line, "%s", d.s[w].err);
				err->too_large = d.s[w].error == SIDE_TOO_LARGE;
				goto fail;
			}
		if (!d.s[0].failed && !d.s[1].failed)
			break;
		side_reset(&d.s[0]);
		side_reset(&d.s[1]);
	}

	res = xcalloc(1, sizeof(*res));
	diff_side_info(&res->old, &d.s[0]);
	diff_side_info(&res->new, &d.s[1]);
	res->key_source = kc[k].source;
	res->nkey = kc[k].n;
	res->key = xcalloc(kc[k].n ? kc[k].n : 1, sizeof(*res->key));
	for (size_t i = 0; i < kc[k].n; i++)
		res->key[i] = xstrdup(kc[k].cols[i]);
	diff_schema(res, &d);
	diff_ignore_missing(res, &d);
	if (diff_match(&d, res, err) == -1)
		goto fail;
	goto out;
fail:
	diff_result_free(res);
	res = NULL;
out:
	side_release(&d.s[0]);
	side_release(&d.s[1]);
	free(d.cmp_old);
	free(d.cmp_new);
	free(d.matched);
	free(d.cursor);
	return res;
}

static void
key_rows_free(struct diff_key_row *v, size_t n, size_t nkey)
{
	for (size_t i = 0; i < n; i++)
		free_strv(v[i].key, nkey);
	free(v);
}

static void
side_info_free(struct diff_side_info *info)
{
	free(info->path);
	free_strv(info->columns, info->ncolumns);
	free(info->types);
}

void
diff_result_free(struct diff_result *res)
{
	if (!res)
		return;
	side_info_free(&res->old);
	side_info_free(&res->new);
	for (size_t i = 0; i < res->ns_added; i++)
		free_strv(res->s_added[i].values, res->s_added[i].nvalues);
	free(res->s_added);
	for (size_t i = 0; i < res->ns_removed; i++)
		free_strv(res->s_removed[i].values, res->s_removed[i].nvalues);
	free(res->s_removed);
	for (size_t i = 0; i < res->ns_changed; i++) {
		struct diff_changed_row *cr = &res->s_changed[i];

		free_strv(cr->key, res->nkey);
		for (size_t j = 0; j < cr->nchanges; j++) {
			free(cr->changes[j].old_value);
			free(cr->changes[j].new_value);
		}
		free(cr->changes);
	}
	free(res->s_changed);
	key_rows_free(res->s_dup_old, res->ns_dup_old, res->nkey);
	key_rows_free(res->s_dup_new, res->ns_dup_new, res->nkey);
	key_rows_free(res->s_null_old, res->ns_null_old, res->nkey);
	key_rows_free(res->s_null_new, res->ns_null_new, res->nkey);
	free_strv(res->key, res->nkey);
	free_strv(res->ignore_missing, res->nignore_missing);
	free_strv(res->cols_added, res->ncols_added);
	free_strv(res->cols_removed, res->ncols_removed);
	for (size_t i = 0; i < res->ntype_changes; i++)
		free(res->type_changes[i].column);
	free(res->type_changes);
	for (size_t i = 0; i < res->ncolumns; i++)
		free(res->columns[i].name);
	free(res->columns);
	free(res);
}

int
diff_has_differences(const struct diff_result *res)
{
	return res->added || res->removed || res->changed || res->ncols_added ||
	    res->ncols_removed || res->ntype_changes || res->order_changed ||
	    res->dup_old != res->dup_new || res->null_old != res->null_new;
}
