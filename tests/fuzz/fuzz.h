/*
 * fuzz.h: the libFuzzer entry point every target defines. The same targets
 * link with standalone_main.c (gcc, no libFuzzer) to replay their corpora in
 * `make check`.
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif /* FUZZ_H */
