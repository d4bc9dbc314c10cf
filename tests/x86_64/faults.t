#!/bin/sh
# The shared test tests/vm/faults.sh on x86_64 (it says what it checks).
exec sh tests/vm/faults.sh x86_64
