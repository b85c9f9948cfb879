#include "nvidia-docker-plugin/http_parse.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/text.h"
#include "common/xalloc.h"

/* RFC 9110 token characters (method and field names). */
static bool is_tchar(unsigned char c)
{
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               (c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static long refuse(struct http_refusal *refusal, int status, const char *reason)
{
        refusal->status = status;
        refusal->reason = reason;
        return -1;
}

/* The offset just past the empty line that ends the head, 0 when not there yet. */
static size_t head_end(const char *buf, size_t len, size_t line)
{
        while (line < len) {
                if (buf[line] == '\n')
                        return line + 1;
                if (buf[line] == '\r' && line + 1 < len && buf[line + 1] == '\n')
                        return line + 2;
                const char *nl = memchr(buf + line, '\n', len - line);
                if (nl == NULL)
                        return 0;
                line = (size_t)(nl - buf) + 1;
        }
        return 0;
}

/* Cuts the line starting at *p (ending with LF or CRLF) and moves *p past it. */
static char *next_line(char **p)
{
        char *line = *p;
        char *nl = strchr(line, '\n');
        *p = nl + 1;
        *nl = '\0';
        if (nl > line && nl[-1] == '\r')
                nl[-1] = '\0';
        return line;
}

static long parse_request_line(char *line, struct http_head *head, struct http_refusal *refusal)
{
        char *sp1 = strchr(line, ' ');
        char *sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
        if (sp1 == NULL || sp2 == NULL || sp1 == line || sp2 == sp1 + 1 || strchr(sp2 + 1, ' '))
                return refuse(refusal, 400, "malformed request line");
        *sp1 = *sp2 = '\0';
        for (const char *c = line; *c; c++)
                if (!is_tchar((unsigned char)*c))
                        return refuse(refusal, 400, "malformed request method");
        for (const unsigned char *c = (const unsigned char *)sp1 + 1; *c; c++)
                if (*c < 0x21 || *c == 0x7f)
                        return refuse(refusal, 400, "control character in the request target");
        const char *version = sp2 + 1;
        if (strcmp(version, "HTTP/1.1") == 0)
                head->minor = 1;
        else if (strcmp(version, "HTTP/1.0") == 0)
                head->minor = 0;
        else if (strncmp(version, "HTTP/", 5) == 0)
                return refuse(refusal, 505, "HTTP version not supported (1.0 and 1.1 are)");
        else
                return refuse(refusal, 400, "malformed request line");
        head->method = line;
        head->target = sp1 + 1;
        const char *query = strchr(head->target, '?');
        if (query != NULL && http_query_count(query + 1) > HTTP_MAX_PARAMS)
                return refuse(refusal, 414, "too many query parameters");
        return 0;
}

/* Whether the comma-separated list `value` holds `token` (case-insensitive). */
static bool list_has(const char *value, const char *token)
{
        size_t n = strlen(token);
        for (const char *p = value; *p;) {
                p += strspn(p, " \t,");
                size_t len = strcspn(p, ",");
                size_t trimmed = len;
                while (trimmed > 0 && (p[trimmed - 1] == ' ' || p[trimmed - 1] == '\t'))
                        trimmed--;
                if (trimmed == n && strncasecmp(p, token, n) == 0)
                        return true;
                p += len;
        }
        return false;
}

static long parse_field(char *line, struct http_head *head, bool *close, bool *keep,
                        struct http_refusal *refusal)
{
        if (line[0] == ' ' || line[0] == '\t')
                return refuse(refusal, 400, "folded header field");
        char *colon = strchr(line, ':');
        if (colon == NULL || colon == line)
                return refuse(refusal, 400, "malformed header field");
        *colon = '\0';
        for (const char *c = line; *c; c++)
                if (!is_tchar((unsigned char)*c))
                        return refuse(refusal, 400, "malformed header field name");
        char *value = colon + 1;
        value += strspn(value, " \t");
        size_t n = strlen(value);
        while (n > 0 && (value[n - 1] == ' ' || value[n - 1] == '\t'))
                value[--n] = '\0';
        for (const unsigned char *c = (const unsigned char *)value; *c; c++)
                if ((*c < 0x20 && *c != '\t') || *c == 0x7f)
                        return refuse(refusal, 400, "control character in a header field");
        if (strcasecmp(line, "Content-Length") == 0) {
                if (n == 0 || n > 18 || strspn(value, "0123456789") != n)
                        return refuse(refusal, 400, "malformed Content-Length");
                int64_t length = strtoll(value, NULL, 10);
                if (head->content_length >= 0 && head->content_length != length)
                        return refuse(refusal, 400, "conflicting Content-Length fields");
                head->content_length = length;
        } else if (strcasecmp(line, "Transfer-Encoding") == 0) {
                if (strcasecmp(value, "chunked") != 0)
                        return refuse(refusal, 501, "unsupported Transfer-Encoding (chunked is)");
                head->chunked = true;
        } else if (strcasecmp(line, "Connection") == 0) {
                *close |= list_has(value, "close");
                *keep |= list_has(value, "keep-alive");
        } else if (strcasecmp(line, "Expect") == 0) {
                if (strcasecmp(value, "100-continue") != 0)
                        return refuse(refusal, 417, "unsupported Expect (100-continue is)");
                head->expect_continue = true;
        } else if (strcasecmp(line, "Accept") == 0 && head->accept == NULL) {
                head->accept = value;
        }
        return 0;
}

long http_parse_head(char *buf, size_t len, struct http_head *head, struct http_refusal *refusal)
{
        size_t start = 0; /* empty lines before a request are ignored (RFC 9112 2.2) */
        while (start < len && (buf[start] == '\r' || buf[start] == '\n'))
                start++;
        const char *nl = memchr(buf + start, '\n', len - start);
        if ((nl == NULL && len - start > HTTP_MAX_REQUEST_LINE) ||
            (nl != NULL && (size_t)(nl - (buf + start)) > HTTP_MAX_REQUEST_LINE))
                return refuse(refusal, 414, "request line too long");
        size_t end = nl ? head_end(buf, len, (size_t)(nl - buf) + 1) : 0;
        if (end == 0)
                return len > HTTP_MAX_HEAD ? refuse(refusal, 431, "request head too large") : 0;
        if (end > HTTP_MAX_HEAD)
                return refuse(refusal, 431, "request head too large");
        if (memchr(buf, '\0', end) != NULL)
                return refuse(refusal, 400, "NUL byte in the request head");
        memset(head, 0, sizeof(*head));
        head->content_length = -1;
        char saved = buf[end - 1]; /* a '\n': the string functions below stop at the head */
        buf[end - 1] = '\0';
        char *p = buf + start;
        long rc = parse_request_line(next_line(&p), head, refusal);
        bool close = false, keep = false;
        size_t fields = 0;
        while (rc == 0 && *p != '\0' && strcmp(p, "\r") != 0) {
                if (strchr(p, '\n') == NULL)
                        break; /* the empty line itself */
                if (++fields > HTTP_MAX_FIELDS)
                        rc = refuse(refusal, 431, "too many header fields");
                else
                        rc = parse_field(next_line(&p), head, &close, &keep, refusal);
        }
        buf[end - 1] = saved;
        if (rc < 0)
                return -1;
        if (head->chunked)
                head->content_length = -1; /* RFC 9112 6.3: chunked wins */
        head->keep_alive = head->minor == 1 ? !close : keep && !close;
        return (long)end;
}

/* ---- chunked bodies ---- */

enum {
        CHUNK_SIZE,     /* hex digits */
        CHUNK_EXT,      /* ";ext" up to the end of the size line */
        CHUNK_DATA,     /* `remaining` body bytes */
        CHUNK_DATA_END, /* the CRLF after the data */
        CHUNK_TRAILER,  /* start of a trailer line, or the final empty line */
        CHUNK_TRAILER_LINE,
        CHUNK_DONE,
};

/* One byte of the framing (not of the data); -1 when malformed. */
static int chunk_frame_byte(struct http_chunked *c, char byte)
{
        switch (c->state) {
        case CHUNK_SIZE:
                if (text_hex_value(byte) >= 0) {
                        if (++c->digits > 15)
                                return -1; /* over 2^60: no body is that large */
                        c->remaining = c->remaining * 16 + (uint64_t)text_hex_value(byte);
                } else if (c->digits > 0 && (byte == ';' || byte == ' ' || byte == '\t')) {
                        c->state = CHUNK_EXT;
                } else if (c->digits > 0 && byte == '\r') {
                        c->state = CHUNK_EXT;
                } else if (c->digits > 0 && byte == '\n') {
                        c->state = c->remaining ? CHUNK_DATA : CHUNK_TRAILER;
                } else {
                        return -1;
                }
                return 0;
        case CHUNK_EXT:
                if (byte == '\n')
                        c->state = c->remaining ? CHUNK_DATA : CHUNK_TRAILER;
                return 0;
        case CHUNK_DATA_END:
                if (byte == '\n') {
                        c->state = CHUNK_SIZE;
                        c->digits = 0;
                        c->remaining = 0;
                } else if (byte != '\r') {
                        return -1;
                }
                return 0;
        case CHUNK_TRAILER:
                if (byte == '\n')
                        c->state = CHUNK_DONE;
                else if (byte != '\r')
                        c->state = CHUNK_TRAILER_LINE;
                return 0;
        case CHUNK_TRAILER_LINE:
                if (byte == '\n')
                        c->state = CHUNK_TRAILER;
                return 0;
        default:
                return -1;
        }
}

int http_chunked_decode(struct http_chunked *c, char *in, size_t len, size_t *consumed,
                        size_t *produced)
{
        size_t r = 0, w = 0;
        while (r < len && c->state != CHUNK_DONE) {
                if (c->state == CHUNK_DATA) {
                        size_t n = len - r;
                        if ((uint64_t)n > c->remaining)
                                n = (size_t)c->remaining;
                        memmove(in + w, in + r, n);
                        r += n;
                        w += n;
                        c->remaining -= n;
                        if (c->remaining == 0)
                                c->state = CHUNK_DATA_END;
                        continue;
                }
                if (chunk_frame_byte(c, in[r++]) < 0)
                        return -1;
        }
        *consumed = r;
        *produced = w;
        return c->state == CHUNK_DONE ? 1 : 0;
}

/* ---- query strings ---- */

size_t http_query_count(const char *query)
{
        size_t n = 0;
        for (const char *p = query ? query : ""; *p;) {
                size_t len = strcspn(p, "&;");
                n += len > 0;
                p += len;
                if (*p)
                        p++;
        }
        return n;
}

static int query_refuse(const char *pair, size_t len, const char *why, struct error *err)
{
        cleanup_free char *shown = text_printable(pair, len, 64);
        return error_set(err, "invalid query parameter: %s (%s)", shown, why);
}

int http_query_parse(const char *query, struct http_query_param **params, size_t *count,
                     struct error *err)
{
        struct http_query_param *list = NULL;
        size_t n = 0;
        *params = NULL;
        *count = 0;
        if (http_query_count(query) > HTTP_MAX_PARAMS)
                return error_set(err, "too many query parameters (at most %d)", HTTP_MAX_PARAMS);
        for (const char *p = query ? query : ""; *p;) {
                size_t len = strcspn(p, "&;");
                const char *eq = memchr(p, '=', len);
                size_t klen = eq ? (size_t)(eq - p) : len;
                char *key = len > 0 ? http_unescape(p, klen, true) : NULL;
                char *value =
                    len > 0 && eq ? http_unescape(eq + 1, len - klen - 1, true) : xstrdup("");
                if (len > 0 && (key == NULL || value == NULL)) {
                        free(key);
                        free(value);
                        http_query_free(list, n);
                        bool nul = memmem(p, len, "%00", 3) != NULL;
                        return query_refuse(p, len, nul ? "NUL byte" : "bad %-escape", err);
                }
                if (key != NULL && key[0] != '\0') {
                        list = xrealloc(list, (n + 1) * sizeof(*list));
                        list[n].key = key;
                        list[n].value = value;
                        n++;
                } else {
                        free(key);
                        free(value);
                }
                p += len;
                if (*p)
                        p++;
        }
        *params = list;
        *count = n;
        return 0;
}

void http_query_free(struct http_query_param *params, size_t count)
{
        for (size_t i = 0; i < count; i++) {
                free((char *)params[i].key);
                free((char *)params[i].value);
        }
        free(params);
}
