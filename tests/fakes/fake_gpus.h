/*
 * FAKE GPU description shared by the fake libnvidia-ml.so.1 and libcuda.so.1 (test doubles:
 * no driver here). The JSON file named by env FAKE_NVML_CONFIG describes the GPUs; any value
 * may be the string "NOT_SUPPORTED" (NVML code 3) or "ERROR:<code>" to make that one query
 * fail. See tests/fakes/gpus-3.json.
 * Top-level "sleep": {"<NVML or CUDA function>": seconds, ...} makes that function sleep before
 * it answers: a slow or hung driver (e.g. {"nvmlInit_v2": 30}).
 */
#ifndef FAKE_GPUS_H
#define FAKE_GPUS_H

#include <jansson.h>

/* The parsed config (NULL when FAKE_NVML_CONFIG is unset or unreadable; reason on stderr). */
json_t *fake_config(void);
/* Reads FAKE_NVML_CONFIG again: nvmlInit_v2 and cuInit call it, so that a test can switch the
 * fake driver (its version, its GPUs) under a running plugin, which initialises NVML again. */
void fake_config_reload(void);
/* Sleeps as "sleep" says for `function` (nothing when it says nothing). */
void fake_sleep(const char *function);
size_t fake_gpu_count(void);
json_t *fake_gpu(size_t index);
/* Looks up `key` in obj: 0 and *out set, 3 when NOT_SUPPORTED or absent, N for "ERROR:N". */
int fake_value(json_t *obj, const char *key, json_t **out);
/* Same, as an unsigned integer. */
int fake_uint(json_t *obj, const char *key, unsigned long long *out);
/* Index of the GPU with this bus id (case-insensitive), or -1. */
int fake_gpu_by_bus_id(const char *bus_id);

#endif
