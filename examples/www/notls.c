/*
 * notls.c — the www example without TLS (examples/www-socket, or
 * examples/www built with WWW_CERT=none): HTTP only.
 */
#include <stddef.h>

#include "www.h"

const struct www_tls *const www_tls = NULL;
