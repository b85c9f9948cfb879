# ssh: the SSH tunnel to remote plugins (libssh2, src/nvidia-docker/ssh/) and its tests.
# libcrypto: known_hosts.c computes HMAC-SHA1 for hashed names, ssh_tunnel.c warms up OpenSSL,
# plugin_client.c tells OpenSSL to skip its configuration when there is no SSH (libssh2 links
# it anyway, but --as-needed wants it named).
RUN_LIBS  += $(call PKG_LIBS,libcrypto)
TEST_LIBS += $(call PKG_LIBS,libcrypto)

.PHONY: check-ssh
SSH_UNIT := $(BUILD)/tests/unit/test_ssh_config $(BUILD)/tests/unit/test_known_hosts $(BUILD)/tests/unit/test_ssh_auth
check-ssh: all $(CHECK_DEPS) $(SSH_UNIT)
	NVD_BUILD=$(BUILD) NVD_BIN=$(OUT_BIN) NVD_LIB=$(OUT_LIB) TESTS=test_ssh tests/run.sh \
	  $(SSH_UNIT)
