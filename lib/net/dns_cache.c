/*
 * dns_cache.c — a small, fixed-size cache of resolved names that honours
 * the TTLs of the answers. Bounded: DNS_CACHE_ENTRIES slots, never more,
 * whatever a server sends.
 */
#include "dns_impl.h"

static struct dns_cache_entry *find(struct dns_cache *c, const uint8_t *name, size_t len)
{
	for (unsigned i = 0; i < DNS_CACHE_ENTRIES; i++) {
		struct dns_cache_entry *e = &c->e[i];

		if (e->name_len && dns_name_equal(e->name, e->name_len, name, len))
			return e;
	}
	return NULL;
}

int dns_cache_get(struct dns_cache *c, const uint8_t *name, size_t len, keel_time now,
                  uint32_t *addr_be)
{
	struct dns_cache_entry *e = find(c, name, len);

	if (e && now >= e->expires) {
		e->name_len = 0;
		e = NULL;
	}
	if (!e) {
		c->misses++;
		return KEEL_ENOENT;
	}
	c->hits++;
	*addr_be = e->addr_be;
	return KEEL_OK;
}

void dns_cache_put(struct dns_cache *c, const uint8_t *name, size_t len, uint32_t addr_be,
                   uint32_t ttl_s, keel_time now)
{
	struct dns_cache_entry *e = find(c, name, len);

	if (ttl_s == 0 || len == 0 || len > DNS_NAME_WIRE_MAX)
		return;
	if (ttl_s > DNS_TTL_MAX)
		ttl_s = DNS_TTL_MAX;
	if (!e) {
		/* A free or expired slot, else the one closest to expiring. */
		e = &c->e[0];
		for (unsigned i = 0; i < DNS_CACHE_ENTRIES; i++) {
			struct dns_cache_entry *s = &c->e[i];

			if (!s->name_len || now >= s->expires) {
				e = s;
				break;
			}
			if (s->expires < e->expires)
				e = s;
		}
	}
	for (size_t i = 0; i < len; i++) {
		uint8_t b = name[i];

		e->name[i] = b >= 'A' && b <= 'Z' ? (uint8_t)(b + ('a' - 'A')) : b;
	}
	e->name_len = (uint8_t)len;
	e->addr_be = addr_be;
	e->expires = now + (keel_time)ttl_s * KEEL_SEC;
}
