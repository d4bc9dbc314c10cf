/*
 * rand, srand — a 64-bit linear congruential generator (Knuth's MMIX
 * constants) returning its high 31 bits, whose period is 2^64. Not for
 * anything an attacker should not predict: use kp_random() for that.
 */
#include "../internal.h"

static uint64_t state = 1;

void srand(unsigned seed)
{
	state = seed;
}

int rand(void)
{
	state = state * 6364136223846793005u + 1442695040888963407u;
	return (int)(state >> 33);
}
