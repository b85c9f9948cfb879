#include "nvidia-docker/env_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/text.h"
#include "common/xalloc.h"

#define MAX_LINE (64 * 1024)        /* bufio.Scanner's token limit */
#define MAX_FILE (16 * 1024 * 1024) /* far above any env file */

/* RFC 3629 UTF-8 (what Go's utf8.Valid accepts: no surrogates, nothing over U+10FFFF). */
static bool utf8_valid(const unsigned char *s, size_t n)
{
        for (size_t i = 0; i < n;) {
                unsigned char c = s[i];
                size_t len;
                unsigned min;
                unsigned cp;
                if (c < 0x80) {
                        i++;
                        continue;
                } else if ((c & 0xe0) == 0xc0) {
                        len = 2, min = 0x80, cp = c & 0x1f;
                } else if ((c & 0xf0) == 0xe0) {
                        len = 3, min = 0x800, cp = c & 0x0f;
                } else if ((c & 0xf8) == 0xf0) {
                        len = 4, min = 0x10000, cp = c & 0x07;
                } else {
                        return false;
                }
                if (i + len > n)
                        return false;
                for (size_t k = 1; k < len; k++) {
                        if ((s[i + k] & 0xc0) != 0x80)
                                return false;
                        cp = cp << 6 | (s[i + k] & 0x3f);
                }
                if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
                        return false;
                i += len;
        }
        return true;
}

static bool is_space(char c)
{
        /* unicode.IsSpace for ASCII; docker trims Unicode spaces too, which never start a
         * variable name that matters here. */
        return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

static int parse_line(const char *line, size_t n, const char *path, size_t number, struct strv *out,
                      struct error *err)
{
        while (n > 0 && is_space(*line))
                line++, n--;
        if (n == 0 || line[0] == '#')
                return 0;
        const char *eq = memchr(line, '=', n);
        size_t name_len = eq != NULL ? (size_t)(eq - line) : n;
        for (size_t i = 0; i < name_len; i++) {
                if (line[i] == ' ' || line[i] == '\t') {
                        cleanup_free char *shown = text_printable(line, name_len, 64);
                        return error_set(err,
                                         "env file %s, line %zu: variable '%s' contains "
                                         "whitespaces",
                                         path, number, shown);
                }
        }
        if (name_len == 0) {
                cleanup_free char *shown = text_printable(line, n, 64);
                return error_set(err, "env file %s, line %zu: no variable name on line '%s'", path,
                                 number, shown);
        }
        if (memchr(line, '\0', n) != NULL)
                return error_set(err, "env file %s, line %zu: contains a NUL byte", path, number);
        strv_push_owned(out, xstrndup(line, n));
        return 0;
}

int env_file_parse(const char *text, size_t len, const char *path, struct strv *out,
                   struct error *err)
{
        size_t number = 0;
        for (size_t pos = 0; pos < len;) {
                const char *line = text + pos;
                const char *nl = memchr(line, '\n', len - pos);
                size_t n = nl != NULL ? (size_t)(nl - line) : len - pos;
                pos += n + (nl != NULL);
                number++;
                if (n > MAX_LINE)
                        return error_set(err, "env file %s, line %zu: longer than %d KiB", path,
                                         number, MAX_LINE / 1024);
                if (n > 0 && line[n - 1] == '\r')
                        n--;
                if (!utf8_valid((const unsigned char *)line, n))
                        return error_set(err, "env file %s contains invalid utf8 bytes at line %zu",
                                         path, number);
                if (number == 1 && n >= 3 && memcmp(line, "\xef\xbb\xbf", 3) == 0)
                        line += 3, n -= 3;
                if (parse_line(line, n, path, number, out, err) < 0)
                        return -1;
        }
        return 0;
}

int env_file_read(const char *path, struct strv *out, struct error *err)
{
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return error_set_errno(err, errno, "cannot read --env-file %s: %s", path,
                                       strerror(errno));
        struct buf text = BUF_INIT;
        char chunk[8192];
        int ret = 0;
        for (;;) {
                ssize_t n = read(fd, chunk, sizeof(chunk));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0) {
                        ret = error_set_errno(err, errno, "cannot read --env-file %s: %s", path,
                                              strerror(errno));
                        break;
                }
                if (n == 0)
                        break;
                if (text.len + (size_t)n > MAX_FILE) {
                        ret = error_set(err, "--env-file %s is larger than %d MiB", path,
                                        MAX_FILE / (1024 * 1024));
                        break;
                }
                buf_append(&text, chunk, (size_t)n);
        }
        close(fd);
        if (ret == 0)
                ret = env_file_parse(text.data != NULL ? text.data : "", text.len, path, out, err);
        buf_destroy(&text);
        return ret;
}

const char *env_entry_value(const char *entry, const char *caller_value)
{
        const char *eq = strchr(entry, '=');
        return eq != NULL ? eq + 1 : caller_value;
}

const char *env_entries_find(const struct strv *entries, const char *name)
{
        size_t n = strlen(name);
        for (size_t i = entries->count; i > 0; i--) {
                const char *e = entries->items[i - 1];
                if (strncmp(e, name, n) == 0 && (e[n] == '=' || e[n] == '\0'))
                        return e;
        }
        return NULL;
}
