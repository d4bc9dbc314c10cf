/*
 * keel_core_stats: a copy of the runtime's counters.
 */
#include "core_impl.h"

void keel_core_stats(struct keel_core_stats *out)
{
	*out = keel__core.stats;
	out->fibers_live = keel__core.fibers_live;
}
