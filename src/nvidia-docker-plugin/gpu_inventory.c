#include "nvidia-docker-plugin/gpu_inventory.h"

#include <stdlib.h>

#include "common/xalloc.h"

void gpu_device_destroy_migs(struct gpu_device *d)
{
        for (size_t m = 0; m < d->mig_count; m++) {
                free(d->migs[m].uuid);
                free(d->migs[m].gi_cap.path);
                free(d->migs[m].ci_cap.path);
        }
        free(d->migs);
        d->migs = NULL;
        d->mig_count = 0;
}

void gpu_inventory_destroy(struct gpu_inventory *inventory)
{
        for (size_t i = 0; i < inventory->count; i++) {
                struct gpu_device *d = &inventory->devices[i];
                free(d->uuid);
                free(d->path);
                free(d->model);
                free(d->peers);
                gpu_device_destroy_migs(d);
        }
        free(inventory->devices);
        inventory->devices = NULL;
        inventory->count = 0;
}

const struct gpu_mig_device *gpu_inventory_find_mig(const struct gpu_inventory *inventory,
                                                    size_t gpu, unsigned int index)
{
        if (gpu >= inventory->count)
                return NULL;
        const struct gpu_device *d = &inventory->devices[gpu];
        for (size_t m = 0; m < d->mig_count; m++)
                if (d->migs[m].index == index)
                        return &d->migs[m];
        return NULL;
}

void gpu_status_init(struct gpu_status *s)
{
        s->power = s->temperature = GPU_NULL;
        s->util_gpu = s->util_memory = s->util_encoder = s->util_decoder = GPU_NULL;
        s->memory_used = GPU_NULL;
        s->ecc_l1 = s->ecc_l2 = s->ecc_global = GPU_NULL;
        s->clock_cores = s->clock_memory = GPU_NULL;
        s->bar1_used = GPU_NULL;
        s->rx = s->tx = GPU_NULL;
        s->processes = NULL;
        s->process_count = 0;
}

void gpu_status_destroy(struct gpu_status *status)
{
        for (size_t i = 0; i < status->process_count; i++)
                free(status->processes[i].name);
        free(status->processes);
        status->processes = NULL;
        status->process_count = 0;
}

const char *gpu_family(int cc_major)
{
        switch (cc_major) {
        case 1:
                return "Tesla";
        case 2:
                return "Fermi";
        case 3:
                return "Kepler";
        case 5:
                return "Maxwell";
        case 6:
                return "Pascal";
        default:
                return NULL;
        }
}

int gpu_cores_per_sm(int major, int minor)
{
        static const struct {
                int major, minor, cores;
        } table[] = {
            {1, 0, 8},   {1, 1, 8},   {1, 2, 8},   {1, 3, 8},   /* Tesla */
            {2, 0, 32},  {2, 1, 48},                            /* Fermi */
            {3, 0, 192}, {3, 2, 192}, {3, 5, 192}, {3, 7, 192}, /* Kepler */
            {5, 0, 128}, {5, 2, 128}, {5, 3, 128},              /* Maxwell */
            {6, 0, 64},  {6, 1, 128}, {6, 2, 128},              /* Pascal */
        };
        for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
                if (table[i].major == major && table[i].minor == minor)
                        return table[i].cores;
        return 0;
}

int gpu_pcie_lane_bandwidth(unsigned int generation)
{
        switch (generation) {
        case 1:
                return 250;
        case 2:
                return 500;
        case 3:
                return 985;
        case 4:
                return 1969;
        default:
                return 0; /* 1.0's table stops at gen4; gen5 (H100/H200) reports 0 */
        }
}

int gpu_link_from_topology(int level)
{
        switch (level) {
        case 50:
                return 1; /* SYSTEM */
        case 40:
                return 2; /* NODE (was CPU) */
        case 30:
                return 3; /* HOSTBRIDGE */
        case 20:
                return 4; /* MULTIPLE */
        case 10:
                return 5; /* SINGLE */
        case 0:
                return 6; /* INTERNAL */
        default:
                return 0;
        }
}

const char *gpu_link_text(int link)
{
        static const char *const text[] = {
            "N/A",
            "Cross CPU socket",
            "Same CPU socket",
            "Host PCI bridge",
            "Multiple PCI switches",
            "Single PCI switch",
            "Same board",
        };
        if (link < 0 || link > 6)
                return text[0];
        return text[link];
}

char *gpu_cuda_version_string(int version)
{
        return xasprintf("%d.%d", version / 1000, (version % 1000) / 10);
}
