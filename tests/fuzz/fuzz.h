/*
 * fuzz.h - the libFuzzer entry point every fuzz target defines. Built
 * with tests/fuzz/driver.c, a target replays a corpus directory (what
 * `make test` does); built with clang -fsanitize=fuzzer instead of the
 * driver, it is a real fuzzer:
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc \
 *       -I/usr/include/cjson tests/fuzz/fuzz_request.c \
 *       src/api/request.c src/api/query.c ... -lcjson -lm
 */
#ifndef ARC_FUZZ_H
#define ARC_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
