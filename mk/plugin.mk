# nvidia-docker-plugin: zlib for /mesos/cli (1.0's --attributes=gpus:<zlib+base64 inventory>),
# the fake NVIDIA libraries the tests run the daemon against, and the plugin's test helpers.

PLUGIN_LIBS += $(call PKG_LIBS,zlib)
TEST_LIBS   += $(call PKG_LIBS,zlib)

# Fakes of libnvidia-ml.so.1 and libcuda.so.1: GPUs described by the JSON file named by
# FAKE_NVML_CONFIG (tests/fakes/*.json). They are test doubles, never installed.
# fakes/nomig/ holds an NVML without the MIG functions (a driver older than R450).
FAKE_LIBS := $(BUILD)/fakes/libnvidia-ml.so.1 $(BUILD)/fakes/libcuda.so.1 \
             $(BUILD)/fakes/nomig/libnvidia-ml.so.1
CHECK_DEPS += $(FAKE_LIBS)

$(BUILD)/fakes/libnvidia-ml.so.1: tests/fakes/fake_nvml.c tests/fakes/fake_gpus.c tests/fakes/fake_gpus.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Wno-missing-prototypes -shared -Wl,-soname,libnvidia-ml.so.1 -o $@ tests/fakes/fake_nvml.c tests/fakes/fake_gpus.c $(call PKG_LIBS,jansson)

$(BUILD)/fakes/nomig/libnvidia-ml.so.1: tests/fakes/fake_nvml.c tests/fakes/fake_gpus.c tests/fakes/fake_gpus.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -DFAKE_NVML_NO_MIG -Wno-missing-prototypes -shared -Wl,-soname,libnvidia-ml.so.1 -o $@ tests/fakes/fake_nvml.c tests/fakes/fake_gpus.c $(call PKG_LIBS,jansson)

$(BUILD)/fakes/libcuda.so.1: tests/fakes/fake_cuda.c tests/fakes/fake_gpus.c tests/fakes/fake_gpus.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Wno-missing-prototypes -shared -Wl,-soname,libcuda.so.1 -o $@ tests/fakes/fake_cuda.c tests/fakes/fake_gpus.c $(call PKG_LIBS,jansson)

.PHONY: fakes
fakes: $(FAKE_LIBS)
