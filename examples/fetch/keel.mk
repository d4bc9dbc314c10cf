# examples/fetch: an HTTP and HTTPS client. Resolves the URL's host through
# the direct stack's DNS (DHCP or --ipv4/--dns), fetches the URL over TCP
# (and TLS for https://, checking the server's certificate against the CA
# certificates compiled in), and prints the status and the body's size and
# SHA-256.
#
# The trusted CAs: FETCH_CA, a PEM file of CA certificates; by default the
# development CA of the build, build/cert/ca.crt (made with keel cert, as
# examples/www's certificate), so fetch trusts what www serves by default.
#     make app APP=examples/fetch FETCH_CA=/etc/ssl/certs/ca-certificates.crt
APP_SRCS := main.c http.c sha256.c url.c tls.c
APP_LIBS := net tls
FETCH_CA ?= build/cert/ca.crt
FETCH_CA_C := $(APP_OUT)/ca/ca_pem.c
APP_CFLAGS += -DFETCH_CA_C='"$(abspath $(FETCH_CA_C))"'

build/cert/ca.crt:
	sh tools/keel-cert.sh --force --ca build/cert/ca --out build/cert localhost localhost \
		127.0.0.1 ::1 >/dev/null

# The PEM file as one C string; made again when FETCH_CA names another file.
$(FETCH_CA_C): $(FETCH_CA) FORCE_FETCH_CA
	@mkdir -p $(@D)
	@if [ "$$(cat $@.from 2>/dev/null)" != "$(abspath $(FETCH_CA))" ] || \
	    [ $(FETCH_CA) -nt $@ ] || [ ! -f $@ ]; then \
		{ printf 'static const char fetch_ca_pem[] =\n'; \
		  sed 's/.*/\t"&\\n"/' $(FETCH_CA); printf '\t;\n'; } >$@.tmp && \
		mv $@.tmp $@ && echo '$(abspath $(FETCH_CA))' >$@.from; \
	fi
.PHONY: FORCE_FETCH_CA
FORCE_FETCH_CA:

$(APP_OUT)/obj/tls.o: $(FETCH_CA_C)
