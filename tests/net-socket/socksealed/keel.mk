# Test image for tests/net-socket/seal.t: the seal of an image linking the
# socket stack. No devices.
APP_LIBS := net-socket
