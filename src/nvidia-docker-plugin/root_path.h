/*
 * root_path: paths inside a driver root (a directory that stands for "/", such as a test's fake
 * driver tree or a mounted host file system): symlinks are followed as the kernel would with
 * that directory as the root, so that nothing resolves outside it.
 */
#ifndef NVD_ROOT_PATH_H
#define NVD_ROOT_PATH_H

/*
 * Resolves `path` (absolute, as seen inside `root`) through every symlink, treating `root` as
 * the file system root ("/.." stays at the root). Returns the resolved path inside root
 * ("/usr/lib/libcuda.so.580.1"), or NULL with errno set (ENOENT, ELOOP, ENOTDIR, ...).
 */
char *root_path_resolve(const char *root, const char *path);
/* The host's path of `inner` (a path inside root): root + inner, "/" as root adding nothing. */
char *root_path_on_host(const char *root, const char *inner);

/* Cuts the last component of an absolute path, in place ("/a/b" → "/a", "/a" → "/"). */
void root_path_dirname(char *path);

#endif
