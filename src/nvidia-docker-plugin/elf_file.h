/*
 * elf_file: what the volume builder needs to know about a driver file, read with libelf:
 * class and machine, DT_SONAME, DT_NEEDED, and the 8 bytes at offset 24 of .note.ABI-tag
 * (the kernel version a library was built for). Reads the file once; keeps nothing open.
 */
#ifndef NVD_ELF_FILE_H
#define NVD_ELF_FILE_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "common/strv.h"

struct elf_file {
        int elf_class;      /* ELFCLASS32 or ELFCLASS64 */
        int machine;        /* EM_X86_64, EM_386, ... */
        int type;           /* ET_DYN, ET_EXEC, ... */
        char *soname;       /* DT_SONAME, NULL when none (executables) */
        struct strv needed; /* DT_NEEDED in order */
        bool has_abi_tag;   /* .note.ABI-tag present and at least 32 bytes */
        uint64_t abi_tag;   /* little-endian 64-bit value at offset 24 of its data */
};

/* Fails with "<path>: <reason>" when the file cannot be read or is not ELF. */
int elf_file_read(struct elf_file *file, const char *path, struct error *err);
void elf_file_destroy(struct elf_file *file);

#endif
