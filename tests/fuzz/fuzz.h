/*
 * fuzz.h: what the harnesses share.
 *
 * A harness defines LLVMFuzzerTestOneInput() and nothing else global; it is
 * linked either with libFuzzer (-fsanitize=fuzzer) or with replay_main.c.
 * A broken property calls FUZZ_ASSERT, which prints the property and
 * aborts, so both drivers report it as a crash with a stack trace.
 */
#ifndef ETL_FUZZ_H
#define ETL_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_ASSERT(cond)                                                                          \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, __LINE__,        \
			        #cond);                                                            \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

/* The input as a NUL-terminated string (cut at its first NUL); caller frees. */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/*
 * The config/ folder: $ETL_HOME/config, else the checkout's, compiled in
 * as FUZZ_CONFIG_DIR by tests/fuzz/Makefile.
 */
static inline const char *fuzz_config_dir(void)
{
	static char dir[4096];
	const char *home = getenv("ETL_HOME");

	if (home && *home)
		snprintf(dir, sizeof(dir), "%s/config", home);
	else
		snprintf(dir, sizeof(dir), "%s", FUZZ_CONFIG_DIR);
	return dir;
}

#endif
