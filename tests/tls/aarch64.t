#!/bin/sh
# The shared test tests/vm/https.sh on aarch64 (it says what it checks).
exec sh tests/vm/https.sh aarch64
