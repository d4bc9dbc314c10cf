# Test image of the socket stack (tests/net-socket/*.t): TCP and UDP echo,
# a client, connect and resolve probes. No devices: host sockets.
APP_LIBS := net-socket
