# The certificate of the www example compiled into the image (keys_image.c),
# for the keel.mk of examples/www: WWW_CERT names NAME.crt and NAME.key.
WWW_CERT_C := $(APP_OUT)/cert/www_pem.c
APP_CFLAGS += -DWWW_CERT_C='"$(abspath $(WWW_CERT_C))"'

# The default development pair, made once for every target.
build/cert/localhost.crt:
	sh tools/keel-cert.sh --force --ca build/cert/ca --out build/cert localhost localhost \
		127.0.0.1 ::1 >/dev/null

# The two PEM files as one C string, each line a literal. The prefix is
# recorded so that another WWW_CERT rebuilds it.
$(WWW_CERT_C): $(WWW_CERT).crt $(WWW_CERT).key FORCE_WWW_CERT
	@mkdir -p $(@D)
	@if [ "$$(cat $@.from 2>/dev/null)" != "$(abspath $(WWW_CERT))" ] || \
	    [ $(WWW_CERT).crt -nt $@ ] || [ $(WWW_CERT).key -nt $@ ] || [ ! -f $@ ]; then \
		{ printf 'static const char www_pem[] =\n'; \
		  sed 's/.*/\t"&\\n"/' $(WWW_CERT).crt $(WWW_CERT).key; printf '\t;\n'; } >$@.tmp && \
		mv $@.tmp $@ && echo '$(abspath $(WWW_CERT))' >$@.from; \
	fi

$(WWW_CERT).key: $(WWW_CERT).crt

.PHONY: FORCE_WWW_CERT
FORCE_WWW_CERT:

$(APP_OUT)/obj/keys_image.o: $(WWW_CERT_C)
