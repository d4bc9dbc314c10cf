# Helpers of the reliability suites (tests/reliability/README.md): the
# load generator and the image that probes the linux target's memory
# protection. No unit tests here; the suites are scripts.

REL_T := $(H)/tests/reliability
REL_LOADGEN := $(REL_T)/loadgen

$(REL_LOADGEN): tests/reliability/loadgen.c
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) -o $@ $<

.PHONY: reliability-tools
reliability-tools: $(REL_LOADGEN) $(H)/bin/keel-launch $(H)/bin/keel-faultlink
