/*
 * semihost — what the host's semihosting would give a guest besides exit.
 *
 *   semihost PATH COMMAND
 *
 * Asks the host to open PATH and reads up to 63 bytes of it (SYS_OPEN,
 * SYS_READ), then to run COMMAND in its shell (SYS_SYSTEM), and prints
 * what came back. tests/aarch64/semihost.t runs it on QEMU configured as
 * the launcher configures it (nothing may reach the host) and, to show
 * that the probe works, with the host's files offered (target=native).
 * The platform itself uses semihosting only for SYS_EXIT.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define SYS_OPEN 0x01
#define SYS_READ 0x06
#define SYS_SYSTEM 0x12

static uint64_t semihost(uint64_t op, const uint64_t *block)
{
	register uint64_t x0 __asm__("x0") = op;
	register const uint64_t *x1 __asm__("x1") = block;

	__asm__ volatile("hlt #0xf000" : "+r"(x0) : "r"(x1) : "memory");
	return x0;
}

int main(int argc, char **argv)
{
	static char buf[64];
	uint64_t block[3];
	uint64_t fd, left;

	if (argc != 3) {
		puts("usage: semihost PATH COMMAND");
		return 2;
	}
	block[0] = (uint64_t)(uintptr_t)argv[1];
	block[1] = 0; /* mode "r" */
	block[2] = strlen(argv[1]);
	fd = semihost(SYS_OPEN, block);
	printf("semihost: open returned %lld\n", (long long)fd);
	block[0] = fd;
	block[1] = (uint64_t)(uintptr_t)buf;
	block[2] = sizeof(buf) - 1;
	left = semihost(SYS_READ, block);
	printf("semihost: read left %lld, buffer [%s]\n", (long long)left, buf);
	block[0] = (uint64_t)(uintptr_t)argv[2];
	block[1] = strlen(argv[2]);
	printf("semihost: system returned %lld\n", (long long)semihost(SYS_SYSTEM, block));
	puts("semihost: done");
	return 0;
}
