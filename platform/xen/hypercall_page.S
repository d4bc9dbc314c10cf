/*
 * hypercall_page.S — the page Xen writes its hypercall stubs into.
 *
 * It sits in .text, so the image's own page tables map it read-only and
 * executable like the rest of the code: Xen fills it through guest
 * physical memory when hypercall.c writes its address to Xen's MSR, and
 * W^X holds from the image's side. Until then it holds int3s, so a
 * hypercall made too early is reported as a breakpoint, not run blind.
 */
	.section .text.xen_hypercall_page, "ax", @progbits
	.balign	4096
	.globl	xen_hypercall_page
	.type	xen_hypercall_page, @object
xen_hypercall_page:
	.fill	4096, 1, 0xcc
	.size	xen_hypercall_page, 4096

	.section .note.GNU-stack, "", @progbits
