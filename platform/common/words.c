/*
 * words.c — the loader's command line cut into words, for cmdline.c of
 * each hypervisor target: words are separated by spaces, tabs or line
 * ends; "..." or '...' holds spaces (the quotes are removed; there are
 * no escapes).
 */
#include "platform_impl.h"

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

char *platform_next_word(char **p)
{
	char *s = *p, *word, *out;
	char quote = 0;

	while (is_space(*s))
		s++;
	if (!*s)
		return NULL;
	word = out = s;
	for (; *s; s++) {
		if (quote) {
			if (*s == quote)
				quote = 0;
			else
				*out++ = *s;
		} else if (*s == '"' || *s == '\'') {
			quote = *s;
		} else if (is_space(*s)) {
			s++;
			break;
		} else {
			*out++ = *s;
		}
	}
	*out = '\0';
	*p = s;
	return word;
}
