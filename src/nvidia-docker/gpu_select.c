#include "nvidia-docker/gpu_select.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/text.h"
#include "common/xalloc.h"

static const char NV_GPU_FORMS[] = "expected GPU indexes as nvidia-smi numbers them (e.g. 0,1) "
                                   "or UUIDs (GPU-…, MIG-…), separated by commas or spaces";
#define MAX_INDEX_DIGITS 9

/* The item for a message: control characters as \xNN, long items cut. */
static char *shown_item(const char *item)
{
        return text_printable(item, strlen(item), 64);
}

static int item_error(const char *item, const char *reason, struct error *err)
{
        cleanup_free char *shown = shown_item(item);
        if (reason != NULL)
                return error_set(err, "invalid NV_GPU item '%s' (%s): %s", shown, reason,
                                 NV_GPU_FORMS);
        return error_set(err, "invalid NV_GPU item '%s': %s", shown, NV_GPU_FORMS);
}

static bool uuid_char(char c)
{
        return isalnum((unsigned char)c) || c == '-' || c == '/' || c == ':' || c == '.';
}

/* The item as it goes to the plugin, or NULL with err set. */
static char *normalise_item(const char *item, struct error *err)
{
        const char *p = item;
        if (*p == '+' || *p == '-') {
                if (!isdigit((unsigned char)p[1])) {
                        item_error(item, NULL, err);
                        return NULL;
                }
                if (*p == '-') {
                        item_error(item, "GPU indexes are not negative", err);
                        return NULL;
                }
                p++;
        }
        if (isdigit((unsigned char)*p)) {
                for (const char *d = p; *d; d++) {
                        if (!isdigit((unsigned char)*d)) {
                                item_error(item, NULL, err);
                                return NULL;
                        }
                }
                while (*p == '0' && p[1] != '\0')
                        p++;
                if (strlen(p) > MAX_INDEX_DIGITS) {
                        item_error(item, "index too large", err);
                        return NULL;
                }
                return xstrdup(p);
        }
        if ((strncmp(p, "GPU-", 4) == 0 || strncmp(p, "MIG-", 4) == 0) && p[4] != '\0') {
                for (const char *c = p + 4; *c; c++) {
                        if (!uuid_char(*c)) {
                                item_error(item, NULL, err);
                                return NULL;
                        }
                }
                return xstrdup(p);
        }
        item_error(item, NULL, err);
        return NULL;
}

int gpu_select_parse(const char *nv_gpu, struct gpu_selection *out, struct error *err)
{
        memset(out, 0, sizeof *out);
        struct strv raw = STRV_INIT, items = STRV_INIT;
        strv_split(&raw, nv_gpu, " ,");
        strv_init(&items);
        for (size_t i = 0; i < raw.count; i++) {
                char *item = normalise_item(raw.items[i], err);
                if (item == NULL) {
                        strv_destroy(&raw);
                        strv_destroy(&items);
                        return -1;
                }
                bool seen = false;
                for (size_t j = 0; j < items.count && !seen; j++)
                        seen = strcmp(items.items[j], item) == 0;
                if (seen)
                        free(item);
                else
                        strv_push_owned(&items, item);
        }
        strv_destroy(&raw);
        out->all = items.count == 0;
        out->items = items;
        return 0;
}

void gpu_selection_destroy(struct gpu_selection *sel)
{
        if (sel == NULL)
                return;
        strv_destroy(&sel->items);
        memset(sel, 0, sizeof *sel);
}
