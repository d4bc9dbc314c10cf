# lib/core — the runtime: fibers, scheduler and loop, timers, wait queues,
# log and panic, keel_start. ARCH is set by the platform fragment.
CORE_C_SRCS := \
	lib/core/err.c \
	lib/core/fiber.c \
	lib/core/log.c \
	lib/core/loop.c \
	lib/core/panic.c \
	lib/core/sched.c \
	lib/core/sleep.c \
	lib/core/start.c \
	lib/core/stats.c \
	lib/core/timer.c \
	lib/core/waitq.c

CORE_SRCS := $(CORE_C_SRCS) lib/core/arch/$(ARCH)/switch.S
