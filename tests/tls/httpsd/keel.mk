# Test image of lib/tls (tests/tls/*.t): HTTPS (lib/http over lib/tls) on
# the socket stack over loopback, certificates given on the command line,
# and a TLS client probe. No devices: host sockets.
APP_LIBS := tls http net-socket
