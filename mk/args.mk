# args: the front end's test double for the run module (tests/integration/test_passthrough.sh).
ARGS_FAKE_MODULE := $(BUILD)/fakes/fake_run_module.so
CHECK_DEPS += $(ARGS_FAKE_MODULE)

$(ARGS_FAKE_MODULE): tests/fakes/fake_run_module.c src/nvidia-docker/run_module.h \
                     src/nvidia-docker/docker_args.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -shared -o $@ $<
