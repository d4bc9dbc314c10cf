#!/bin/sh
# The shared test tests/vm/net.sh on x86_64 (it says what it checks).
exec sh tests/vm/net.sh x86_64
