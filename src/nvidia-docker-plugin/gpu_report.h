/*
 * gpu_report: the bodies of /gpu/info and /gpu/status (docs/rest-api.md) from an inventory and
 * its live status: 1.0's tabwriter text layouts and its JSON (field order and null rules of Go's
 * encoding/json). A GPU in MIG mode also lists its MIG devices. Pure: no I/O.
 */
#ifndef NVD_GPU_REPORT_H
#define NVD_GPU_REPORT_H

#include "common/buf.h"
#include "nvidia-docker-plugin/gpu_inventory.h"

void gpu_report_info_text(const struct gpu_inventory *inv, const char *driver, const char *cuda,
                          struct buf *out);
void gpu_report_info_json(const struct gpu_inventory *inv, const char *driver, const char *cuda,
                          struct buf *out);
/* status[i] is the live status of inv->devices[i]. */
void gpu_report_status_text(const struct gpu_inventory *inv, const struct gpu_status *status,
                            struct buf *out);
void gpu_report_status_json(const struct gpu_inventory *inv, const struct gpu_status *status,
                            struct buf *out);

#endif
