/*
 * tls.c — fetch's https://: a TLS client (lib/tls) over the TCP connection,
 * trusting the CA certificates compiled in (keel.mk: FETCH_CA), checking
 * the server's chain, its dates and its name.
 */
#include <stdio.h>
#include <string.h>

#include <keel/core.h>
#include <keel/tls.h>

#include "fetch.h"

#include FETCH_CA_C /* defines fetch_ca_pem[] */

int fetch_tls(struct keel_flow *tcp, const char *name, keel_time deadline, struct keel_flow **out,
              const char **why)
{
	static char reason[160];
	struct keel_tls_client *client;
	struct keel_tls_info ti;
	int rc;

	rc = keel_tls_client_new(NULL, fetch_ca_pem, strlen(fetch_ca_pem), &client);
	if (rc != KEEL_OK) {
		keel_close(tcp);
		snprintf(reason, sizeof(reason), "no TLS client: %s", keel_strerror(rc));
		*why = reason;
		return -1;
	}
	rc = keel_tls_connect(client, tcp, name, deadline, out);
	if (rc != KEEL_OK) {
		int code = keel_tls_last_error(NULL);

		snprintf(reason, sizeof(reason), "%s (%s)", keel_strerror(rc),
		         code ? keel_tls_strerror(code) : "no TLS error");
		*why = reason;
		/* The client stays: a session may not outlive it, and the
		 * image ends right after a failure. */
		return -1;
	}
	if (keel_tls_info(*out, &ti) == KEEL_OK)
		printf("fetch: TLS 1.2 %s, certificate verified for %s%s%s\n", ti.suite_name, name,
		       ti.alpn[0] ? ", ALPN " : "", ti.alpn);
	return 0;
}
