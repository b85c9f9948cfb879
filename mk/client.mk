# client helper: the fake nvidia-docker-plugin used by the integration tests (tests/fakes).
FAKE_PLUGIN := $(BUILD)/fakes/fake-plugin
CHECK_DEPS += $(FAKE_PLUGIN)

$(FAKE_PLUGIN): tests/fakes/fake_plugin.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP $(ALL_LDFLAGS) -o $@ $< $(call PKG_LIBS,libmicrohttpd jansson) -lpthread

.PHONY: fake-plugin
fake-plugin: $(FAKE_PLUGIN)
