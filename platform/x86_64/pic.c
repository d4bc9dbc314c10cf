/*
 * pic.c — the legacy 8259 interrupt controllers.
 *
 * Only used while clock.c measures the TSC against the PIT (IRQ 0);
 * otherwise every line is masked. They are remapped anyway, so that a
 * stray legacy interrupt can never look like a CPU exception.
 */
#include "platform_impl.h"

#define PIC1_CMD 0x20
#define PIC1_DATA 0x21
#define PIC2_CMD 0xa0
#define PIC2_DATA 0xa1
#define PIC_EOI 0x20

void pic_init(uint16_t unmasked)
{
	io_out8(PIC1_CMD, 0x11); /* ICW1: init, ICW4 follows */
	io_out8(PIC2_CMD, 0x11);
	io_out8(PIC1_DATA, INTR_VECTOR_PIC_BASE); /* ICW2: vector base */
	io_out8(PIC2_DATA, INTR_VECTOR_PIC_BASE + 8);
	io_out8(PIC1_DATA, 0x04); /* ICW3: slave on IRQ 2 */
	io_out8(PIC2_DATA, 0x02);
	io_out8(PIC1_DATA, 0x01); /* ICW4: 8086 mode */
	io_out8(PIC2_DATA, 0x01);
	io_out8(PIC1_DATA, (uint8_t)~unmasked);
	io_out8(PIC2_DATA, (uint8_t) ~(unmasked >> 8));
}

void pic_eoi(unsigned irq)
{
	if (irq >= 8)
		io_out8(PIC2_CMD, PIC_EOI);
	io_out8(PIC1_CMD, PIC_EOI);
}
