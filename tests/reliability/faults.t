#!/bin/sh
# The short run of the fault suite (tests/reliability/faults.sh; make
# faults runs the whole list against Linux too): the echo image through
# keel-faultlink at no fault, 1%, 5% and 20% loss, 20% duplication with
# 50% reordering, 200 ms of delay and a 10 Mbit/s cap; 1 MiB each way at
# once (less at 20% loss), byte-exact. Needs root.
REL_FAULTS=short exec sh tests/reliability/faults.sh
