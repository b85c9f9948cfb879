#include "nvidia-docker-plugin/volume_name.h"

#include <stdint.h>
#include <string.h>

#include "common/xalloc.h"
#include "nvidia-docker-plugin/driver_caps.h"

static bool is_kind_char(char c)
{
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_' || c == '.' || c == '-';
}

static bool is_digit(char c)
{
        return c >= '0' && c <= '9';
}

bool volume_version_is_valid(const char *version)
{
        size_t len = strlen(version);
        if (len == 0 || len > VOLUME_VERSION_MAX)
                return false;
        bool group_open = false; /* inside a group of digits */
        for (const char *p = version; *p != '\0'; p++) {
                if (is_digit(*p)) {
                        group_open = true;
                } else if (*p == '.' && group_open) {
                        group_open = false;
                } else {
                        return false;
                }
        }
        return group_open; /* no trailing dot */
}

/* The name for messages: control characters (log or JSON injection) replaced by '?', cut. */
static char *printable_name(const char *name)
{
        size_t len = strnlen(name, 512);
        char *copy = xstrndup(name, len);
        for (char *p = copy; *p != '\0'; p++)
                if ((unsigned char)*p < 0x20 || *p == 0x7f)
                        *p = '?';
        return copy;
}

int volume_name_parse(const char *name, struct volume_name *out, struct error *err)
{
        memset(out, 0, sizeof(*out));
        size_t len = strlen(name);
        /* 1.0's split: the last '_' followed only by digits and dots. */
        size_t version_start = len;
        while (version_start > 0 &&
               (is_digit(name[version_start - 1]) || name[version_start - 1] == '.'))
                version_start--;
        bool matches = len <= VOLUME_NAME_MAX && version_start < len && version_start >= 2 &&
                       name[version_start - 1] == '_';
        for (size_t i = 0; matches && i + 1 < version_start; i++)
                matches = is_kind_char(name[i]);
        if (!matches) {
                cleanup_free char *shown = printable_name(name);
                return error_set(err, "bad volume format: %s", shown);
        }
        size_t kind_len = version_start - 1;
        size_t base_len = strlen(VOLUME_KIND_DRIVER);
        unsigned caps = DRIVER_CAP_ALL;
        bool known =
            kind_len >= base_len && memcmp(name, VOLUME_KIND_DRIVER, base_len) == 0 &&
            (kind_len == base_len ||
             (name[base_len] == '-' &&
              driver_caps_from_suffix(name + base_len + 1, kind_len - base_len - 1, &caps)));
        if (!known) {
                cleanup_free char *shown = printable_name(name);
                return error_set(err, "unsupported volume: %s", shown);
        }
        const char *version = name + version_start;
        if (!volume_version_is_valid(version)) {
                cleanup_free char *shown = printable_name(name);
                return error_set(err, "bad volume format: %s", shown);
        }
        memcpy(out->kind, name, kind_len);
        strcpy(out->version, version);
        out->capabilities = caps;
        return 0;
}

char *volume_kind_of(unsigned capabilities)
{
        cleanup_free char *suffix = driver_caps_suffix(capabilities);
        return suffix[0] ? xasprintf("%s-%s", VOLUME_KIND_DRIVER, suffix)
                         : xstrdup(VOLUME_KIND_DRIVER);
}

/* Next numeric group of a valid version: value without leading zeros, as (start, length). */
static const char *next_group(const char *p, const char **digits, size_t *digits_len)
{
        while (*p == '0' && is_digit(p[1]))
                p++;
        *digits = p;
        while (is_digit(*p))
                p++;
        *digits_len = (size_t)(p - *digits);
        return *p == '.' ? p + 1 : p;
}

int volume_version_compare(const char *a, const char *b)
{
        while (*a != '\0' || *b != '\0') {
                if (*a == '\0')
                        return -1;
                if (*b == '\0')
                        return 1;
                const char *da, *db;
                size_t la, lb;
                a = next_group(a, &da, &la);
                b = next_group(b, &db, &lb);
                if (la != lb)
                        return la < lb ? -1 : 1;
                int c = memcmp(da, db, la);
                if (c != 0)
                        return c < 0 ? -1 : 1;
        }
        return 0;
}
