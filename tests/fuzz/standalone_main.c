/*
 * standalone_main.c: feed files to a fuzz target without libFuzzer.
 *
 * usage: fuzz_X FILE|DIR...   Runs the target once per file (directories
 * are read one level deep) and prints "NAME: N passed, 0 failed"; a crash or
 * a failed assertion in the target ends the run.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"
#include "xmalloc.h"
#include "banned.h"

static int
run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	size_t len = 0, alloc = 0, n;

	if (!f) {
		perror(path);
		return -1;
	}
	do {
		if (alloc - len < 65536) {
			alloc = alloc ? alloc * 2 : 65536;
			buf = xrealloc(buf, alloc);
		}
		n = fread(buf + len, 1, alloc - len, f);
		len += n;
	} while (n > 0);
	fclose(f);
	LLVMFuzzerTestOneInput(buf, len);
	free(buf);
	return 0;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
main(int argc, char **argv)
{
	const char *name = strrchr(argv[0], '/');
	size_t runs = 0;

	name = name ? name + 1 : argv[0];
	for (int i = 1; i < argc; i++) {
		struct stat st;
		DIR *d;
		struct dirent *de;
		char **files = NULL;
		size_t nfiles = 0;

		if (stat(argv[i], &st) == -1) {
			perror(argv[i]);
			return 1;
		}
		if (!S_ISDIR(st.st_mode)) {
			if (run_file(argv[i]) == -1)
				return 1;
			runs++;
			continue;
		}
		d = opendir(argv[i]);
		if (!d) {
			perror(argv[i]);
			return 1;
		}
		while ((de = readdir(d))) {
			char path[4096];
			int w;

			if (de->d_name[0] == '.')
				continue;
			w = snprintf(
			    path, sizeof(path), "%s/%s", argv[i], de->d_name);
			if (w < 0 || (size_t)w >= sizeof(path))
				continue;
			files =
			    xreallocarray(files, nfiles + 1, sizeof(*files));
			files[nfiles++] = xstrdup(path);
		}
		closedir(d);
		qsort(files, nfiles, sizeof(*files), name_cmp);
		for (size_t k = 0; k < nfiles; k++) {
			if (run_file(files[k]) == -1)
				return 1;
			runs++;
			free(files[k]);
		}
		free(files);
	}
	printf("%s: %zu passed, 0 failed\n", name, runs);
	return 0;
}
