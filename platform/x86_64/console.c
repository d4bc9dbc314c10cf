/*
 * console.c — the console: the 16550 UART on COM1, polled.
 *
 * Output is line-buffered: kp_console_write() collects bytes until a
 * newline (or a full buffer) and then writes them out. With its FIFO on,
 * the UART reports "transmit holding register empty" only when the whole
 * 16-byte FIFO is empty, so each time it does we write 16 bytes: one
 * status read per 16 bytes rather than per byte (each port access is an
 * exit to the hypervisor).
 *
 * A missing UART reads as all ones, which looks "empty": output is then
 * dropped rather than waited for. A UART that never empties its FIFO is
 * given up on after a bounded wait, as platform.h allows ("or drop them
 * if the console is gone").
 */
#include "platform_impl.h"

#define COM1 0x3f8
#define UART_THR 0 /* transmit holding register (DLAB = 0) */
#define UART_DLL 0 /* divisor latch, low (DLAB = 1) */
#define UART_IER 1
#define UART_DLM 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define LSR_THR_EMPTY 0x20
#define UART_FIFO_SIZE 16
#define UART_WAIT_MAX 1000000 /* status reads before giving up on a stuck UART */

#define LINE_BUF 256

static char line[LINE_BUF];
static size_t line_len;
static bool uart_stuck;

void console_init(void)
{
	io_out8(COM1 + UART_IER, 0x00); /* no interrupts: polled */
	io_out8(COM1 + UART_LCR, 0x80); /* DLAB: set the divisor */
	io_out8(COM1 + UART_DLL, 0x01); /* 115200 baud */
	io_out8(COM1 + UART_DLM, 0x00);
	io_out8(COM1 + UART_LCR, 0x03); /* 8 bits, no parity, 1 stop bit */
	io_out8(COM1 + UART_FCR, 0x07); /* FIFO on, both FIFOs cleared */
	io_out8(COM1 + UART_MCR, 0x03); /* DTR, RTS */
}

static void uart_write(const char *buf, size_t len)
{
	while (len > 0 && !uart_stuck) {
		size_t n = len < UART_FIFO_SIZE ? len : UART_FIFO_SIZE;
		unsigned waited = 0;

		while (!(io_in8(COM1 + UART_LSR) & LSR_THR_EMPTY)) {
			if (++waited == UART_WAIT_MAX) {
				uart_stuck = true;
				return;
			}
			__asm__ volatile("pause");
		}
		for (size_t i = 0; i < n; i++)
			io_out8(COM1 + UART_THR, (uint8_t)buf[i]);
		buf += n;
		len -= n;
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
