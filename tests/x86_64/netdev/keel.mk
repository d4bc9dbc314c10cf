# Declares a net device but never uses it (tests/x86_64/bad.t): the image
# must refuse to start without one, and link no network driver.
APP_SRCS := main.c
