#!/bin/sh
# The shared test tests/vm/hello.sh on aarch64 (it says what it checks).
exec sh tests/vm/hello.sh aarch64
