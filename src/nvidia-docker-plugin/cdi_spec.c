#include "nvidia-docker-plugin/cdi_spec.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "common/json_util.h"
#include "common/xalloc.h"

static bool is_alnum(char c)
{
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool cdi_spec_valid_name(const char *name)
{
        size_t len = name != NULL ? strlen(name) : 0;
        if (len == 0 || !is_alnum(name[0]) || !is_alnum(name[len - 1]))
                return false;
        for (size_t i = 1; i + 1 < len; i++)
                if (!is_alnum(name[i]) && strchr("_-.:", name[i]) == NULL)
                        return false;
        return true;
}

static int check_node(const struct cdi_node *node, struct error *err)
{
        if (node->path == NULL || node->path[0] != '/')
                return error_set(err, "CDI spec: device node '%s' is not an absolute path",
                                 node->path ? node->path : "");
        if (node->host_path != NULL && node->host_path[0] != '/')
                return error_set(err, "CDI spec: host path '%s' of %s is not absolute",
                                 node->host_path, node->path);
        if (node->type != 'c' && node->type != 'b')
                return error_set(err, "CDI spec: %s is not a character or block device",
                                 node->path);
        if (node->major < 0 || node->minor < 0)
                return error_set(err, "CDI spec: %s has no device number", node->path);
        return 0;
}

/* Nodes of one device, without repeating a container path. */
struct node_list {
        const struct cdi_node **items;
        size_t count, capacity;
};

static void node_list_add(struct node_list *list, const struct cdi_node *node)
{
        for (size_t i = 0; i < list->count; i++)
                if (strcmp(list->items[i]->path, node->path) == 0)
                        return;
        if (list->count == list->capacity) {
                list->capacity = list->capacity ? 2 * list->capacity : 8;
                list->items = xrealloc(list->items, list->capacity * sizeof(*list->items));
        }
        list->items[list->count++] = node;
}

static void write_node(struct buf *out, const struct cdi_node *node)
{
        buf_puts(out, "          {\"path\": ");
        json_append_string(out, node->path);
        if (node->host_path != NULL && strcmp(node->host_path, node->path) != 0) {
                buf_puts(out, ", \"hostPath\": ");
                json_append_string(out, node->host_path);
        }
        buf_printf(out,
                   ", \"type\": \"%c\", \"major\": %" PRId64 ", \"minor\": %" PRId64
                   ", \"permissions\": \"" CDI_NODE_PERMISSIONS "\"}",
                   node->type, node->major, node->minor);
}

static void write_device(struct buf *out, bool *first, const char *name,
                         const struct node_list *nodes)
{
        buf_puts(out, *first ? "\n" : ",\n");
        *first = false;
        buf_puts(out, "    {\n      \"name\": ");
        json_append_string(out, name);
        buf_puts(out, ",\n      \"containerEdits\": {\n        \"deviceNodes\": [\n");
        for (size_t i = 0; i < nodes->count; i++) {
                write_node(out, nodes->items[i]);
                buf_puts(out, i + 1 < nodes->count ? ",\n" : "\n");
        }
        buf_puts(out, "        ]\n      }\n    }");
}

/* A name may be used once, and only if CDI accepts it. */
static bool name_usable(const char *name, struct strv *taken, struct strv *skipped)
{
        if (name == NULL)
                return false;
        if (!cdi_spec_valid_name(name)) {
                if (skipped != NULL)
                        strv_push(skipped, name);
                return false;
        }
        for (size_t i = 0; i < taken->count; i++)
                if (strcmp(taken->items[i], name) == 0) {
                        if (skipped != NULL)
                                strv_push(skipped, name);
                        return false;
                }
        strv_push(taken, name);
        return true;
}

int cdi_spec_build(const struct cdi_spec_input *in, struct buf *out, struct strv *skipped,
                   struct error *err)
{
        if (in->driver_dir == NULL || in->driver_dir[0] != '/')
                return error_set(err, "CDI spec: the driver directory '%s' is not absolute",
                                 in->driver_dir ? in->driver_dir : "");
        if (in->control_count == 0)
                return error_set(err, "CDI spec: no control device node (/dev/nvidiactl)");
        for (size_t i = 0; i < in->control_count; i++)
                if (check_node(&in->control[i], err) < 0)
                        return -1;
        for (size_t g = 0; g < in->gpu_count; g++)
                for (size_t n = 0; n < in->gpus[g].node_count; n++)
                        if (check_node(&in->gpus[g].nodes[n], err) < 0)
                                return -1;

        struct strv taken = STRV_INIT;
        /* `all` and `none` are ours even if an odd inventory used the words. */
        strv_push(&taken, CDI_DEVICE_ALL);
        strv_push(&taken, CDI_DEVICE_NONE);
        struct node_list all = {NULL, 0, 0};
        bool first = true;
        buf_puts(out, "{\n  \"cdiVersion\": \"" CDI_SPEC_VERSION "\",\n  \"kind\": \"" CDI_SPEC_KIND
                      "\",\n  \"devices\": [");
        for (size_t i = 0; i < in->control_count; i++)
                node_list_add(&all, &in->control[i]);
        for (size_t g = 0; g < in->gpu_count; g++) {
                const struct cdi_gpu *gpu = &in->gpus[g];
                struct node_list nodes = {NULL, 0, 0};
                for (size_t i = 0; i < in->control_count; i++)
                        node_list_add(&nodes, &in->control[i]);
                for (size_t n = 0; n < gpu->node_count; n++) {
                        node_list_add(&nodes, &gpu->nodes[n]);
                        node_list_add(&all, &gpu->nodes[n]);
                }
                if (name_usable(gpu->index, &taken, skipped))
                        write_device(out, &first, gpu->index, &nodes);
                if (name_usable(gpu->uuid, &taken, skipped))
                        write_device(out, &first, gpu->uuid, &nodes);
                free(nodes.items);
        }
        struct node_list control = {NULL, 0, 0};
        for (size_t i = 0; i < in->control_count; i++)
                node_list_add(&control, &in->control[i]);
        write_device(out, &first, CDI_DEVICE_ALL, &all);
        write_device(out, &first, CDI_DEVICE_NONE, &control);
        free(control.items);
        free(all.items);
        strv_destroy(&taken);

        buf_puts(out, "\n  ],\n  \"containerEdits\": {\n    \"env\": "
                      "[\"NVIDIA_VISIBLE_DEVICES=void\"],\n    \"mounts\": [\n"
                      "      {\"hostPath\": ");
        json_append_string(out, in->driver_dir);
        buf_puts(out, ", \"containerPath\": \"" CDI_DRIVER_MOUNT
                      "\", \"options\": [\"ro\", \"nosuid\", \"nodev\", \"rbind\"]}\n"
                      "    ]\n  }\n}\n");
        return 0;
}
