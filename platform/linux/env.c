/*
 * env.c — the settings an image reads from its environment at start
 * (KEEL_HEAP_MB, KEEL_POLL_US), before sealing. The runtime never sees the
 * environment: main gets only argv.
 */
#include "platform_impl.h"

const char *linux_env(char **envp, const char *name)
{
	for (; *envp; envp++) {
		const char *e = *envp, *k = name;

		while (*k && *e == *k) {
			e++;
			k++;
		}
		if (!*k && *e == '=')
			return e + 1;
	}
	return NULL;
}

bool linux_parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *value)
{
	uint64_t v = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > max)
			return false;
	}
	if (v < min)
		return false;
	*value = v;
	return true;
}
