# The fake nvidia-docker-plugin of the wrapper's integration tests (tests/fakes/fake_plugin.c):
# the plugin's REST API code from the library, made-up GPUs, switches to misbehave.
FAKE_PLUGIN := $(BUILD)/fakes/fake-plugin
CHECK_DEPS += $(FAKE_PLUGIN)

$(FAKE_PLUGIN): tests/fakes/fake_plugin.c $(STATIC_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP $(ALL_LDFLAGS) -o $@ $< $(STATIC_LIB) $(PLUGIN_LIBS)

.PHONY: fake-plugin
fake-plugin: $(FAKE_PLUGIN)
