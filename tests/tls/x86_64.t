#!/bin/sh
# The shared test tests/vm/https.sh on x86_64 (it says what it checks).
exec sh tests/vm/https.sh x86_64
