#include "common/json_util.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if invalid. */
static size_t utf8_sequence(const unsigned char *s, size_t len)
{
        unsigned char c = s[0];
        size_t n;
        uint32_t cp;
        if (c < 0x80)
                return 1;
        if (c >= 0xc2 && c <= 0xdf) {
                n = 2;
                cp = c & 0x1f;
        } else if (c >= 0xe0 && c <= 0xef) {
                n = 3;
                cp = c & 0x0f;
        } else if (c >= 0xf0 && c <= 0xf4) {
                n = 4;
                cp = c & 0x07;
        } else {
                return 0;
        }
        if (len < n)
                return 0;
        for (size_t i = 1; i < n; i++) {
                if ((s[i] & 0xc0) != 0x80)
                        return 0;
                cp = (cp << 6) | (s[i] & 0x3f);
        }
        if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
            (cp >= 0xd800 && cp <= 0xdfff))
                return 0;
        return n;
}

void json_append_stringn(struct buf *b, const char *str, size_t len)
{
        static const char hex[] = "0123456789abcdef";
        const unsigned char *s = (const unsigned char *)str;
        buf_append(b, "\"", 1);
        size_t start = 0, i = 0;
        while (i < len) {
                unsigned char c = s[i];
                const char *esc = NULL;
                char tmp[8];
                size_t step = 1;
                if (c >= 0x80) {
                        step = utf8_sequence(s + i, len - i);
                        if (step == 0) {
                                esc = "\\ufffd"; /* as Go writes it */
                                step = 1;
                        } else if (step == 3 && c == 0xe2 && s[i + 1] == 0x80 &&
                                   (s[i + 2] == 0xa8 || s[i + 2] == 0xa9)) {
                                esc = s[i + 2] == 0xa8 ? "\\u2028" : "\\u2029";
                        } else {
                                i += step;
                                continue;
                        }
                } else if (c == '"') {
                        esc = "\\\"";
                } else if (c == '\\') {
                        esc = "\\\\";
                } else if (c == '\n') {
                        esc = "\\n";
                } else if (c == '\r') {
                        esc = "\\r";
                } else if (c == '\t') {
                        esc = "\\t";
                } else if (c < 0x20 || c == '<' || c == '>' || c == '&') {
                        memcpy(tmp, "\\u00", 4);
                        tmp[4] = hex[c >> 4];
                        tmp[5] = hex[c & 15];
                        tmp[6] = '\0';
                        esc = tmp;
                } else {
                        i++;
                        continue;
                }
                buf_append(b, s + start, i - start);
                buf_puts(b, esc);
                i += step;
                start = i;
        }
        buf_append(b, s + start, len - start);
        buf_append(b, "\"", 1);
}

void json_append_string(struct buf *b, const char *s)
{
        json_append_stringn(b, s, strlen(s));
}

void json_append_int(struct buf *b, int64_t value)
{
        char tmp[32];
        int n = snprintf(tmp, sizeof(tmp), "%" PRId64, value);
        buf_append(b, tmp, (size_t)n);
}

void json_append_nullable_int(struct buf *b, int64_t value)
{
        if (value < 0)
                buf_append(b, "null", 4);
        else
                json_append_int(b, value);
}

void json_append_nullable_string(struct buf *b, const char *s)
{
        if (s == NULL)
                buf_append(b, "null", 4);
        else
                json_append_string(b, s);
}

void json_append_string_list(struct buf *b, const struct strv *items)
{
        buf_puts(b, "[");
        for (size_t i = 0; i < items->count; i++) {
                if (i)
                        buf_puts(b, ",");
                json_append_string(b, items->items[i]);
        }
        buf_puts(b, "]");
}
