/*
 * cdi_file: the CDI spec file on disk, replaced atomically: readers (podman, containerd, CRI-O)
 * see the old spec or the new one, never a part.
 *
 * cdi_file_write creates the directory (and its parents, mode 0755) when missing, writes the
 * text to a temporary file `.<name>.XXXXXX` in the same directory (no .json or .yaml ending:
 * CDI readers skip it), makes it 0644, syncs it, renames it over <dir>/<name> and syncs the
 * directory. On failure the temporary file is removed and the old spec stays.
 */
#ifndef NVD_CDI_FILE_H
#define NVD_CDI_FILE_H

#include <stddef.h>

#include "common/error.h"

int cdi_file_write(const char *dir, const char *name, const char *data, size_t len,
                   struct error *err);
/* Removes <dir>/<name>; a missing file or directory is success. */
int cdi_file_remove(const char *dir, const char *name, struct error *err);
/* Removes temporary files `.<name>.*` that an interrupted write left in dir. */
void cdi_file_clean(const char *dir, const char *name);

#endif
