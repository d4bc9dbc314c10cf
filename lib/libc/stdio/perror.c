/* perror */
#include "../internal.h"

void perror(const char *s)
{
	const char *text = strerror(errno);

	if (s && *s) {
		fputs(s, stderr);
		fputs(": ", stderr);
	}
	fputs(text, stderr);
	fputs("\n", stderr);
}
