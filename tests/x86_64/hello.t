#!/bin/sh
# The shared test tests/vm/hello.sh on x86_64 (it says what it checks).
exec sh tests/vm/hello.sh x86_64
