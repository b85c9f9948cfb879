#include "nvidia-docker-plugin/rest_path.h"

#include <ctype.h>
#include <string.h>

#include "common/buf.h"
#include "common/xalloc.h"

char *rest_path_clean(const char *p)
{
        if (p[0] == '\0')
                return xstrdup("/");
        size_t n = strlen(p);
        /* Go's path.Clean on "/" + p (when p is not rooted), in place on a copy. */
        char *out = xmalloc(n + 3);
        size_t w = 0, r = 0;
        out[w++] = '/';
        if (p[0] == '/')
                r = 1;
        while (r < n) {
                if (p[r] == '/') {
                        r++;
                } else if (p[r] == '.' && (r + 1 == n || p[r + 1] == '/')) {
                        r++;
                } else if (p[r] == '.' && p[r + 1] == '.' && (r + 2 == n || p[r + 2] == '/')) {
                        r += 2;
                        if (w > 1) {
                                w--;
                                while (w > 1 && out[w - 1] != '/')
                                        w--;
                                if (w > 1)
                                        w--; /* drop the separator too */
                        }
                } else {
                        if (w > 1)
                                out[w++] = '/';
                        while (r < n && p[r] != '/')
                                out[w++] = p[r++];
                }
        }
        if (w > 1 && out[w - 1] == '/')
                w--;
        /* ServeMux keeps a trailing slash. */
        if (p[n - 1] == '/' && !(w == 1))
                out[w++] = '/';
        out[w] = '\0';
        return out;
}

/* Escapes a decoded path for a Location header. */
static char *escape_path(const char *s)
{
        static const char hex[] = "0123456789ABCDEF";
        struct buf b = BUF_INIT;
        for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
                if (isalnum(*p) || strchr("-._~/!$&'()*+,;=:@", *p) != NULL) {
                        buf_append(&b, p, 1);
                } else {
                        char esc[3] = {'%', hex[*p >> 4], hex[*p & 15]};
                        buf_append(&b, esc, 3);
                }
        }
        return buf_steal(&b);
}

/* ServeMux's 301 to the cleaned path, query kept; an HTML body for GET and HEAD, as Go's. */
void rest_path_redirect(const struct http_request *req, const char *clean,
                        struct http_response *resp)
{
        cleanup_free char *escaped = escape_path(clean);
        const char *q = req->query_string;
        resp->status = 301;
        resp->owned_location =
            xasprintf("%s%s%s", escaped, q && q[0] ? "?" : "", q && q[0] ? q : "");
        resp->location = resp->owned_location;
        if (strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0) {
                struct buf b = BUF_INIT;
                buf_puts(&b, "<a href=\"");
                for (const char *p = resp->owned_location; *p; p++) {
                        switch (*p) {
                        case '<':
                                buf_puts(&b, "&lt;");
                                break;
                        case '>':
                                buf_puts(&b, "&gt;");
                                break;
                        case '&':
                                buf_puts(&b, "&amp;");
                                break;
                        case '"':
                                buf_puts(&b, "&#34;");
                                break;
                        case '\'':
                                buf_puts(&b, "&#39;");
                                break;
                        default:
                                buf_append(&b, p, 1);
                        }
                }
                buf_puts(&b, "\">Moved Permanently</a>.\n\n");
                http_response_take(resp, 301, "text/html; charset=utf-8", &b);
        }
}
