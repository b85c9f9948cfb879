/* FAKE: shared config loader of the fake NVIDIA libraries (see fake_gpus.h). */
#include "fake_gpus.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static json_t *config;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static pthread_mutex_t reload_lock = PTHREAD_MUTEX_INITIALIZER;

static void load(void)
{
        const char *path = getenv("FAKE_NVML_CONFIG");
        if (path == NULL) {
                fprintf(stderr, "fake libnvidia-ml: FAKE_NVML_CONFIG is not set\n");
                return;
        }
        json_error_t e;
        config = json_load_file(path, 0, &e);
        if (config == NULL)
                fprintf(stderr, "fake libnvidia-ml: %s:%d: %s\n", path, e.line, e.text);
}

json_t *fake_config(void)
{
        pthread_once(&once, load);
        return config;
}

void fake_config_reload(void)
{
        pthread_once(&once, load);
        pthread_mutex_lock(&reload_lock);
        json_t *old = config;
        load();
        pthread_mutex_unlock(&reload_lock);
        /* The old tree may still be read by a caller of this library that runs concurrently
         * (the plugin calls NVML from one thread only): freed, since tests reload rarely. */
        json_decref(old);
}

void fake_sleep(const char *function)
{
        json_t *sleeps = json_object_get(fake_config(), "sleep");
        json_t *seconds = sleeps ? json_object_get(sleeps, function) : NULL;
        if (seconds == NULL || !json_is_number(seconds))
                return;
        double s = json_number_value(seconds);
        struct timespec ts = {.tv_sec = (time_t)s, .tv_nsec = (long)((s - (time_t)s) * 1e9)};
        while (nanosleep(&ts, &ts) != 0)
                ;
}

size_t fake_gpu_count(void)
{
        json_t *c = fake_config();
        return c ? json_array_size(json_object_get(c, "gpus")) : 0;
}

json_t *fake_gpu(size_t index)
{
        json_t *c = fake_config();
        return c ? json_array_get(json_object_get(c, "gpus"), index) : NULL;
}

int fake_value(json_t *obj, const char *key, json_t **out)
{
        json_t *v = obj ? json_object_get(obj, key) : NULL;
        if (v == NULL)
                return 3;
        if (json_is_string(v)) {
                const char *s = json_string_value(v);
                if (strcmp(s, "NOT_SUPPORTED") == 0)
                        return 3;
                if (strncmp(s, "ERROR:", 6) == 0)
                        return atoi(s + 6);
        }
        *out = v;
        return 0;
}

int fake_uint(json_t *obj, const char *key, unsigned long long *out)
{
        json_t *v;
        int r = fake_value(obj, key, &v);
        if (r != 0)
                return r;
        if (!json_is_integer(v))
                return 2;
        *out = (unsigned long long)json_integer_value(v);
        return 0;
}

int fake_gpu_by_bus_id(const char *bus_id)
{
        for (size_t i = 0; i < fake_gpu_count(); i++) {
                json_t *v;
                if (fake_value(fake_gpu(i), "bus_id", &v) == 0 && json_is_string(v) &&
                    strcasecmp(json_string_value(v), bus_id) == 0)
                        return (int)i;
        }
        return -1;
}

/* Frees the config when the fake library is unloaded (keeps leak checkers quiet). */
__attribute__((destructor)) static void unload(void)
{
        json_decref(config);
        config = NULL;
}
