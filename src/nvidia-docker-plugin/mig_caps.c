#include "nvidia-docker-plugin/mig_caps.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/xalloc.h"

#define PROC_FILE_LIMIT (4u << 20) /* mig-minors of 32 GPUs is about 100 KiB */

/* The next line of [*p, end) without its '\n'; false at the end. */
static bool next_line(const char **p, const char *end, const char **line, size_t *len)
{
        if (*p >= end)
                return false;
        const char *nl = memchr(*p, '\n', (size_t)(end - *p));
        const char *stop = nl ? nl : end;
        *line = *p;
        *len = (size_t)(stop - *p);
        *p = nl ? nl + 1 : end;
        return true;
}

static bool is_blank(char c)
{
        return c == ' ' || c == '\t' || c == '\r';
}

/* A decimal number filling [s, s+len) exactly (no sign), at most `max`. */
static bool parse_decimal(const char *s, size_t len, unsigned long max, unsigned long *out)
{
        if (len == 0)
                return false;
        unsigned long value = 0;
        for (size_t i = 0; i < len; i++) {
                if (s[i] < '0' || s[i] > '9')
                        return false;
                value = value * 10 + (unsigned long)(s[i] - '0');
                if (value > max)
                        return false;
        }
        *out = value;
        return true;
}

/* Drops blanks at both ends of [*s, *s+*len). */
static void trim(const char **s, size_t *len)
{
        while (*len > 0 && is_blank(**s)) {
                (*s)++;
                (*len)--;
        }
        while (*len > 0 && is_blank((*s)[*len - 1]))
                (*len)--;
}

static bool equals(const char *s, size_t len, const char *word)
{
        return strlen(word) == len && memcmp(s, word, len) == 0;
}

int mig_caps_parse_access(const char *text, size_t len, struct mig_cap_access *out,
                          struct error *err)
{
        static const struct {
                const char *name;
                unsigned long max;
        } fields[] = {
            {"DeviceFileMinor", MIG_CAPS_MINOR_MAX}, /* the node's minor */
            {"DeviceFileMode", 0777},                /* permission bits (292 = 0444) */
            {"DeviceFileModify", 1},                 /* 0: leave the node alone */
            {"DeviceFileUID", 0xffffffffu},          /* owner */
            {"DeviceFileGID", 0xffffffffu},          /* group */
        };
        struct mig_cap_access a = {.minor = 0, .mode = 0666, .uid = 0, .gid = 0, .modify = true};
        bool have_minor = false;
        const char *p = text, *end = text + len, *line;
        size_t n, number = 0;
        while (next_line(&p, end, &line, &n)) {
                number++;
                trim(&line, &n);
                if (n == 0)
                        continue;
                const char *colon = memchr(line, ':', n);
                if (colon == NULL)
                        return error_set(err, "line %zu is not \"Name: value\"", number);
                size_t name_len = (size_t)(colon - line);
                const char *value = colon + 1;
                size_t value_len = n - name_len - 1;
                trim(&value, &value_len);
                for (size_t f = 0; f < sizeof(fields) / sizeof(fields[0]); f++) {
                        if (!equals(line, name_len, fields[f].name))
                                continue;
                        unsigned long v = 0;
                        if (!parse_decimal(value, value_len, fields[f].max, &v))
                                return error_set(err, "line %zu: invalid %s value", number,
                                                 fields[f].name);
                        switch (f) {
                        case 0:
                                a.minor = (unsigned int)v;
                                have_minor = true;
                                break;
                        case 1:
                                a.mode = (unsigned int)v;
                                break;
                        case 2:
                                a.modify = v == 1;
                                break;
                        case 3:
                                a.uid = (unsigned int)v;
                                break;
                        default:
                                a.gid = (unsigned int)v;
                                break;
                        }
                }
        }
        if (!have_minor)
                return error_set(err, "no DeviceFileMinor line");
        *out = a;
        return 0;
}

int mig_caps_find_minor(const char *text, size_t len, unsigned int gpu, unsigned int gi, int ci,
                        unsigned int *minor)
{
        char name[64];
        if (ci < 0)
                snprintf(name, sizeof(name), "gpu%u/gi%u/access", gpu, gi);
        else
                snprintf(name, sizeof(name), "gpu%u/gi%u/ci%d/access", gpu, gi, ci);
        size_t name_len = strlen(name);
        const char *p = text, *end = text + len, *line;
        size_t n;
        while (next_line(&p, end, &line, &n)) {
                trim(&line, &n);
                if (n <= name_len || memcmp(line, name, name_len) != 0 || !is_blank(line[name_len]))
                        continue;
                const char *value = line + name_len;
                size_t value_len = n - name_len;
                trim(&value, &value_len);
                unsigned long v = 0;
                if (!parse_decimal(value, value_len, MIG_CAPS_MINOR_MAX, &v))
                        return 0;
                *minor = (unsigned int)v;
                return 1;
        }
        return 0;
}

int mig_caps_find_major(const char *text, size_t len, const char *name, unsigned int *major)
{
        const char *p = text, *end = text + len, *line;
        size_t n;
        bool in_char = false;
        while (next_line(&p, end, &line, &n)) {
                if (!in_char) {
                        trim(&line, &n);
                        in_char = equals(line, n, "Character devices:");
                        continue;
                }
                trim(&line, &n);
                if (n == 0)
                        return 0; /* end of the section: block devices follow */
                const char *space = line;
                while (space < line + n && !is_blank(*space))
                        space++;
                const char *dev_name = space;
                size_t dev_len = (size_t)(line + n - space);
                trim(&dev_name, &dev_len);
                unsigned long v = 0;
                if (equals(dev_name, dev_len, name) &&
                    parse_decimal(line, (size_t)(space - line), 0xfffu, &v)) {
                        *major = (unsigned int)v;
                        return 1;
                }
        }
        return 0;
}

char *mig_caps_access_path(const char *proc_root, unsigned int gpu_minor, unsigned int gi, int ci)
{
        if (ci < 0)
                return xasprintf("%s/driver/nvidia/capabilities/gpu%u/mig/gi%u/access", proc_root,
                                 gpu_minor, gi);
        return xasprintf("%s/driver/nvidia/capabilities/gpu%u/mig/gi%u/ci%d/access", proc_root,
                         gpu_minor, gi, ci);
}

/* Reads a whole (proc) file: they report size 0, so read to EOF. */
static int read_text(const char *path, struct buf *out, struct error *err)
{
        cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return error_set_errno(err, errno, "cannot open %s", path);
        if (buf_read_fd(out, fd, PROC_FILE_LIMIT) < 0) {
                int saved = errno;
                buf_destroy(out);
                return error_set_errno(err, saved, "cannot read %s", path);
        }
        return 0;
}

int mig_caps_lookup(const char *proc_root, unsigned int gpu_minor, unsigned int gi, int ci,
                    struct mig_cap_access *out, struct error *err)
{
        cleanup_free char *path = mig_caps_access_path(proc_root, gpu_minor, gi, ci);
        struct buf text = BUF_INIT;
        struct error read_err = ERROR_INIT;
        if (read_text(path, &text, &read_err) == 0) {
                error_clear(&read_err);
                int r = mig_caps_parse_access(text.data ? text.data : "", text.len, out, err);
                buf_destroy(&text);
                if (r < 0)
                        return error_prefix(err, "%s", path);
                return 0;
        }
        /* The access file exists for every instance the driver has: without it (a /proc that
         * hides driver files), the table of all possible minors still gives the number. */
        cleanup_free char *minors_path = xasprintf("%s/driver/nvidia-caps/mig-minors", proc_root);
        unsigned int minor = 0;
        int found = 0;
        if (read_text(minors_path, &text, NULL) == 0) {
                found = mig_caps_find_minor(text.data ? text.data : "", text.len, gpu_minor, gi, ci,
                                            &minor);
                buf_destroy(&text);
        }
        if (!found) {
                error_set(err, "%s; and %s has no minor for it", read_err.message, minors_path);
                error_clear(&read_err);
                return -1;
        }
        error_clear(&read_err);
        *out = (struct mig_cap_access){
            .minor = minor, .mode = 0444, .uid = 0, .gid = 0, .modify = true};
        return 0;
}

int mig_caps_read_major(const char *proc_root, unsigned int *major, struct error *err)
{
        cleanup_free char *path = xasprintf("%s/devices", proc_root);
        struct buf text = BUF_INIT;
        if (read_text(path, &text, err) < 0)
                return -1;
        int found = mig_caps_find_major(text.data ? text.data : "", text.len, "nvidia-caps", major);
        buf_destroy(&text);
        if (!found)
                return error_set(err,
                                 "%s lists no nvidia-caps character device; is the NVIDIA kernel "
                                 "module loaded with MIG support?",
                                 path);
        return 0;
}
