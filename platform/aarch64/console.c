/*
 * console.c — the console: the PL011 UART the device tree names, polled.
 *
 * Output is line-buffered as on x86_64. Each byte waits for room in the
 * transmit FIFO (UARTFR.TXFF clear); QEMU's PL011 never fills it, a real
 * one does at its baud rate. A UART whose FIFO stays full is given up
 * on after a bounded wait ("or drop them if the console is gone"). The
 * UART is used as the firmware or QEMU left it: QEMU needs no set-up,
 * and a board's firmware has set the baud rate already.
 */
#include "platform_impl.h"

#define UARTDR 0x00
#define UARTFR 0x18
#define FR_TXFF (1u << 5)
#define UART_WAIT_MAX 1000000

#define LINE_BUF 256

static char line[LINE_BUF];
static size_t line_len;
static bool uart_stuck;
static uintptr_t uart;

void console_init(void)
{
	uart = (uintptr_t)dt.uart;
}

static void uart_write(const char *buf, size_t len)
{
	for (size_t i = 0; i < len && uart && !uart_stuck; i++) {
		unsigned waited = 0;

		while (mmio_read32(uart + UARTFR) & FR_TXFF) {
			if (++waited == UART_WAIT_MAX) {
				uart_stuck = true;
				return;
			}
		}
		mmio_write32(uart + UARTDR, (uint8_t)buf[i]);
	}
}

void console_flush(void)
{
	uart_write(line, line_len);
	line_len = 0;
}

void console_write_now(const char *buf, size_t len)
{
	console_flush();
	uart_write(buf, len);
}

void kp_console_write(const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		line[line_len++] = buf[i];
		if (buf[i] == '\n' || line_len == LINE_BUF)
			console_flush();
	}
}
