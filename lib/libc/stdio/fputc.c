/* fputc */
#include "../internal.h"

int fputc(int c, FILE *f)
{
	char ch = (char)c;

	keel__file_write(f, &ch, 1);
	return (unsigned char)c;
}
