#include "base64.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

static const char base64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char base64url_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static int base64_value(char c)
{
        const char *p = c != '\0' ? strchr(base64_alphabet, c) : NULL;
        return p != NULL ? (int)(p - base64_alphabet) : -1;
}

unsigned char *base64_decode(const char *text, size_t len, size_t *out_len)
{
        while (len > 0 && text[len - 1] == '=')
                len--;
        if (len % 4 == 1)
                return NULL;
        unsigned char *out = xmalloc(len / 4 * 3 + 3);
        size_t n = 0;
        unsigned bits = 0, nbits = 0;
        for (size_t i = 0; i < len; i++) {
                int v = base64_value(text[i]);
                if (v < 0) {
                        free(out);
                        return NULL;
                }
                bits = (bits << 6) | (unsigned)v;
                nbits += 6;
                if (nbits >= 8) {
                        nbits -= 8;
                        out[n++] = (unsigned char)(bits >> nbits);
                        bits &= (1u << nbits) - 1;
                }
        }
        *out_len = n;
        return out;
}

static char *encode(const char *alphabet, const unsigned char *data, size_t len, bool pad)
{
        char *out = xmalloc((len + 2) / 3 * 4 + 1);
        size_t n = 0;
        for (size_t i = 0; i < len; i += 3) {
                unsigned v = (unsigned)data[i] << 16;
                if (i + 1 < len)
                        v |= (unsigned)data[i + 1] << 8;
                if (i + 2 < len)
                        v |= data[i + 2];
                out[n++] = alphabet[(v >> 18) & 63];
                out[n++] = alphabet[(v >> 12) & 63];
                if (i + 1 < len)
                        out[n++] = alphabet[(v >> 6) & 63];
                else if (pad)
                        out[n++] = '=';
                if (i + 2 < len)
                        out[n++] = alphabet[v & 63];
                else if (pad)
                        out[n++] = '=';
        }
        out[n] = '\0';
        return out;
}

char *base64_encode(const unsigned char *data, size_t len, bool pad)
{
        return encode(base64_alphabet, data, len, pad);
}

char *base64url_encode(const unsigned char *data, size_t len)
{
        return encode(base64url_alphabet, data, len, false);
}
