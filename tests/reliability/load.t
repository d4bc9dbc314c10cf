#!/bin/sh
# The short run of the load suite (tests/reliability/load.sh; make soak
# runs it long): wrk with 1,000 keep-alive connections for 30 s against
# the www image, then 10,000 short connections; zero errors, nothing
# refused below the bound, the heap flat and back to idle. Needs root.
REL_SECONDS=${REL_SECONDS:-30} REL_CHURN=${REL_CHURN:-10000} exec sh tests/reliability/load.sh
