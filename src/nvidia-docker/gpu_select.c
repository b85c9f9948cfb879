#include "nvidia-docker/gpu_select.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/text.h"
#include "common/xalloc.h"

static const char LIST_FORMS[] =
    "expected GPU indexes as nvidia-smi numbers them (e.g. 0,1), UUIDs (GPU-..., MIG-...) or "
    "MIG indexes (0:1), separated by commas or spaces; or all, none or void";
static const char CAPABILITY_FORMS[] =
    "expected compute, compat32, display, graphics, utility or video, separated by commas; or all";
#define MAX_INDEX_DIGITS 9
#define CDI_PREFIX       "nvidia.com/gpu="

static bool is_digit(char c)
{
        return c >= '0' && c <= '9';
}

static bool is_alnum(char c)
{
        return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int item_error(const char *what, const char *item, const char *reason, struct error *err)
{
        cleanup_free char *shown = text_printable(item, strlen(item), 64);
        if (reason != NULL)
                return error_set(err, "invalid %s item '%s' (%s): %s", what, shown, reason,
                                 LIST_FORMS);
        return error_set(err, "invalid %s item '%s': %s", what, shown, LIST_FORMS);
}

/* A decimal number at *p (optional '+', leading zeros dropped) up to a character in `stop` or
 * the end, appended to `out`. -1 when it is not one (reason in *why, NULL for "not a number"). */
static int read_index(const char **p, const char *stop, struct buf *out, const char **why)
{
        const char *s = *p;
        *why = NULL;
        if (*s == '-' && is_digit(s[1])) {
                *why = "GPU indexes are not negative";
                return -1;
        }
        if (*s == '+')
                s++;
        if (!is_digit(*s))
                return -1;
        while (*s == '0' && is_digit(s[1]))
                s++;
        size_t n = 0;
        while (is_digit(s[n]))
                n++;
        if (s[n] != '\0' && strchr(stop, s[n]) == NULL)
                return -1;
        if (n > MAX_INDEX_DIGITS) {
                *why = "index too large";
                return -1;
        }
        buf_append(out, s, n);
        *p = s + n;
        return 0;
}

/* The item as the plugin takes it, or NULL with err set. */
static char *normalise_item(const char *what, const char *item, struct error *err)
{
        const char *p = item;
        if (strncmp(p, CDI_PREFIX, strlen(CDI_PREFIX)) == 0 && p[strlen(CDI_PREFIX)] != '\0')
                p += strlen(CDI_PREFIX);
        if (is_digit(*p) || *p == '+' || *p == '-') {
                struct buf b = BUF_INIT;
                const char *why = NULL;
                if (read_index(&p, ":", &b, &why) == 0 && *p == ':') {
                        buf_puts(&b, ":");
                        p++;
                        if (read_index(&p, "", &b, &why) < 0)
                                goto bad;
                }
                if (why != NULL || *p != '\0')
                        goto bad;
                return buf_steal(&b);
        bad:
                buf_destroy(&b);
                item_error(what, item, why, err);
                return NULL;
        }
        if ((strncmp(p, "GPU-", 4) == 0 || strncmp(p, "MIG-", 4) == 0) && p[4] != '\0') {
                for (const char *c = p + 4; *c; c++) {
                        if (!is_alnum(*c) && strchr("-/:.", *c) == NULL) {
                                item_error(what, item, NULL, err);
                                return NULL;
                        }
                }
                return xstrdup(p);
        }
        if (strcmp(p, "all") == 0 || strcmp(p, "none") == 0 || strcmp(p, "void") == 0)
                item_error(what, item, "it stands alone, not in a list", err);
        else
                item_error(what, item, NULL, err);
        return NULL;
}

static void push_unique(struct strv *items, char *item)
{
        for (size_t j = 0; j < items->count; j++) {
                if (strcmp(items->items[j], item) == 0) {
                        free(item);
                        return;
                }
        }
        strv_push_owned(items, item);
}

/* Appends the items of `value` to out->items. */
static int add_items(const char *value, const char *separators, const char *what,
                     struct gpu_request *out, struct error *err)
{
        struct strv raw = STRV_INIT;
        strv_split(&raw, value, separators);
        for (size_t i = 0; i < raw.count; i++) {
                char *item = normalise_item(what, raw.items[i], err);
                if (item == NULL) {
                        strv_destroy(&raw);
                        return -1;
                }
                push_unique(&out->items, item);
        }
        strv_destroy(&raw);
        return 0;
}

static bool special_word(const char *value, enum gpu_request_kind *kind)
{
        static const struct {
                const char *word;
                enum gpu_request_kind kind;
        } words[] = {
            {"all", GPU_REQUEST_ALL}, {"none", GPU_REQUEST_NONE}, {"void", GPU_REQUEST_VOID}};
        for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
                if (strcmp(value, words[i].word) == 0 ||
                    (strncmp(value, CDI_PREFIX, strlen(CDI_PREFIX)) == 0 &&
                     strcmp(value + strlen(CDI_PREFIX), words[i].word) == 0)) {
                        *kind = words[i].kind;
                        return true;
                }
        }
        return false;
}

int gpu_request_parse_list(const char *value, const char *what, struct gpu_request *out,
                           struct error *err)
{
        memset(out, 0, sizeof(*out));
        strv_init(&out->items);
        if (value == NULL)
                value = "";
        /* The special words may carry the separators around them (" all "). */
        size_t start = strspn(value, " ,");
        size_t len = strlen(value + start);
        while (len > 0 && strchr(" ,", value[start + len - 1]) != NULL)
                len--;
        cleanup_free char *trimmed = xstrndup(value + start, len);
        if (special_word(trimmed, &out->kind))
                return 0;
        out->kind = GPU_REQUEST_LIST;
        if (add_items(trimmed, " ,", what, out, err) < 0) {
                gpu_request_destroy(out);
                return -1;
        }
        if (out->items.count == 0)
                out->kind = GPU_REQUEST_VOID;
        return 0;
}

void gpu_request_destroy(struct gpu_request *request)
{
        if (request == NULL)
                return;
        strv_destroy(&request->items);
        memset(request, 0, sizeof(*request));
}

char *gpu_request_describe(const struct gpu_request *request)
{
        switch (request->kind) {
        case GPU_REQUEST_ALL:
                return xstrdup("all");
        case GPU_REQUEST_NONE:
                return xstrdup("none");
        case GPU_REQUEST_VOID:
                return xstrdup("void");
        case GPU_REQUEST_COUNT:
                return xasprintf("%u GPU%s", request->count, request->count == 1 ? "" : "s");
        case GPU_REQUEST_LIST:
                break;
        }
        return strv_join(&request->items, ",");
}

/* ---- driver capabilities ---- */

/* Sorted: the normalised list is in this order. */
static const char *const capability_words[] = {"compat32", "compute", "display",
                                               "graphics", "utility", "video"};
#define CAPABILITY_COUNT (sizeof(capability_words) / sizeof(capability_words[0]))

/* Adds the words of `value` (comma-separated) to *mask; *all when `all` is among them. */
static int capability_words_add(const char *value, const char *what, unsigned *mask, bool *all,
                                struct error *err)
{
        struct strv words = STRV_INIT;
        strv_split(&words, value, ",");
        int ret = 0;
        for (size_t i = 0; i < words.count && ret == 0; i++) {
                const char *w = words.items[i];
                if (strcmp(w, "all") == 0) {
                        *all = true;
                        continue;
                }
                if (strcmp(w, "gpu") == 0 || strcmp(w, "nvidia") == 0)
                        continue; /* docker's device-request words, not driver capabilities */
                size_t k = 0;
                while (k < CAPABILITY_COUNT && strcmp(w, capability_words[k]) != 0)
                        k++;
                if (k == CAPABILITY_COUNT) {
                        cleanup_free char *shown = text_printable(w, strlen(w), 64);
                        ret = error_set(err, "invalid %s capability '%s': %s", what, shown,
                                        CAPABILITY_FORMS);
                } else {
                        *mask |= 1u << k;
                }
        }
        strv_destroy(&words);
        return ret;
}

int driver_capabilities_parse(const char *value, const char *what, char **out, struct error *err)
{
        *out = NULL;
        unsigned mask = 0;
        bool all = false;
        if (capability_words_add(value != NULL ? value : "", what, &mask, &all, err) < 0)
                return -1;
        if (all) {
                *out = xstrdup("all");
                return 0;
        }
        if (mask == 0) {
                *out = xstrdup(DRIVER_CAPABILITIES_DEFAULT);
                return 0;
        }
        struct buf b = BUF_INIT;
        for (size_t k = 0; k < CAPABILITY_COUNT; k++)
                if (mask & (1u << k))
                        buf_printf(&b, "%s%s", b.len > 0 ? "," : "", capability_words[k]);
        *out = buf_steal(&b);
        return 0;
}

bool driver_capabilities_has(const char *capabilities, const char *word)
{
        if (capabilities == NULL)
                return false;
        if (strcmp(capabilities, "all") == 0)
                return true;
        size_t n = strlen(word);
        for (const char *p = capabilities; *p;) {
                size_t len = strcspn(p, ",");
                if (len == n && strncmp(p, word, n) == 0)
                        return true;
                p += len;
                p += *p == ',';
        }
        return false;
}

/* ---- docker's --gpus ---- */

/* Go's encoding/csv on one line, default settings: fields split on ',', a field that starts
 * with '"' is quoted (`""` is a quote; after the closing quote only ',' or the end may follow),
 * a quote inside an unquoted field is an error. */
static int csv_fields(const char *value, struct strv *out, struct error *err)
{
        if (value[0] == '\0')
                return error_set(err, "EOF");
        const char *p = value;
        for (;;) {
                struct buf field = BUF_INIT;
                buf_puts(&field, "");
                if (*p == '"') {
                        p++;
                        for (;;) {
                                if (*p == '\0') {
                                        buf_destroy(&field);
                                        return error_set(err, "extraneous or missing \" in "
                                                              "quoted-field");
                                }
                                if (*p == '"' && p[1] == '"') {
                                        buf_append(&field, "\"", 1);
                                        p += 2;
                                } else if (*p == '"') {
                                        p++;
                                        break;
                                } else {
                                        buf_append(&field, p++, 1);
                                }
                        }
                        if (*p != ',' && *p != '\0') {
                                buf_destroy(&field);
                                return error_set(err, "extraneous or missing \" in quoted-field");
                        }
                } else {
                        size_t n = strcspn(p, ",\"");
                        if (p[n] == '"') {
                                buf_destroy(&field);
                                return error_set(err, "bare \" in non-quoted-field");
                        }
                        buf_append(&field, p, n);
                        p += n;
                }
                strv_push_owned(out, buf_steal(&field));
                if (*p == '\0')
                        return 0;
                p++; /* ',' */
        }
}

/* `all` or a non-negative integer. -1 with err set otherwise. */
static int parse_count(const char *s, long *count, struct error *err)
{
        if (strcmp(s, "all") == 0) {
                *count = -1;
                return 0;
        }
        const char *p = s;
        if (*p == '+' || *p == '-')
                p++;
        bool digits = is_digit(*p);
        while (is_digit(*p))
                p++;
        if (!digits || *p != '\0' || strlen(s) > MAX_INDEX_DIGITS + 1 || s[0] == '-') {
                cleanup_free char *shown = text_printable(s, strlen(s), 64);
                return error_set(err, "invalid count (%s): value must be either \"all\" or %s",
                                 shown,
                                 s[0] == '-' ? "a count of GPUs (not negative)" : "an integer");
        }
        *count = strtol(s, NULL, 10);
        return 0;
}

struct gpus_option {
        long count;
        bool count_seen, device_seen, capabilities_seen, driver_seen, options_seen;
        struct strv devices;
        char *capabilities;
};

static int gpus_field(struct gpus_option *o, const char *field, struct error *err)
{
        const char *eq = strchr(field, '=');
        if (eq == NULL) {
                if (o->device_seen && !o->count_seen && strcmp(field, "all") != 0) {
                        /* `device=0,2` unquoted: the 2 is one more device. */
                        strv_push(&o->devices, field);
                        return 0;
                }
                if (o->count_seen)
                        return error_set(err, "gpu request key 'count' can be specified only once");
                o->count_seen = true;
                return parse_count(field, &o->count, err);
        }
        size_t klen = (size_t)(eq - field);
        const char *val = eq + 1;
        static const char *const keys[] = {"count", "device", "capabilities", "driver", "options"};
        bool *seen[] = {&o->count_seen, &o->device_seen, &o->capabilities_seen, &o->driver_seen,
                        &o->options_seen};
        size_t k = 0;
        while (k < 5 && !(strlen(keys[k]) == klen && strncmp(field, keys[k], klen) == 0))
                k++;
        if (k == 5) {
                cleanup_free char *key = text_printable(field, klen, 64);
                cleanup_free char *shown = text_printable(field, strlen(field), 64);
                return error_set(err, "unexpected key '%s' in '%s'", key, shown);
        }
        if (*seen[k])
                return error_set(err, "gpu request key '%s' can be specified only once", keys[k]);
        *seen[k] = true;
        switch (k) {
        case 0:
                return parse_count(val, &o->count, err);
        case 1:
                strv_split(&o->devices, val, ",");
                return 0;
        case 2:
                free(o->capabilities);
                o->capabilities = xstrdup(val);
                return 0;
        case 3:
                if (val[0] != '\0' && strcmp(val, "nvidia") != 0) {
                        cleanup_free char *shown = text_printable(val, strlen(val), 64);
                        return error_set(err,
                                         "driver '%s': nvidia-docker serves only NVIDIA "
                                         "GPUs (driver=nvidia)",
                                         shown);
                }
                return 0;
        default:
                return 0; /* options=: nothing of ours to set */
        }
}

int gpu_request_parse_option(const char *value, struct gpu_request *out, char **capabilities,
                             struct error *err)
{
        memset(out, 0, sizeof(*out));
        strv_init(&out->items);
        *capabilities = NULL;
        struct gpus_option o = {.count = 0};
        strv_init(&o.devices);
        struct strv fields = STRV_INIT;
        int ret = csv_fields(value, &fields, err);
        for (size_t i = 0; ret == 0 && i < fields.count; i++)
                ret = gpus_field(&o, fields.items[i], err);
        strv_destroy(&fields);
        if (ret == 0 && o.device_seen && o.count_seen)
                ret = error_set(err, "cannot set both count and device in one --gpus option");
        if (ret == 0 && o.capabilities_seen)
                ret = driver_capabilities_parse(o.capabilities, "--gpus", capabilities, err);
        if (ret == 0) {
                if (o.device_seen) {
                        out->kind = GPU_REQUEST_LIST;
                        for (size_t i = 0; ret == 0 && i < o.devices.count; i++) {
                                char *item =
                                    normalise_item("--gpus device", o.devices.items[i], err);
                                if (item == NULL)
                                        ret = -1;
                                else
                                        push_unique(&out->items, item);
                        }
                        if (ret == 0 && out->items.count == 0)
                                ret = error_set(err, "device= names no GPU");
                } else if (!o.count_seen) {
                        out->kind = GPU_REQUEST_COUNT; /* docker: no count and no device is 1 */
                        out->count = 1;
                } else if (o.count < 0) {
                        out->kind = GPU_REQUEST_ALL;
                } else if (o.count == 0) {
                        out->kind = GPU_REQUEST_VOID;
                } else {
                        out->kind = GPU_REQUEST_COUNT;
                        out->count = (unsigned)o.count;
                }
        }
        strv_destroy(&o.devices);
        free(o.capabilities);
        if (ret < 0) {
                free(*capabilities);
                *capabilities = NULL;
                gpu_request_destroy(out);
                cleanup_free char *shown = text_printable(value, strlen(value), 80);
                return error_prefix(err, "invalid argument \"%s\" for \"--gpus\" flag", shown);
        }
        return 0;
}
