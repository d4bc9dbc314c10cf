/*
 * PEM decoding with BearSSL's streaming decoder: every object of a text
 * ("-----BEGIN NAME-----" ... "-----END NAME-----") is handed to a callback
 * as DER. The input is the application's own (compiled in), but it is
 * still bounded: an object's DER may not exceed PEM_OBJECT_MAX.
 */
#include <stdlib.h>
#include <string.h>

#include "tls_impl.h"

#define PEM_OBJECT_MAX (64 * 1024)

struct der_buf {
	unsigned char *data;
	size_t len, cap;
	bool overflow;
};

static void der_append(void *ctx, const void *src, size_t len)
{
	struct der_buf *d = ctx;

	if (d->overflow)
		return;
	if (d->len + len > d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 2048;
		unsigned char *p;

		while (cap < d->len + len)
			cap *= 2;
		if (cap > PEM_OBJECT_MAX || !(p = realloc(d->data, cap))) {
			d->overflow = true;
			return;
		}
		d->data = p;
		d->cap = cap;
	}
	memcpy(d->data + d->len, src, len);
	d->len += len;
}

int keel_tls__pem_each(const char *pem, size_t len,
                       int (*fn)(void *arg, const char *name, const unsigned char *der,
                                 size_t der_len),
                       void *arg)
{
	br_pem_decoder_context pc;
	struct der_buf d = { 0 };
	char name[128];
	int count = 0, rc = KEEL_OK;
	bool inobj = false, tail = false;

	br_pem_decoder_init(&pc);
	while (len > 0 || tail) {
		size_t n;

		if (len == 0) {
			/* A text that does not end with a newline: give the
			 * decoder one so that the last END line completes. */
			tail = false;
			n = br_pem_decoder_push(&pc, "\n", 1);
			(void)n;
		} else {
			n = br_pem_decoder_push(&pc, pem, len);
			pem += n;
			len -= n;
			if (len == 0 && pem[-1] != '\n')
				tail = true;
		}
		switch (br_pem_decoder_event(&pc)) {
		case BR_PEM_BEGIN_OBJ:
			if (strlen(br_pem_decoder_name(&pc)) >= sizeof name) {
				rc = KEEL_EINVAL;
				goto out;
			}
			strcpy(name, br_pem_decoder_name(&pc));
			d.len = 0;
			d.overflow = false;
			br_pem_decoder_setdest(&pc, der_append, &d);
			inobj = true;
			break;
		case BR_PEM_END_OBJ:
			if (!inobj || d.overflow) {
				rc = d.overflow ? KEEL_ENOMEM : KEEL_EINVAL;
				goto out;
			}
			inobj = false;
			rc = fn(arg, name, d.data, d.len);
			if (rc < 0)
				goto out;
			count++;
			break;
		case BR_PEM_ERROR:
			rc = KEEL_EINVAL;
			goto out;
		default:
			break;
		}
	}
	rc = inobj ? KEEL_EINVAL : count;
out:
	free(d.data);
	return rc;
}
