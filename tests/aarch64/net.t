#!/bin/sh
# The shared test tests/vm/net.sh on aarch64 (it says what it checks).
exec sh tests/vm/net.sh aarch64
