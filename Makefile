# nvidia-docker: the docker wrapper and its GPU plugin daemon.
#
# Targets: all (default), deps, check, sanitize, fuzz, bench, format-check, test, demo, deb,
# install, uninstall, clean. The rules live in fragments by part of the system:
#   mk/wrapper.mk   bin/nvidia-docker (libc-only front end) and the run/create module
#   mk/plugin.mk    bin/nvidia-docker-plugin
#   mk/tests.mk     unit tests, test tools and fakes, check, sanitize, fuzz, bench, format-check
#   mk/package.mk   man pages, install/uninstall, the Debian package, the demo
# This file holds what they share: configuration, flags, libraries, the static library.

VERSION := $(shell cat VERSION)

PREFIX     ?= /usr/local
DESTDIR    ?=
BINDIR     ?= $(PREFIX)/bin
LIBDIR     ?= $(PREFIX)/lib
MANDIR     ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc

# Where this build puts things. `make sanitize` re-runs the build with other directories.
BUILD   ?= build
OUT_BIN ?= bin
OUT_LIB ?= lib

CC         ?= cc
CLANG      ?= clang
PKG_CONFIG ?= pkg-config

# --- Libraries, through pkg-config. A missing package stops make with its name: a build that
# went on without its flags would fail later with a puzzling compiler or linker error.
PKGS := libcurl jansson libssh2 libelf zlib libcrypto
pkg_missing = $(strip $(foreach p,$(1),$(if $(shell $(PKG_CONFIG) --exists $(p) && echo y),,$(p))))
pkg_require = $(if $(call pkg_missing,$(1)),$(error pkg-config ($(PKG_CONFIG)) does not find \
  the package(s) $(call pkg_missing,$(1)); install them with `sudo make deps` (Debian 12, \
  tests/lib/install-deps.sh), or set PKG_CONFIG_PATH))
# $(call PKG_LIBS,pkg...): the linker flags of those packages (checked when first used).
PKG_LIBS = $(call pkg_require,$(1))$(shell $(PKG_CONFIG) --libs $(1))

# Goals that compile nothing here (test and demo call make again, after `make deps`).
NO_BUILD_GOALS := deps clean format format-check uninstall test demo deb
ifneq ($(filter-out $(NO_BUILD_GOALS),$(or $(MAKECMDGOALS),all)),)
$(call pkg_require,$(PKGS))
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS))
endif

# --- Flags. The user's CFLAGS and LDFLAGS come last, so they win.
WARNINGS := -Wall -Wextra -Wformat=2 -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
            -Wpointer-arith -Wvla -Wundef -Wno-unused-parameter
BASE_CFLAGS := -std=gnu11 -O2 -g -fPIC -D_GNU_SOURCE -DNVD_VERSION='"$(VERSION)"' \
               -Isrc/common -Isrc $(WARNINGS)
# Hardening of everything built with the flags below (programs, module, tests, tools).
# _FORTIFY_SOURCE needs optimisation: BASE_CFLAGS has -O2, the sanitizer build -O1; a debugging
# build with CFLAGS=-O0 goes without it (glibc would warn in every file).
HARDEN_CFLAGS  ?= $(if $(filter -O0,$(CFLAGS)),,-D_FORTIFY_SOURCE=2) -fstack-protector-strong
# Full RELRO: relocations resolved at start-up, then the GOT made read-only. Its cost, measured
# (callgrind, dynamic loader included): `nvidia-docker version` runs 0.161 M instructions before
# its exec instead of 0.140 M (a few microseconds; no difference in wall time, about 1.04 ms
# either way on an idle machine); loading the run module 12.93 M instead of 12.80 M.
# Cheap enough to harden the front end too.
HARDEN_LDFLAGS ?= -Wl,-z,relro,-z,now
ALL_CFLAGS   = $(BASE_CFLAGS) $(HARDEN_CFLAGS) $(PKG_CFLAGS) $(CFLAGS)
ALL_LDFLAGS  = -Wl,--as-needed $(HARDEN_LDFLAGS) $(LDFLAGS)

# --- Sources. Everything but the two main.c files builds into one static library that the
# programs, the unit tests, the test tools, the fuzzers and the benchmarks link.
COMMON_SRC  := $(wildcard src/common/*.c)
WRAPPER_SRC := $(filter-out src/nvidia-docker/main.c,$(wildcard src/nvidia-docker/*.c)) \
               $(wildcard src/nvidia-docker/ssh/*.c)
PLUGIN_SRC  := $(filter-out src/nvidia-docker-plugin/main.c,$(wildcard src/nvidia-docker-plugin/*.c))
LIB_SRC     := $(COMMON_SRC) $(WRAPPER_SRC) $(PLUGIN_SRC)
LIB_OBJ     := $(LIB_SRC:%.c=$(BUILD)/%.o)
STATIC_LIB  := $(BUILD)/libnvidia-docker.a

WRAPPER     := $(OUT_BIN)/nvidia-docker
RUN_MODULE  := $(OUT_LIB)/nvidia-docker/nvidia-docker-run.so
PLUGIN      := $(OUT_BIN)/nvidia-docker-plugin

.DEFAULT_GOAL := all
.PHONY: all deps clean

all: $(WRAPPER) $(RUN_MODULE) $(PLUGIN)

include mk/wrapper.mk mk/plugin.mk mk/tests.mk mk/package.mk

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(STATIC_LIB): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@
	$(AR) rcs $@ $^

# Installs the packages that building and testing need (Debian 12, as root).
deps:
	tests/lib/install-deps.sh

clean:
	rm -rf build bin lib

-include $(LIB_OBJ:.o=.d) $(wildcard $(BUILD)/tests/unit/*.d) $(wildcard $(BUILD)/tools/*.d) \
  $(wildcard $(BUILD)/fakes/*.d) $(BUILD)/src/nvidia-docker/main.d \
  $(BUILD)/src/nvidia-docker-plugin/main.d
