/*
 * memory.c — the heap region and guard pages.
 *
 * The heap is one anonymous mapping made before sealing; after sealing no
 * new memory can be mapped, so this is all the image will ever have.
 * MAP_NORESERVE: pages cost nothing until touched, so a generous default
 * does not tie up host memory.
 */
#include "platform_impl.h"

#define HEAP_MB_DEFAULT 64
#define HEAP_MB_MIN 1 /* platform.h: at least 1 MiB */
#define HEAP_MB_MAX 16384

void linux_heap_reserve(char **envp, uintptr_t *start, size_t *size)
{
	char b1[LINUX_NUM_BUF], b2[LINUX_NUM_BUF];
	const char *env = linux_env(envp, "KEEL_HEAP_MB");
	uint64_t mb = HEAP_MB_DEFAULT;
	long addr;

	if (env && !linux_parse_uint(env, HEAP_MB_MIN, HEAP_MB_MAX, &mb))
		linux_fail("KEEL_HEAP_MB='", env, "' is not a whole number of MiB from ",
		           linux_num(b1, HEAP_MB_MIN), " to ", linux_num(b2, HEAP_MB_MAX), NULL);
	*size = (size_t)mb << 20;
	addr = linux_syscall6(LINUX_SYS_mmap, 0, (long)*size, LINUX_PROT_READ | LINUX_PROT_WRITE,
	                      LINUX_MAP_PRIVATE | LINUX_MAP_ANONYMOUS | LINUX_MAP_NORESERVE, -1, 0);
	if (addr < 0)
		linux_fail("cannot reserve a heap of ", linux_num(b1, mb),
		           " MiB: ", linux_strerror(addr), NULL);
	*start = (uintptr_t)addr;
}

int kp_page_guard(void *addr, size_t len, bool guard)
{
	uintptr_t a = (uintptr_t)addr;
	long prot = guard ? LINUX_PROT_NONE : LINUX_PROT_READ | LINUX_PROT_WRITE;

	if (a % LINUX_PAGE_SIZE || len == 0 || len % LINUX_PAGE_SIZE)
		return KEEL_EINVAL;
	if (linux_syscall3(LINUX_SYS_mprotect, (long)a, (long)len, prot) < 0)
		return KEEL_EINVAL;
	return KEEL_OK;
}
