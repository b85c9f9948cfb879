#include "nvidia-docker-plugin/driver_files.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "nvidia-docker-plugin/driver_lists.h"
#include "nvidia-docker-plugin/ldcache.h"
#include "nvidia-docker-plugin/root_path.h"
#include "nvidia-docker-plugin/vendor_json.h"

const char *const driver_file_place_dirs[DRIVER_FILE_PLACES] = {
    [DRIVER_FILE_BIN] = "bin",
    [DRIVER_FILE_LIB] = "lib",
    [DRIVER_FILE_LIB64] = "lib64",
    [DRIVER_FILE_SHARE] = "share",
    [DRIVER_FILE_XORG] = "lib64/xorg/modules",
};

/* One search: the files found so far and what they resolve to. */
struct finder {
        const char *root;
        const char *version;
        unsigned caps;
        int32_t arch64, arch32;
        const struct ldcache *cache;
        struct driver_files *files;
        size_t capacity;
        struct strv taken; /* resolved path (inside root) of files->items[i], same order */
};

/* `name`: the file's name in the volume; NULL for the resolved basename. */
static struct driver_file *files_add(struct finder *f, enum driver_file_place place,
                                     const char *resolved, const char *name, unsigned caps)
{
        struct driver_files *files = f->files;
        if (files->count == f->capacity) {
                f->capacity = f->capacity ? f->capacity * 2 : 32;
                files->items = xrealloc(files->items, f->capacity * sizeof(*files->items));
        }
        const char *slash = strrchr(resolved, '/');
        strv_push(&f->taken, resolved);
        struct driver_file *file = &files->items[files->count++];
        *file = (struct driver_file){
            .place = place,
            .path = root_path_on_host(f->root, resolved),
            .name = xstrdup(name    ? name
                            : slash ? slash + 1
                                    : resolved),
            .capabilities = caps,
        };
        return file;
}

/* Index of the file resolved to `resolved`, or -1. */
static ssize_t taken_index(const struct finder *f, const char *resolved)
{
        for (size_t i = 0; i < f->taken.count; i++)
                if (strcmp(f->taken.items[i], resolved) == 0)
                        return (ssize_t)i;
        return -1;
}

static bool has_version_suffix(const char *resolved, const char *version)
{
        if (version == NULL || version[0] == '\0')
                return true;
        size_t len = strlen(resolved), vlen = strlen(version);
        return len > vlen + 1 && resolved[len - vlen - 1] == '.' &&
               strcmp(resolved + len - vlen, version) == 0;
}

/* A regular file (following links) inside root: its resolved path, or NULL. */
static char *resolve_regular(const struct finder *f, const char *inner, bool executable)
{
        char *resolved = root_path_resolve(f->root, inner);
        if (resolved == NULL)
                return NULL;
        cleanup_free char *on_host = root_path_on_host(f->root, resolved);
        struct stat st;
        if (stat(on_host, &st) < 0 || !S_ISREG(st.st_mode) ||
            (executable && !(st.st_mode & 0111))) {
                free(resolved);
                return NULL;
        }
        return resolved;
}

static void find_binaries(struct finder *f, const char *path_env)
{
        struct strv dirs = STRV_INIT;
        strv_split(&dirs, path_env, ":");
        /* The driver's own directory (where NVIDIA's .run installer may put the tools), even
         * when a service manager's PATH lacks it. */
        strv_push(&dirs, DRIVER_FILES_NVIDIA_BIN);
        for (size_t b = 0; b < driver_binary_count; b++) {
                if (!(driver_binaries[b].capability & f->caps))
                        continue;
                for (size_t d = 0; d < dirs.count; d++) {
                        if (dirs.items[d][0] != '/')
                                continue; /* relative PATH entries mean nothing here */
                        cleanup_free char *inner =
                            xasprintf("%s/%s", dirs.items[d], driver_binaries[b].name);
                        cleanup_free char *resolved = resolve_regular(f, inner, true);
                        if (resolved == NULL)
                                continue;
                        if (taken_index(f, resolved) < 0)
                                files_add(f, DRIVER_FILE_BIN, resolved, driver_binaries[b].name,
                                          driver_binaries[b].capability);
                        break;
                }
        }
        strv_destroy(&dirs);
}

/* The table row of a cache key, or NULL. */
static const struct driver_library *library_row(const char *key)
{
        for (size_t i = 0; i < driver_library_count; i++) {
                size_t len = strlen(driver_libraries[i].prefix);
                if (strncmp(key, driver_libraries[i].prefix, len) == 0)
                        return &driver_libraries[i];
        }
        return NULL;
}

static void host_arch(int32_t *arch64, int32_t *arch32)
{
#if defined(__x86_64__)
        *arch64 = LDCACHE_ARCH_X86_64;
        *arch32 = LDCACHE_ARCH_I386;
#elif defined(__aarch64__)
        *arch64 = LDCACHE_ARCH_AARCH64;
        *arch32 = -1;
#elif defined(__powerpc64__)
        *arch64 = LDCACHE_ARCH_PPC64;
        *arch32 = -1;
#else
        *arch64 = -1;
        *arch32 = LDCACHE_ARCH_I386;
#endif
}

static void find_libraries(struct finder *f)
{
        for (size_t i = 0; i < f->cache->count; i++) {
                const struct ldcache_entry *e = &f->cache->entries[i];
                if (!(e->flags & LDCACHE_FLAG_ELF))
                        continue;
                int32_t arch = e->flags & LDCACHE_ARCH_MASK;
                enum driver_file_place place;
                if (arch == f->arch64)
                        place = DRIVER_FILE_LIB64;
                else if (arch == f->arch32)
                        place = DRIVER_FILE_LIB;
                else
                        continue;
                const struct driver_library *row = library_row(e->key);
                if (row == NULL || !(row->capability & f->caps) || e->value[0] != '/')
                        continue;
                cleanup_free char *resolved = root_path_resolve(f->root, e->value);
                if (resolved == NULL ||
                    !has_version_suffix(resolved, row->own_version ? NULL : f->version) ||
                    taken_index(f, resolved) >= 0)
                        continue;
                files_add(f, place, resolved, NULL, row->capability);
        }
}

/* The file of the set that a loader would load for `library` (a JSON file's library_path) on
 * architecture `arch`: through the cache for a bare name, else the path itself. -1: none. */
static ssize_t library_file(const struct finder *f, const char *library, int32_t arch)
{
        if (strchr(library, '/') != NULL) {
                if (arch != f->arch64 || library[0] != '/')
                        return -1;
                cleanup_free char *resolved = root_path_resolve(f->root, library);
                return resolved ? taken_index(f, resolved) : -1;
        }
        for (size_t i = 0; i < f->cache->count; i++) {
                const struct ldcache_entry *e = &f->cache->entries[i];
                if (!(e->flags & LDCACHE_FLAG_ELF) || (e->flags & LDCACHE_ARCH_MASK) != arch ||
                    strcmp(e->key, library) != 0 || e->value[0] != '/')
                        continue;
                cleanup_free char *resolved = root_path_resolve(f->root, e->value);
                ssize_t index = resolved ? taken_index(f, resolved) : -1;
                if (index >= 0)
                        return index;
        }
        return -1;
}

/* vendor_json_rewrite's map: the library's file inside the volume, or the bare name when the
 * set holds a 32-bit copy too (LD_LIBRARY_PATH then picks the one of the caller's class). */
static char *volume_library_path(void *ctx, const char *library)
{
        const struct finder *f = ctx;
        ssize_t lib64 = library_file(f, library, f->arch64);
        if (lib64 < 0)
                return NULL;
        const char *slash = strrchr(library, '/');
        const char *base = slash ? slash + 1 : library;
        if (f->arch32 >= 0 && library_file(f, base, f->arch32) >= 0)
                return slash ? xstrdup(base) : NULL;
        return xasprintf(DRIVER_FILES_VOLUME_TARGET "/%s/%s",
                         driver_file_place_dirs[f->files->items[lib64].place],
                         f->files->items[lib64].name);
}

/* Reads a small file (at most VENDOR_JSON_MAX bytes). */
static char *read_small(const char *path, size_t *len)
{
        cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return NULL;
        char *data = xmalloc(VENDOR_JSON_MAX + 1);
        size_t n = 0;
        while (n <= VENDOR_JSON_MAX) {
                ssize_t r = read(fd, data + n, VENDOR_JSON_MAX + 1 - n);
                if (r < 0 && errno == EINTR)
                        continue;
                if (r <= 0)
                        break;
                n += (size_t)r;
        }
        data[n < VENDOR_JSON_MAX ? n : VENDOR_JSON_MAX] = '\0';
        *len = n;
        return data;
}

/* A loader's JSON file: taken when every library it names is in the set (on the 64-bit side),
 * with its copy naming them inside the volume. */
static void take_json(struct finder *f, const char *resolved, const char *rel,
                      const char *standard_dir)
{
        cleanup_free char *on_host = root_path_on_host(f->root, resolved);
        size_t len = 0;
        cleanup_free char *text = read_small(on_host, &len);
        if (text == NULL)
                return;
        struct strv libraries = STRV_INIT;
        struct error err = ERROR_INIT;
        if (vendor_json_libraries(text, len, &libraries, &err) < 0) {
                log_warning("%s: %s; left out of the driver volume", on_host, err.message);
                error_clear(&err);
                strv_destroy(&libraries);
                return;
        }
        bool all_ours = true;
        for (size_t i = 0; i < libraries.count && all_ours; i++)
                all_ours = library_file(f, libraries.items[i], f->arch64) >= 0;
        strv_destroy(&libraries);
        if (!all_ours)
                return; /* another vendor's (Mesa), or a library this set leaves out */
        char *content = NULL;
        size_t content_len = 0;
        if (vendor_json_rewrite(text, len, volume_library_path, f, &content, &content_len, &err) <
            0) {
                log_warning("%s: %s; left out of the driver volume", on_host, err.message);
                error_clear(&err);
                return;
        }
        struct driver_file *file =
            files_add(f, DRIVER_FILE_SHARE, resolved, rel, DRIVER_CAP_GRAPHICS);
        file->content = content;
        file->content_len = content_len;
        file->standard_dir = standard_dir;
}

static int compare_names(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Names in <root><dir> (sorted), without . and .. */
static void list_dir(const struct finder *f, const char *dir, struct strv *names)
{
        cleanup_free char *on_host = root_path_on_host(f->root, dir);
        DIR *d = opendir(on_host);
        if (d == NULL)
                return;
        struct dirent *entry;
        while ((entry = readdir(d)) != NULL)
                if (entry->d_name[0] != '.')
                        strv_push(names, entry->d_name);
        closedir(d);
        if (names->count > 1)
                qsort(names->items, names->count, sizeof(char *), compare_names);
}

static bool name_taken(const struct finder *f, enum driver_file_place place, const char *name)
{
        for (size_t i = 0; i < f->files->count; i++)
                if (f->files->items[i].place == place && strcmp(f->files->items[i].name, name) == 0)
                        return true;
        return false;
}

static bool ends_with(const char *s, const char *suffix)
{
        size_t n = strlen(s), m = strlen(suffix);
        return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* The configuration directories, inside root, in search order (existing ones, each once). */
static void config_dirs(const struct finder *f, struct strv *out)
{
        struct strv candidates = STRV_INIT;
        for (size_t i = 0; i < f->files->count; i++) {
                if (f->files->items[i].place != DRIVER_FILE_LIB64)
                        continue;
                /* <prefix>/lib64/libx.so -> <prefix>/share; multiarch
                 * /usr/lib/x86_64-linux-gnu/libx.so -> /usr/share. */
                cleanup_free char *dir = xstrdup(f->taken.items[i]);
                root_path_dirname(dir);
                root_path_dirname(dir);
                strv_pushf(&candidates, "%s%sshare", dir, strcmp(dir, "/") == 0 ? "" : "/");
                root_path_dirname(dir);
                strv_pushf(&candidates, "%s%sshare", dir, strcmp(dir, "/") == 0 ? "" : "/");
                break;
        }
        strv_push(&candidates, "/etc");
        strv_push(&candidates, "/usr/local/share");
        strv_push(&candidates, "/usr/share");
        for (size_t i = 0; i < candidates.count; i++) {
                char *resolved = root_path_resolve(f->root, candidates.items[i]);
                bool seen = resolved == NULL;
                for (size_t j = 0; !seen && j < out->count; j++)
                        seen = strcmp(out->items[j], resolved) == 0;
                if (seen)
                        free(resolved);
                else
                        strv_push_owned(out, resolved);
        }
        strv_destroy(&candidates);
}

static void find_config_files(struct finder *f)
{
        struct strv dirs = STRV_INIT;
        config_dirs(f, &dirs);
        for (size_t d = 0; d < dirs.count; d++) {
                const char *standard = strcmp(dirs.items[d], "/etc") == 0 ? "/etc" : "/usr/share";
                for (size_t j = 0; j < driver_json_dir_count; j++) {
                        cleanup_free char *dir =
                            xasprintf("%s/%s", dirs.items[d], driver_json_dirs[j]);
                        struct strv names = STRV_INIT;
                        list_dir(f, dir, &names);
                        for (size_t n = 0; n < names.count; n++) {
                                cleanup_free char *rel =
                                    xasprintf("%s/%s", driver_json_dirs[j], names.items[n]);
                                cleanup_free char *inner = xasprintf("%s/%s", dir, names.items[n]);
                                cleanup_free char *resolved = NULL;
                                if (!ends_with(rel, ".json") ||
                                    name_taken(f, DRIVER_FILE_SHARE, rel) ||
                                    (resolved = resolve_regular(f, inner, false)) == NULL ||
                                    taken_index(f, resolved) >= 0)
                                        continue;
                                take_json(f, resolved, rel, standard);
                        }
                        strv_destroy(&names);
                }
                /* OptiX's data file, with libnvoptix. */
                cleanup_free char *optix = xasprintf("%s/nvidia/nvoptix.bin", dirs.items[d]);
                cleanup_free char *resolved = NULL;
                bool have_optix = false;
                for (size_t i = 0; i < f->files->count && !have_optix; i++)
                        have_optix = strncmp(f->files->items[i].name, "libnvoptix.so", 13) == 0;
                if (have_optix && !name_taken(f, DRIVER_FILE_SHARE, "nvidia/nvoptix.bin") &&
                    (resolved = resolve_regular(f, optix, false)) != NULL &&
                    taken_index(f, resolved) < 0) {
                        struct driver_file *file =
                            files_add(f, DRIVER_FILE_SHARE, resolved, "nvidia/nvoptix.bin",
                                      DRIVER_CAP_GRAPHICS);
                        file->standard_dir = standard;
                }
                if (!(f->caps & DRIVER_CAP_DISPLAY))
                        continue;
                /* The X server's configuration snippets of the driver. */
                cleanup_free char *xconf = xasprintf("%s/X11/xorg.conf.d", dirs.items[d]);
                struct strv names = STRV_INIT;
                list_dir(f, xconf, &names);
                for (size_t n = 0; n < names.count; n++) {
                        cleanup_free char *rel = xasprintf("X11/xorg.conf.d/%s", names.items[n]);
                        cleanup_free char *inner = xasprintf("%s/%s", xconf, names.items[n]);
                        cleanup_free char *conf = NULL;
                        if (strstr(names.items[n], "nvidia") == NULL || !ends_with(rel, ".conf") ||
                            name_taken(f, DRIVER_FILE_SHARE, rel) ||
                            (conf = resolve_regular(f, inner, false)) == NULL ||
                            taken_index(f, conf) >= 0)
                                continue;
                        struct driver_file *file =
                            files_add(f, DRIVER_FILE_SHARE, conf, rel, DRIVER_CAP_DISPLAY);
                        file->standard_dir = standard;
                }
                strv_destroy(&names);
        }
        strv_destroy(&dirs);
}

static void find_xorg_modules(struct finder *f)
{
        cleanup_free char *libdir = NULL;
        for (size_t i = 0; i < f->files->count && libdir == NULL; i++)
                if (f->files->items[i].place == DRIVER_FILE_LIB64) {
                        libdir = xstrdup(f->taken.items[i]);
                        root_path_dirname(libdir);
                }
        for (size_t m = 0; m < driver_xorg_module_count; m++) {
                for (size_t d = 0; d < driver_xorg_dir_count; d++) {
                        const char *dir = driver_xorg_dirs[d];
                        if (dir[0] == '@' && libdir == NULL)
                                continue;
                        cleanup_free char *inner =
                            dir[0] == '@'
                                ? xasprintf("%s%s/%s", libdir, dir + 1, driver_xorg_modules[m].file)
                                : xasprintf("%s/%s", dir, driver_xorg_modules[m].file);
                        cleanup_free char *resolved = resolve_regular(f, inner, false);
                        if (resolved == NULL || (driver_xorg_modules[m].versioned &&
                                                 !has_version_suffix(resolved, f->version)))
                                continue;
                        if (taken_index(f, resolved) < 0)
                                files_add(f, DRIVER_FILE_XORG, resolved,
                                          driver_xorg_modules[m].name, DRIVER_CAP_DISPLAY);
                        break;
                }
        }
}

int driver_files_find(struct driver_files *files, const struct driver_files_options *options,
                      struct error *err)
{
        memset(files, 0, sizeof(*files));
        struct finder f = {
            .root = options->root && options->root[0] ? options->root : "/",
            .version = options->version,
            .caps = driver_caps_close(options->capabilities ? options->capabilities
                                                            : DRIVER_CAP_DEFAULT),
            .files = files,
            .taken = STRV_INIT,
        };
        if (options->arch_given) {
                f.arch64 = options->arch64;
                f.arch32 = options->arch32;
        } else {
                host_arch(&f.arch64, &f.arch32);
        }
        if (!(f.caps & DRIVER_CAP_COMPAT32))
                f.arch32 = -1;

        cleanup_free char *cache_path = options->ldcache_path
                                            ? xstrdup(options->ldcache_path)
                                            : root_path_on_host(f.root, "/etc/ld.so.cache");
        struct ldcache cache;
        if (ldcache_load(&cache, cache_path, err) < 0)
                return error_prefix(err, "reading the driver's library list");
        f.cache = &cache;
        find_binaries(&f, options->path_env ? options->path_env : DRIVER_FILES_DEFAULT_PATH);
        find_libraries(&f);
        if (f.caps & DRIVER_CAP_GRAPHICS)
                find_config_files(&f);
        if (f.caps & DRIVER_CAP_DISPLAY)
                find_xorg_modules(&f);
        strv_destroy(&f.taken);
        ldcache_destroy(&cache);
        return 0;
}

void driver_files_environment(unsigned capabilities, struct strv *out)
{
        unsigned caps = driver_caps_close(capabilities);
        /* Compute and utility need nothing: CUDA images bring LD_LIBRARY_PATH and ld.so.conf for
         * the volume, and nothing added is better for `docker commit`. */
        if (!(caps & (DRIVER_CAP_VIDEO | DRIVER_CAP_GRAPHICS)))
                return;
#define T DRIVER_FILES_VOLUME_TARGET
        strv_push(out, (caps & DRIVER_CAP_COMPAT32) ? "LD_LIBRARY_PATH=" T "/lib64:" T "/lib"
                                                    : "LD_LIBRARY_PATH=" T "/lib64");
        if (!(caps & DRIVER_CAP_GRAPHICS))
                return;
        strv_push(out, "__EGL_VENDOR_LIBRARY_DIRS=" T "/share/glvnd/egl_vendor.d"
                       ":/etc/glvnd/egl_vendor.d:/usr/share/glvnd/egl_vendor.d");
        strv_push(out, "__EGL_EXTERNAL_PLATFORM_CONFIG_DIRS=" T "/share/egl/egl_external_platform.d"
                       ":/etc/egl/egl_external_platform.d:/usr/share/egl/egl_external_platform.d");
        strv_push(out, "XDG_DATA_DIRS=" T "/share:/usr/local/share:/usr/share");
#undef T
}

void driver_files_destroy(struct driver_files *files)
{
        if (files == NULL)
                return;
        for (size_t i = 0; i < files->count; i++) {
                free(files->items[i].path);
                free(files->items[i].name);
                free(files->items[i].content);
        }
        free(files->items);
        memset(files, 0, sizeof(*files));
}
