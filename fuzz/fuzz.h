/*
 * Shared by the libFuzzer targets of fuzz/ and their corpus replay driver (replay_main.c):
 * the entry point every target defines, and the checks a target makes on what a parser
 * returned. A failed check aborts, which libFuzzer and the replay tests report as a crash.
 */
#ifndef CORM_FUZZ_H
#define CORM_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <corm.h>

/** libFuzzer's entry point: one input, borrowed for the call. Returns 0. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/** Aborts with `what` and the input's length when `cond` is false (a property broke). */
#define FUZZ_CHECK(cond, what)                                                                     \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "fuzz: property broken at %s:%d: %s\n", __FILE__,          \
			        __LINE__, (what));                                                 \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

/** A copy of data[0..size) with a NUL after it (the parsers that want a C string). Caller frees
 * with free(); aborts when out of memory (a fuzzer has no use for a partial run). */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (!s)
		abort();
	if (size)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/** True for CORM_OK and for every code CORM_ERRNO_MAP names as a failure (CORM_E*). */
static inline int fuzz_clean_code(int rc)
{
	return rc == CORM_OK ||
	       (rc < 0 && strcmp(corm_strerror(rc), corm_strerror(INT32_MIN)) != 0);
}

#endif
