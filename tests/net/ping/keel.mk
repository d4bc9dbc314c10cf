# Test image for tests/net/*.t: answers ping and ARP through lib/net and
# echoes UDP datagrams on port 7.
APP_SRCS := main.c
APP_LIBS := net
