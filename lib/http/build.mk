# lib/http — the HTTP/1.1 server over flows. Every .c file here is part of
# it; serve.c (keel_http_serve) also needs a network library (net) at link
# time, and is only pulled in by applications that call it.
LIB_SRCS_http := $(sort $(wildcard lib/http/*.c))
