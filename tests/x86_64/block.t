#!/bin/sh
# The shared test tests/vm/block.sh on x86_64 (it says what it checks).
exec sh tests/vm/block.sh x86_64
