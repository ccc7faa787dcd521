/*
 * diff: the data diff engine (pure: no I/O, no logging, no globals, no
 * threads of its own).
 *
 * Compares two delimited tables held in memory (design.md 6): columns by
 * name, rows by key (explicit, or chosen as in 6.3) or, without a key, as a
 * multiset of records. The algorithm is a hash join: each side is scanned
 * once (header checks, column types, key hashes, a compact index of 16 bytes
 * per row plus an open-addressing table), then every new row is matched to
 * its old row. A key match is always confirmed on the key bytes, and rows are
 * compared on their values, so no result ever rests on a hash alone.
 *
 * The caller may pass a parallel runner; the two sides are then scanned at
 * once and the new side is matched in two halves.
 */
#ifndef DIFF_H
#define DIFF_H

#include <stddef.h>
#include <stdint.h>

#include "compat.h"
#include "value.h"

enum diff_key_source {
	DIFF_KEY_OPTION, /* --key on the command line */
	DIFF_KEY_CONFIG, /* key = in a configuration rule */
	DIFF_KEY_AUTO,   /* chosen by the rules of design.md 6.3 */
	DIFF_KEY_NONE,   /* no key: multiset comparison */
};

const char *diff_key_source_name(enum diff_key_source s);

/* One side of the comparison. buf must stay valid until diff_run returns. */
struct diff_table {
	const char *path; /* for messages and the result; not owned */
	const char *buf;
	size_t len;
	char delim;
};

/* Runs fn(args[i]) for i < n, possibly at the same time; returns when done. */
typedef void diff_parallel_fn(
    void *ctx, void (*fn)(void *), void *const *args, size_t n);

struct diff_options {
	const char *const *key; /* explicit key columns, or NULL for auto */
	size_t nkey;
	enum diff_key_source key_source; /* OPTION or CONFIG when nkey > 0 */
	const char *const *ignore; /* columns left out of value comparison */
	size_t nignore;
	double tolerance; /* numbers equal when |a - b| <= tolerance; 0 exact */
	size_t samples;   /* sample rows per category */
	uint64_t max_rows;  /* records per file; 0 for CSV_MAX_ROWS */
	uint64_t hash_seed; /* any value: the result does not depend on it */
	diff_parallel_fn *parallel; /* NULL: one task after another */
	void *parallel_ctx;
};

/* Defaults: auto key, no ignores, exact, DIFF_DEFAULT_SAMPLES samples. */
void diff_options_init(struct diff_options *opts);

struct diff_error {
	int side;           /* 0 old, 1 new, -1 neither */
	unsigned long line; /* 0 when no line applies */
	int too_large;      /* a limit was hit: the file is not malformed */
	char msg[192];
};

struct diff_side_info {
	char *path;
	uint64_t rows; /* records, not counting the header */
	char **columns;
	size_t ncolumns;
	enum value_type *types; /* per column */
	int has_header;         /* 0 for a table without any record */
};

struct diff_type_change {
	char *column;
	enum value_type old_type, new_type;
};

struct diff_column {
	char *name;
	uint64_t changed; /* matched rows whose value differs */
};

/* A sampled whole row: values[i] belongs to the side's columns[i]. */
struct diff_row {
	char **values;
	size_t nvalues;
};

/* A sampled changed row: the key and the compared columns that differ. */
struct diff_change {
	size_t column; /* index into diff_result.columns */
	char *old_value, *new_value;
};

struct diff_changed_row {
	char **key; /* one value per key column */
	struct diff_change *changes;
	size_t nchanges;
};

/* A further occurrence of a key (duplicate) or a row without a key (null). */
struct diff_key_row {
	char **key; /* one value per key column; NULL for a null key */
	unsigned long line;
};

struct diff_result {
	struct diff_side_info old, new;
	char **key; /* key column names; nkey == 0 when unkeyed */
	size_t nkey;
	enum diff_key_source key_source;
	char **ignore_missing; /* --ignore names found in neither file */
	size_t nignore_missing;

	char **cols_added; /* in the new file's order */
	size_t ncols_added;
	char **cols_removed; /* in the old file's order */
	size_t ncols_removed;
	int order_changed;
	struct diff_type_change *type_changes;
	size_t ntype_changes;

	uint64_t added, removed, changed, unchanged;
	uint64_t dup_old, dup_new, null_old, null_new;

	struct diff_column *columns; /* compared columns, new file's order */
	size_t ncolumns;

	struct diff_row *s_added; /* new file's order, new columns */
	size_t ns_added;
	struct diff_row *s_removed; /* old file's order, old columns */
	size_t ns_removed;
	struct diff_changed_row *s_changed; /* new file's order */
	size_t ns_changed;
	struct diff_key_row *s_dup_old, *s_dup_new;
	size_t ns_dup_old, ns_dup_new;
	struct diff_key_row *s_null_old, *s_null_new;
	size_t ns_null_old, ns_null_new;
	int samples_truncated; /* some sampled value was cut at the limit */
};

/*
 * Compare old with new. Returns a result the caller frees with
 * diff_result_free(), or NULL with *err filled (a malformed table, a missing
 * key column, a limit).
 */
struct diff_result *diff_run(const struct diff_table *old,
    const struct diff_table *new, const struct diff_options *opts,
    struct diff_error *err);

void diff_result_free(struct diff_result *res);

/*
 * Whether the result shows differences (design.md 5.1): rows added, removed
 * or changed, columns added or removed, a type change, a reordering, or
 * duplicate or null key counts that differ between the two files.
 */
int diff_has_differences(const struct diff_result *res);

#endif /* DIFF_H */
