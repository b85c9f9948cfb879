# nvidia-docker: the docker wrapper and its GPU plugin daemon.
# Targets: all (default), deps, check, sanitize, fuzz, bench, test, demo, install, uninstall, clean.
# Module owners extend the build with fragments in mk/*.mk (add rules, and to CHECK_DEPS).

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
PKG_CONFIG ?= pkg-config
PKGS       := libcurl jansson libssh2 libelf
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS    = $(shell $(PKG_CONFIG) --libs $(1) 2>/dev/null)

WARNINGS := -Wall -Wextra -Wformat=2 -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
            -Wpointer-arith -Wvla -Wundef -Wno-unused-parameter
BASE_CFLAGS := -std=gnu11 -O2 -g -fPIC -D_GNU_SOURCE -DNVD_VERSION='"$(VERSION)"' \
               -Isrc/common -Isrc $(WARNINGS)
ALL_CFLAGS   = $(BASE_CFLAGS) $(PKG_CFLAGS) $(CFLAGS)
ALL_LDFLAGS  = -Wl,--as-needed $(LDFLAGS)

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

UNIT_SRC    := $(wildcard tests/unit/test_*.c)
UNIT_BIN    := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/unit/%)
FUZZ_SRC    := $(wildcard tests/fuzz/fuzz_*.c)

# Libraries of the run path (the module), of the plugin, and of the tests.
RUN_LIBS    = $(call PKG_LIBS,libcurl jansson libssh2) -lpthread
PLUGIN_LIBS = $(call PKG_LIBS,jansson libelf) -ldl -lpthread
TEST_LIBS   = $(call PKG_LIBS,$(PKGS) cunit) -ldl -lpthread -lutil

# Extra things `make check` needs built (fakes, tools): fragments add to it.
CHECK_DEPS :=

# Small programs the tests and benchmarks use (tests/tools/<name>.c → build/tools/<name>).
TOOLS_SRC := $(wildcard tests/tools/*.c)
TOOLS_BIN := $(TOOLS_SRC:tests/tools/%.c=$(BUILD)/tools/%)
CHECK_DEPS += $(TOOLS_BIN)
$(BUILD)/tools/%: tests/tools/%.c $(STATIC_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests/unit -MMD -MP $(ALL_LDFLAGS) -o $@ $< $(STATIC_LIB) $(TEST_LIBS)

# Module fragments: extra rules and CHECK_DEPS additions (included before the rules that use them).
.DEFAULT_GOAL := all
-include mk/*.mk

.PHONY: all deps check sanitize fuzz bench test demo install uninstall clean format

all: $(WRAPPER) $(RUN_MODULE) $(PLUGIN)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(STATIC_LIB): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@
	$(AR) rcs $@ $^

# The front end links libc only: pass-through commands must not pay for loading libcurl and
# friends (about 5 ms here). The run path lives in a module loaded with dlopen().
$(WRAPPER): $(BUILD)/src/nvidia-docker/main.o $(STATIC_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $^ -ldl
	@if readelf -d $@ | grep NEEDED | grep -qvE 'lib(c|dl)\.so|ld-linux|libasan|libubsan|libm\.so|libgcc_s|libstdc\+\+|libpthread|librt'; then \
	  echo "error: $@ must link libc only; it needs:"; readelf -d $@ | grep NEEDED; rm -f $@; exit 1; fi

$(RUN_MODULE): $(STATIC_LIB) src/nvidia-docker/run_module.map
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -shared -Wl,-u,run_module_main \
	  -Wl,--version-script=src/nvidia-docker/run_module.map -o $@ $(STATIC_LIB) $(RUN_LIBS)

$(PLUGIN): $(BUILD)/src/nvidia-docker-plugin/main.o $(STATIC_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $^ $(PLUGIN_LIBS)

$(BUILD)/tests/unit/%: tests/unit/%.c $(STATIC_LIB) tests/unit/unit.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests/unit -MMD -MP $(ALL_LDFLAGS) -o $@ $< $(STATIC_LIB) $(TEST_LIBS)

# Installs the packages that building and testing need (Debian 12, as root).
deps:
	tests/lib/install-deps.sh

check: all $(UNIT_BIN) $(CHECK_DEPS)
	NVD_BUILD=$(BUILD) NVD_BIN=$(OUT_BIN) NVD_LIB=$(OUT_LIB) tests/run.sh $(UNIT_BIN)

# The whole suite again under AddressSanitizer and UndefinedBehaviorSanitizer.
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -O1
sanitize:
	$(MAKE) BUILD=build/asan OUT_BIN=build/asan/bin OUT_LIB=build/asan/lib CC=clang \
	  CFLAGS="$(SAN_FLAGS) $(CFLAGS)" LDFLAGS="-fsanitize=address,undefined $(LDFLAGS)" \
	  NVD_SANITIZE=1 check

# Each libFuzzer target runs for FUZZ_SECONDS (default 20) on its seed corpus.
FUZZ_SECONDS ?= 20
FUZZ_CFLAGS  := -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -O1
FUZZ_LIB_OBJ := $(LIB_SRC:%.c=build/fuzz/%.o)
FUZZ_BIN     := $(FUZZ_SRC:tests/fuzz/%.c=build/fuzz/bin/%)
build/fuzz/%.o: %.c
	@mkdir -p $(dir $@)
	clang $(BASE_CFLAGS) $(PKG_CFLAGS) -fsanitize=fuzzer-no-link,address,undefined \
	  -fno-sanitize-recover=all -fno-omit-frame-pointer -O1 -MMD -MP -c $< -o $@
build/fuzz/libnvidia-docker.a: $(FUZZ_LIB_OBJ)
	rm -f $@; $(AR) rcs $@ $^
build/fuzz/bin/%: tests/fuzz/%.c build/fuzz/libnvidia-docker.a
	@mkdir -p $(dir $@)
	clang $(BASE_CFLAGS) $(PKG_CFLAGS) $(FUZZ_CFLAGS) -o $@ $< build/fuzz/libnvidia-docker.a $(TEST_LIBS)
fuzz: $(FUZZ_BIN)
	tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_BIN)

bench: all $(CHECK_DEPS)
	NVD_BUILD=$(BUILD) NVD_BIN=$(OUT_BIN) bench/run.sh

# The README's test command: set-up, the suite, the suite under sanitizers, the fuzzers.
test: deps
	$(MAKE) check
	$(MAKE) sanitize
	$(MAKE) fuzz

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR)/nvidia-docker
	install -m 0755 $(WRAPPER) $(PLUGIN) $(DESTDIR)$(BINDIR)/
	install -m 0644 $(RUN_MODULE) $(DESTDIR)$(LIBDIR)/nvidia-docker/
	@for m in man/*.[0-9]; do [ -e "$$m" ] || continue; s=$${m##*.}; \
	  install -d $(DESTDIR)$(MANDIR)/man$$s; install -m 0644 $$m $(DESTDIR)$(MANDIR)/man$$s/; done

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/nvidia-docker $(DESTDIR)$(BINDIR)/nvidia-docker-plugin
	rm -rf $(DESTDIR)$(LIBDIR)/nvidia-docker
	@for m in man/*.[0-9]; do [ -e "$$m" ] || continue; s=$${m##*.}; \
	  rm -f $(DESTDIR)$(MANDIR)/man$$s/$${m##*/}; done

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf build bin lib

-include $(LIB_OBJ:.o=.d) $(wildcard $(BUILD)/tests/unit/*.d) $(wildcard $(BUILD)/tools/*.d) \
  $(BUILD)/src/nvidia-docker/main.d $(BUILD)/src/nvidia-docker-plugin/main.d

