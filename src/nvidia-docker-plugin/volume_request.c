#include "nvidia-docker-plugin/volume_request.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/xalloc.h"

/* Docker sends application/vnd.docker.plugins.v1.2+json (v1.1 before 1.10). Be tolerant: any
 * v1.x, a list containing one, * / *, or no header. */
bool volume_request_accept_ok(const char *accept)
{
        if (accept == NULL)
                return true;
        cleanup_free char *copy = xstrdup(accept);
        bool blank = true;
        char *save = NULL;
        for (char *item = strtok_r(copy, ",", &save); item != NULL;
             item = strtok_r(NULL, ",", &save)) {
                char *semicolon = strchr(item, ';');
                if (semicolon != NULL)
                        *semicolon = '\0';
                while (*item == ' ' || *item == '\t')
                        item++;
                size_t len = strlen(item);
                while (len > 0 && (item[len - 1] == ' ' || item[len - 1] == '\t'))
                        item[--len] = '\0';
                if (len == 0)
                        continue;
                blank = false;
                static const char prefix[] = "application/vnd.docker.plugins.v1";
                if (strcmp(item, "*/*") == 0 ||
                    (strncasecmp(item, prefix, strlen(prefix)) == 0 && len >= 5 &&
                     strcasecmp(item + len - 5, "+json") == 0))
                        return true;
        }
        return blank;
}

/* Copy of a client string for a log line: control characters as '?', at most 256 bytes. */
char *volume_request_loggable(const char *s)
{
        char *copy = xstrndup(s, 256);
        for (char *p = copy; *p != '\0'; p++)
                if ((unsigned char)*p < 0x20 || *p == 0x7f)
                        *p = '?';
        return copy;
}

/* The value of `key` in `object`: exact match preferred, else case-insensitive (Go). */
static json_t *object_get_any_case(json_t *object, const char *key)
{
        json_t *value = json_object_get(object, key);
        if (value != NULL)
                return value;
        const char *k;
        json_t *v;
        json_object_foreach(object, k, v)
        {
                if (strcasecmp(k, key) == 0)
                        return v;
        }
        return NULL;
}

/* A string field: *out is the value ("" when absent or null). -1 if it is not a string. */
static int string_field(json_t *object, const char *key, char **out)
{
        json_t *value = object ? object_get_any_case(object, key) : NULL;
        if (value == NULL || json_is_null(value)) {
                *out = xstrdup("");
                return 0;
        }
        if (!json_is_string(value))
                return -1;
        *out = xstrndup(json_string_value(value), json_string_length(value));
        return 0;
}

char *volume_request_read(const char *body, size_t len, char **id, char **cause)
{
        *cause = NULL;
        if (body == NULL || len == 0) {
                *cause = xstrdup("EOF");
                return NULL;
        }
        json_error_t jerr;
        json_t *root = json_loadb(body, len, JSON_DECODE_ANY, &jerr);
        if (root == NULL) {
                cleanup_free char *text = volume_request_loggable(jerr.text);
                *cause = xasprintf("invalid JSON request: %s", text);
                return NULL;
        }
        char *name = NULL;
        if (!json_is_null(root) && !json_is_object(root)) {
                *cause = xstrdup("json: cannot unmarshal a non-object request");
        } else {
                json_t *object = json_is_object(root) ? root : NULL;
                if (string_field(object, "Name", &name) < 0) {
                        *cause = xstrdup("json: cannot unmarshal a non-string Name");
                } else if (id != NULL && string_field(object, "ID", id) < 0) {
                        *cause = xstrdup("json: cannot unmarshal a non-string ID");
                        free(name);
                        name = NULL;
                }
        }
        json_decref(root);
        return name;
}
