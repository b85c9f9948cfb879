# The wrapper: bin/nvidia-docker and the run/create module it loads with dlopen().
# Included by the Makefile (flags, PKG_LIBS and the static library come from there).

# Libraries of the run path: the engine and plugin clients (libcurl, jansson), the SSH tunnel
# (libssh2; libcrypto: known_hosts.c computes HMAC-SHA1 for hashed names, ssh_tunnel.c warms up
# OpenSSL, plugin_client.c tells OpenSSL to skip its configuration when there is no SSH; libssh2
# links it anyway, but --as-needed wants it named).
RUN_LIBS = $(call PKG_LIBS,libcurl jansson libssh2 libcrypto) -lpthread

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
