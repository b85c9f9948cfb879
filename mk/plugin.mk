# The daemon: bin/nvidia-docker-plugin. Included by the Makefile.

# jansson (REST and volume API bodies), libelf (sonames of driver files), zlib (/mesos/cli:
# 1.0's --attributes=gpus:<zlib+base64 inventory>); NVML comes through dlopen() (-ldl).
PLUGIN_LIBS = $(call PKG_LIBS,jansson libelf zlib) -ldl -lpthread

$(PLUGIN): $(BUILD)/src/nvidia-docker-plugin/main.o $(STATIC_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $^ $(PLUGIN_LIBS)
