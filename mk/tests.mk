# Tests and measurements: unit tests, the small programs and test doubles they use, and the
# targets check, check-ssh, check-volume, sanitize, fuzz, bench, format-check and test.
# Included by the Makefile. Where each kind of test lives: docs/architecture.md, "Tests".

.PHONY: check check-ssh check-volume sanitize fuzz bench format format-check test fakes fake-plugin

# Unit tests (CUnit): tests/unit/test_<module>.c → build/tests/unit/test_<module>.
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/unit/%)
TEST_LIBS = $(call PKG_LIBS,$(PKGS) cunit) -ldl -lpthread -lutil

$(BUILD)/tests/unit/%: tests/unit/%.c $(STATIC_LIB) tests/unit/unit.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests/unit -MMD -MP $(ALL_LDFLAGS) -o $@ $< $(STATIC_LIB) $(TEST_LIBS)

# Everything else `make check` and `make bench` need built.
CHECK_DEPS :=

# Small programs the tests and benchmarks use (tests/tools/<name>.c → build/tools/<name>).
TOOLS_SRC := $(wildcard tests/tools/*.c)
TOOLS_BIN := $(TOOLS_SRC:tests/tools/%.c=$(BUILD)/tools/%)
CHECK_DEPS += $(TOOLS_BIN)
$(BUILD)/tools/%: tests/tools/%.c $(STATIC_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests/unit -MMD -MP $(ALL_LDFLAGS) -o $@ $< $(STATIC_LIB) $(TEST_LIBS)

# Test doubles (tests/fakes/), never installed:
# - a run module for the front end alone (tests/integration/test_passthrough.sh);
# - a fake nvidia-docker-plugin: the plugin's REST code (from the library) over made-up GPUs,
#   with switches to misbehave;
# - fake libnvidia-ml.so.1 and libcuda.so.1: GPUs described by the JSON file named by
#   FAKE_NVML_CONFIG (tests/fakes/*.json); fakes/nomig/ holds an NVML without the MIG
#   functions (a driver older than R450).
FAKE_RUN_MODULE := $(BUILD)/fakes/fake_run_module.so
FAKE_PLUGIN     := $(BUILD)/fakes/fake-plugin
FAKE_LIBS       := $(BUILD)/fakes/libnvidia-ml.so.1 $(BUILD)/fakes/libcuda.so.1 \
                   $(BUILD)/fakes/nomig/libnvidia-ml.so.1
CHECK_DEPS += $(FAKE_RUN_MODULE) $(FAKE_PLUGIN) $(FAKE_LIBS)
FAKE_GPUS  := tests/fakes/fake_gpus.c tests/fakes/fake_gpus.h

$(FAKE_RUN_MODULE): tests/fakes/fake_run_module.c src/nvidia-docker/run_module.h \
                    src/nvidia-docker/docker_args.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -shared -o $@ $<

$(FAKE_PLUGIN): tests/fakes/fake_plugin.c $(STATIC_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP $(ALL_LDFLAGS) -o $@ $< $(STATIC_LIB) $(PLUGIN_LIBS)

$(BUILD)/fakes/libnvidia-ml.so.1: tests/fakes/fake_nvml.c $(FAKE_GPUS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Wno-missing-prototypes -shared -Wl,-soname,libnvidia-ml.so.1 -o $@ \
	  tests/fakes/fake_nvml.c tests/fakes/fake_gpus.c $(call PKG_LIBS,jansson)

$(BUILD)/fakes/nomig/libnvidia-ml.so.1: tests/fakes/fake_nvml.c $(FAKE_GPUS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -DFAKE_NVML_NO_MIG -Wno-missing-prototypes -shared \
	  -Wl,-soname,libnvidia-ml.so.1 -o $@ tests/fakes/fake_nvml.c tests/fakes/fake_gpus.c \
	  $(call PKG_LIBS,jansson)

$(BUILD)/fakes/libcuda.so.1: tests/fakes/fake_cuda.c $(FAKE_GPUS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Wno-missing-prototypes -shared -Wl,-soname,libcuda.so.1 -o $@ \
	  tests/fakes/fake_cuda.c tests/fakes/fake_gpus.c $(call PKG_LIBS,jansson)

fakes: $(FAKE_LIBS)
fake-plugin: $(FAKE_PLUGIN)

# Unit tests, then tests/integration/test_*.sh (TESTS=regex limits the scripts).
RUN_TESTS = NVD_BUILD=$(BUILD) NVD_BIN=$(OUT_BIN) NVD_LIB=$(OUT_LIB) tests/run.sh
check: all $(UNIT_BIN) $(CHECK_DEPS)
	$(RUN_TESTS) $(UNIT_BIN)

# Parts of the suite: the SSH tunnel; the volume side of the plugin.
SSH_UNIT_BIN    := $(filter %/test_ssh_config %/test_known_hosts %/test_ssh_auth,$(UNIT_BIN))
VOLUME_UNIT_BIN := $(filter %/test_volume_name %/test_ldcache %/test_driver_files \
                   %/test_driver_caps %/test_driver_policy %/test_vendor_json %/test_volume_sets \
                   %/test_volume_store %/test_volume_api,$(UNIT_BIN))
check-ssh: all $(CHECK_DEPS) $(SSH_UNIT_BIN)
	TESTS=test_ssh $(RUN_TESTS) $(SSH_UNIT_BIN)
check-volume: all $(CHECK_DEPS) $(VOLUME_UNIT_BIN)
	TESTS=test_volume_plugin $(RUN_TESTS) $(VOLUME_UNIT_BIN)

# The whole suite again under AddressSanitizer and UndefinedBehaviorSanitizer. Without
# _FORTIFY_SOURCE: its checked string functions would bypass ASan's interceptors.
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -O1
# test_deb builds and checks the package with the normal flags whatever the build: not again.
SANITIZE_SKIP ?= test_deb
sanitize:
	$(MAKE) BUILD=build/asan OUT_BIN=build/asan/bin OUT_LIB=build/asan/lib CC=$(CLANG) \
	  HARDEN_CFLAGS=-fstack-protector-strong \
	  CFLAGS="$(SAN_FLAGS) $(CFLAGS)" LDFLAGS="-fsanitize=address,undefined $(LDFLAGS)" \
	  NVD_SANITIZE=1 SKIP_TESTS='$(SANITIZE_SKIP)' check

# libFuzzer targets (tests/fuzz/fuzz_*.c), each run for FUZZ_SECONDS (default 20) on its seed
# corpus, FUZZ_JOBS at a time (default: the number of CPUs). They need clang (CLANG=clang-15
# for another one).
FUZZ_SECONDS ?= 20
FUZZ_SRC     := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN     := $(FUZZ_SRC:tests/fuzz/%.c=build/fuzz/bin/%)
FUZZ_LIB_OBJ := $(LIB_SRC:%.c=build/fuzz/%.o)
FUZZ_SAN     := -fno-sanitize-recover=all -fno-omit-frame-pointer -O1
build/fuzz/%.o: %.c
	@mkdir -p $(dir $@)
	$(CLANG) $(BASE_CFLAGS) $(PKG_CFLAGS) -fsanitize=fuzzer-no-link,address,undefined $(FUZZ_SAN) \
	  -MMD -MP -c $< -o $@
build/fuzz/libnvidia-docker.a: $(FUZZ_LIB_OBJ)
	rm -f $@; $(AR) rcs $@ $^
build/fuzz/bin/%: tests/fuzz/%.c build/fuzz/libnvidia-docker.a
	@mkdir -p $(dir $@)
	$(CLANG) $(BASE_CFLAGS) $(PKG_CFLAGS) -fsanitize=fuzzer,address,undefined $(FUZZ_SAN) -o $@ $< \
	  build/fuzz/libnvidia-docker.a $(TEST_LIBS)
fuzz: $(FUZZ_BIN)
	tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_BIN)
-include $(wildcard build/fuzz/src/*/*.d build/fuzz/src/*/*/*.d)

# Timings of the wrapper and the plugin (bench/bench_*.sh).
bench: all $(CHECK_DEPS)
	NVD_BUILD=$(BUILD) NVD_BIN=$(OUT_BIN) bench/run.sh

# clang-format with the repository's .clang-format: `format` rewrites, `format-check` (CI)
# lists the files that differ and fails. FORMAT_FILES limits either to some files.
CLANG_FORMAT ?= clang-format
FORMAT_FILES ?= $(sort $(shell find src tests bench -name '*.[ch]' 2>/dev/null))
format:
	$(CLANG_FORMAT) -i $(FORMAT_FILES)
format-check:
	@out=$$($(CLANG_FORMAT) --dry-run -Werror $(FORMAT_FILES) 2>&1); rc=$$?; \
	bad=$$(printf '%s\n' "$$out" | \
	  sed -n 's/^\([^:]*\):[0-9]*:[0-9]*: .*-Wclang-format-violations.*/\1/p' | sort -u); \
	if [ -n "$$bad" ]; then echo "not formatted as .clang-format says (make format, or" \
	  "$(CLANG_FORMAT) --dry-run FILE for the differences):"; printf '  %s\n' $$bad; exit 1; fi; \
	if [ $$rc != 0 ]; then printf '%s\n' "$$out" | tail -n 20; \
	  echo "$(CLANG_FORMAT) failed (make deps installs it)"; exit 1; fi

# The README's test command (CI runs it through .ci/run): set-up, the suite, the suite under
# sanitizers, the fuzzers, then the formatting (last, so that a badly formatted file does not
# hide the tests' results).
test: deps
	$(MAKE) check
	$(MAKE) sanitize
	$(MAKE) fuzz
	$(MAKE) format-check
