# Helpers of the reliability suites (docs/reliability.md): the
# load generator and the image that probes the linux target's memory
# protection. No unit tests here; the suites are scripts.

REL_T := $(H)/tests/reliability
REL_LOADGEN := $(REL_T)/loadgen

$(REL_LOADGEN): tests/reliability/loadgen.c
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) -o $@ $<

.PHONY: reliability-tools
reliability-tools: $(REL_LOADGEN) $(H)/bin/keel-launch $(H)/bin/keel-faultlink

# ---- The suites, long, on demand (need root; docs/reliability.md) ----
# make test runs their short versions (tests/reliability/*.t).
FUZZ_SECONDS ?= 60
.PHONY: soak attack faults fuzz-run
soak:
	sh tests/reliability/load.sh
attack:
	sh tests/reliability/attack.sh
faults:
	sh tests/reliability/faults.sh
# make fuzz only builds the fuzzers; fuzz-run builds and runs each.
fuzz-run: fuzz
	FUZZ_SECONDS=$(FUZZ_SECONDS) sh tests/reliability/fuzz.sh
