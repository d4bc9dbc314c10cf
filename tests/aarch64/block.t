#!/bin/sh
# The shared test tests/vm/block.sh on aarch64 (it says what it checks).
exec sh tests/vm/block.sh aarch64
