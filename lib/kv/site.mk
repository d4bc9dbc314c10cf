# A web site compiled into an application's image.
#
# An app's keel.mk sets
#
#     APP_SITE := site          # a folder of the app
#     APP_SITE_NAME := my_site  # optional; the symbol, default keel_site
#
# and the build runs keel-mkkv on that folder into $(APP_OUT)/kv/site.c,
# compiles it with the image flags, and links it together with lib/kv
# (added to the app's libraries if keel.mk did not name it). The app then
# serves it with
#
#     extern struct keel_kv_static keel_site;
#     static struct keel_http_static site = {&keel_site.kv, "index.html", "404.html"};
#
# It is rebuilt when a file or folder under the site is newer than the
# generated source (a file added, removed or edited). SOURCE_DATE_EPOCH, when set, fixes the
# Last-Modified of every file (reproducible images).
#
# Files the build makes rather than the repository holds (too big to
# commit, or derived) join the site with
#
#     APP_SITE_EXTRA := files/big.bin   # keys, relative to the site
#
# where keel.mk also gives a rule making $(APP_OUT)/site-extra/KEY for each
# (APP_OUT is set before keel.mk is read). The site folder and those files
# are then copied, times kept, into $(APP_OUT)/kv/tree, the complete site,
# and that is what keel-mkkv compiles; an extra file of the same key as a
# file of the folder replaces it.
#
# Included by the top Makefile inside its application block, after
# APP_OBJS is set and before the image rule.
include lib/kv/mkkv.mk

ifneq ($(strip $(APP_SITE)),)
APP_SITE_DIR := $(APP_DIR)/$(patsubst %/,%,$(APP_SITE))
APP_SITE_NAME ?= keel_site
APP_SITE_C := $(APP_OUT)/kv/site.c
APP_SITE_O := $(APP_OUT)/kv/site.o
APP_OBJS += $(APP_SITE_O)
ifeq ($(filter kv,$(APP_LIBS)),)
APP_LIBS_A += $(B)/lib/libkeelkv.a
endif

# Rebuilt when anything under the site is newer than the output (file
# names may hold spaces, which make cannot list as prerequisites).
APP_SITE_STALE := $(shell find $(APP_SITE_DIR) -newer $(APP_SITE_C) 2>/dev/null | head -n 1)
.PHONY: keel-site-changed
APP_SITE_EXTRA_FILES := $(addprefix $(APP_OUT)/site-extra/,$(APP_SITE_EXTRA))
APP_SITE_TREE := $(APP_OUT)/kv/tree
$(APP_SITE_C): $(MKKV) $(APP_DIR)/keel.mk $(APP_SITE_EXTRA_FILES) $(if $(APP_SITE_STALE),keel-site-changed)
	@mkdir -p $(@D)
ifeq ($(strip $(APP_SITE_EXTRA)),)
	$(MKKV) -n $(APP_SITE_NAME) -o $@ $(APP_SITE_DIR)
else
	rm -rf $(APP_SITE_TREE) && mkdir -p $(APP_SITE_TREE)
	cp -pR $(APP_SITE_DIR)/. $(APP_OUT)/site-extra/. $(APP_SITE_TREE)/
	$(MKKV) -n $(APP_SITE_NAME) -o $@ $(APP_SITE_TREE)
endif
$(APP_SITE_O): $(APP_SITE_C) include/keel/kv.h
	$(CC) $(IMAGE_CFLAGS) -c $< -o $@
endif
