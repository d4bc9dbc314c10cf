# examples/https: HTTPS (lib/http over lib/tls) on port 443 and HTTP on
# port 80 answering with a redirect to HTTPS, over the direct stack.
#
# The certificate is compiled in. By default the build makes a development
# pair for "localhost" once (tools/keel-cert.sh, with the host's openssl)
# in build/<target>/apps/https/cert/ — never in the repository. For a real
# one, give the prefix of NAME.crt (chain, PEM) and NAME.key:
#     make app APP=examples/https HTTPS_CERT=/path/to/www.example.org
APP_SRCS := main.c cert.c
APP_LIBS := http tls net

HTTPS_CERT ?= $(APP_OUT)/cert/localhost
HTTPS_CERT_C := $(APP_OUT)/cert/cert_pem.c
APP_CFLAGS += -DHTTPS_CERT_C='"$(abspath $(HTTPS_CERT_C))"'

$(APP_OUT)/cert/localhost.crt:
	@mkdir -p $(@D)
	sh tools/keel-cert.sh --force --out $(@D) localhost localhost 127.0.0.1 >/dev/null

# The PEM files as C strings (each line a literal).
$(HTTPS_CERT_C): $(HTTPS_CERT).crt
	@mkdir -p $(@D)
	{ printf 'static const char https_cert_pem[] =\n'; sed 's/.*/\t"&\\n"/' $(HTTPS_CERT).crt; \
	  printf '\t;\nstatic const char https_key_pem[] =\n'; sed 's/.*/\t"&\\n"/' $(HTTPS_CERT).key; \
	  printf '\t;\n'; } >$@.tmp && mv $@.tmp $@

$(APP_OUT)/obj/cert.o: $(HTTPS_CERT_C)
