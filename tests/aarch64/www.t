#!/bin/sh
# The shared test tests/vm/www.sh on aarch64 (it says what it checks).
exec sh tests/vm/www.sh aarch64
