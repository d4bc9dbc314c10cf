# Test image for tests/net/dhcp.t: the direct stack on net device
# "service", configured by DHCP or by --ipv4/--dns, resolving names.
APP_SRCS := main.c
APP_LIBS := net
