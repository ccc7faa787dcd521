/*
 * fuzz_csv: bytes -> the CSV reader. The first byte picks the delimiter.
 * Every record must have the header's width and point inside the input or
 * the reader's scratch space; re-reading a record by offset gives the same
 * record.
 */
#include <assert.h>
#include <string.h>

#include "fuzz.h"
#include "csv.h"
#include "banned.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char delims[] = ",\t|;";
	struct csv_reader r, r2;
	struct csv_record rec, again;
	char delim;
	int ret;

	if (size < 1)
		return 0;
	delim = delims[data[0] % 4];
	if (csv_reader_init(&r, (const char *)data + 1, size - 1, delim) ==
	    -1) {
		assert(memchr(data + 1, 0, size - 1));
		csv_reader_release(&r);
		return 0;
	}
	ret = csv_read_header(&r, &rec);
	if (ret == 1) {
		size_t ncols = rec.nfields;

		csv_reader_clone(&r2, &r);
		while ((ret = csv_next(&r, &rec)) == 1) {
			assert(rec.nfields == ncols);
			assert(rec.off + rec.len <= size - 1);
			assert(csv_record_at(&r2, rec.off, &again) == 1);
			assert(again.nfields == ncols);
			for (size_t i = 0; i < ncols; i++)
				assert(
				    again.fields[i].len == rec.fields[i].len);
		}
		csv_reader_release(&r2);
	}
	if (ret == -1)
		assert(r.err[0] != '\0');
	csv_reader_release(&r);
	return 0;
}
