/*
 * exit.c — ending the image: kp_exit and kp_abort.
 *
 * QEMU ends when the guest writes to its isa-debug-exit device
 * (`-device isa-debug-exit,iobase=0xf4,iosize=0x04`), with process status
 * (value << 1) | 1 — always odd, and only 7 bits of it survive the 8-bit
 * process status. So the status is first written in full, as the text
 * "keel-exit N\n", to the status port 0xe9, where tools/qemu-run.sh
 * attaches an isa-debugcon whose output goes to a file; it reads N from
 * there and exits with it, so any 0..255 comes through exactly. Run by
 * hand with only isa-debug-exit, QEMU's status is (2N + 1) mod 256.
 *
 * QEMU stops the machine the moment the status is written, so frames
 * still in a net device's queue would never leave: devices_quiesce()
 * waits (bounded) for the devices to take them first.
 *
 * Without the exit device (another hypervisor, or QEMU started without
 * it) the write does nothing; the image then says "keel: exit status N"
 * on the console, for a harness to read, and halts with interrupts off.
 * (ACPI power-off would need the ACPI tables parsed; not done.)
 */
#include "platform_impl.h"

#define DEBUG_EXIT_PORT 0xf4
#define STATUS_PORT 0xe9

static void status_port_write(const char *s)
{
	while (*s)
		io_out8(STATUS_PORT, (uint8_t)*s++);
}

void kp_exit(int status)
{
	char num[PLATFORM_NUM_BUF];
	const char *n = platform_num(num, (uint64_t)(status & 0xff));

	devices_quiesce();
	console_flush();
	status_port_write("keel-exit ");
	status_port_write(n);
	status_port_write("\n");
	io_out8(DEBUG_EXIT_PORT, (uint8_t)status);

	/* Still here: there is no exit device. */
	print_str("keel: exit status ");
	print_str(n);
	print_str(" (no isa-debug-exit device to end the VM: halting)\n");
	for (;;)
		__asm__ volatile("cli; hlt");
}

/* A crash: the return addresses say where it came from. */
void kp_abort(void)
{
	uint64_t rbp;

	__asm__ volatile("mov %%rbp, %0" : "=r"(rbp));
	console_flush();
	print_str("keel: abort\n");
	/* The walk starts at this function; the next addresses are its
	 * callers'. */
	fault_print_stack((uint64_t)(uintptr_t)kp_abort, rbp);
	kp_exit(X86_EXIT_ABORT);
}

const char *kp_target(void)
{
	return "x86_64";
}
