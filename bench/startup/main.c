/* startup — the least an image can do: one line, exit 0. */
#include <stdio.h>

int main(int argc, char **argv)
{
	puts("started");
	return 0;
}
