/*
 * device_nodes: the NVIDIA device nodes a container needs.
 *
 * Nodes are looked up under `dev_root` ("/dev" in production; tests point it at a directory of
 * their own with env NVD_DEV_ROOT), but the paths handed to Docker are always /dev/<name>.
 * When /dev/nvidia-uvm is missing, `nvidia-modprobe -u -c=0` (found on PATH, run with an argv,
 * no shell) is asked to load nvidia-uvm; its real exit status and output are reported if that
 * fails.
 */
#ifndef NVD_DEVICE_NODES_H
#define NVD_DEVICE_NODES_H

#include "common/error.h"
#include "common/strv.h"

/* 0 if <dev_root>/<name> exists; else an error naming /dev/<name> and what to do. */
int device_nodes_check(const char *dev_root, const char *name, struct error *err);
/* Appends /dev/nvidiactl, /dev/nvidia-uvm, and /dev/nvidia-uvm-tools if it exists now. */
int device_nodes_control(const char *dev_root, struct strv *out, struct error *err);
/* Appends /dev/nvidia-modeset if it exists now (graphics and display: docs/capabilities.md). */
int device_nodes_modeset(const char *dev_root, struct strv *out, struct error *err);
/* Runs nvidia-modprobe -u -c=0; error with its exit status and output when it fails. */
int device_nodes_load_uvm(struct error *err);

#endif
