/*
 * device_nodes: the NVIDIA device nodes a container needs.
 *
 * Nodes are looked up under `dev_root` ("/dev" in production; tests point it at a directory of
 * their own with env NVD_DEV_ROOT), but the paths handed to Docker are always /dev/<name>.
 * When /dev/nvidia-uvm is missing, `nvidia-modprobe -u -c=0` (found on PATH, run with an argv,
 * no shell) is asked to load nvidia-uvm; its real exit status and output are reported if that
 * fails. It runs once while the node stays missing, not once per request: its failure is
 * remembered and reported until the node appears or device_nodes_retry_uvm (SIGHUP) is called,
 * and a request that comes while it runs is told so at once instead of waiting.
 *
 * MIG capability nodes (/dev/nvidia-caps/nvidia-cap<minor>) are made the way `nvidia-modprobe -f
 * <access file>` makes them (docs/mig.md): a node that is missing, not a character device or of
 * the wrong numbers is (re)created with the major, minor, mode and owner the driver gives;
 * nothing is touched when the driver says the administrator manages the nodes.
 */
#ifndef NVD_DEVICE_NODES_H
#define NVD_DEVICE_NODES_H

#include <stdbool.h>

#include "common/error.h"
#include "common/strv.h"
#include "nvidia-docker-plugin/gpu_inventory.h"

/* 0 if <dev_root>/<name> exists; else an error naming /dev/<name> and what to do. */
int device_nodes_check(const char *dev_root, const char *name, struct error *err);
/* Appends /dev/nvidiactl, /dev/nvidia-uvm, and /dev/nvidia-uvm-tools if it exists now; loads
 * nvidia-uvm as said above when its node is missing. */
int device_nodes_control(const char *dev_root, struct strv *out, struct error *err);
/* 0 when <dev_root>/nvidia-uvm exists or nvidia-modprobe made it (as said above). */
int device_nodes_ensure_uvm(const char *dev_root, struct error *err);
/* Forgets a remembered nvidia-modprobe failure: the next need runs it again. */
void device_nodes_retry_uvm(void);
/* True when <dev_root>/nvidia-uvm is missing now (one stat). */
bool device_nodes_uvm_missing(const char *dev_root);
/* Appends /dev/nvidia-modeset if it exists now (graphics and display: docs/capabilities.md). */
int device_nodes_modeset(const char *dev_root, struct strv *out, struct error *err);
/* Makes sure <dev_root>/nvidia-caps/nvidia-cap<minor> is the character device (major, minor);
 * *created (may be NULL) tells whether it was made now. */
int device_nodes_ensure_cap(const char *dev_root, unsigned int major,
                            const struct gpu_cap_node *cap, bool *created, struct error *err);
/* Runs nvidia-modprobe -u -c=0; error with its exit status and output when it fails. */
int device_nodes_load_uvm(struct error *err);

#endif
