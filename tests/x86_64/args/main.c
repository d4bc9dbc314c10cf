/* Prints argc, each argument in brackets, and the heap size in KiB. */
#include <stdio.h>

#include <keel/heap.h>

int main(int argc, char **argv)
{
	struct keel_heap_stats hs;

	keel_heap_stats(&hs);
	printf("argc %d\n", argc);
	for (int i = 0; i < argc; i++)
		printf("argv[%d] [%s]\n", i, argv[i]);
	printf("heap %zu KiB\n", hs.size / 1024);
	return 0;
}
