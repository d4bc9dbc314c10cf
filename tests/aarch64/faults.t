#!/bin/sh
# The shared test tests/vm/faults.sh on aarch64 (it says what it checks).
exec sh tests/vm/faults.sh aarch64
