#include "common/text.h"

#include <stdio.h>

#include "common/xalloc.h"

bool text_has_control(const char *s, size_t len)
{
        for (size_t i = 0; i < len; i++)
                if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
                        return true;
        return false;
}

char *text_printable(const char *s, size_t len, size_t max)
{
        size_t n = len > max ? max : len;
        char *out = xmalloc(4 * n + 4), *q = out;
        for (size_t i = 0; i < n; i++) {
                unsigned char c = (unsigned char)s[i];
                if (c < 0x20 || c == 0x7f)
                        q += sprintf(q, "\\x%02x", c);
                else
                        *q++ = (char)c;
        }
        if (len > max)
                q += sprintf(q, "...");
        *q = '\0';
        return out;
}
