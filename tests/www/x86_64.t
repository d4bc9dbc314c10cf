#!/bin/sh
# The shared test tests/vm/www.sh on x86_64 (it says what it checks).
exec sh tests/vm/www.sh x86_64
