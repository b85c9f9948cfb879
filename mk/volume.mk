# Volume side of nvidia-docker-plugin (volume_name, ldcache, elf_file, driver_lists, root_path,
# driver_files, driver_policy, file_tree, parallel_copy, volume_populate, volume_store,
# volume_api, mount_records). Sources, unit tests, the tool volume_bench and
# fuzzers are picked up by the generic rules; this adds a target that runs only this part:
#   make check-volume   unit tests of the volume modules + tests/integration/test_volume_plugin.sh

VOLUME_UNIT_BIN := $(filter %/test_volume_name %/test_ldcache %/test_driver_files %/test_driver_caps \
                   %/test_driver_policy %/test_vendor_json %/test_volume_sets \
                   %/test_volume_store %/test_volume_api,$(UNIT_BIN))

.PHONY: check-volume
check-volume: all $(VOLUME_UNIT_BIN) $(CHECK_DEPS)
	NVD_BUILD=$(BUILD) NVD_BIN=$(OUT_BIN) NVD_LIB=$(OUT_LIB) TESTS=test_volume_plugin \
	  tests/run.sh $(VOLUME_UNIT_BIN)
