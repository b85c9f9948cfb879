#include "nvidia-docker-plugin/elf_file.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/xalloc.h"

static void read_dynamic(struct elf_file *file, Elf *elf, Elf_Scn *scn, const GElf_Shdr *shdr)
{
        Elf_Data *data = elf_getdata(scn, NULL);
        if (data == NULL || shdr->sh_entsize == 0)
                return;
        size_t count = shdr->sh_size / shdr->sh_entsize;
        for (size_t i = 0; i < count; i++) {
                GElf_Dyn dyn;
                if (gelf_getdyn(data, (int)i, &dyn) == NULL || dyn.d_tag == DT_NULL)
                        break;
                if (dyn.d_tag != DT_SONAME && dyn.d_tag != DT_NEEDED)
                        continue;
                const char *s = elf_strptr(elf, shdr->sh_link, dyn.d_un.d_val);
                if (s == NULL)
                        continue;
                if (dyn.d_tag == DT_NEEDED)
                        strv_push(&file->needed, s);
                else if (file->soname == NULL)
                        file->soname = xstrdup(s);
        }
}

static void read_abi_tag(struct elf_file *file, Elf_Scn *scn)
{
        Elf_Data *data = elf_getdata(scn, NULL);
        if (data == NULL || data->d_buf == NULL || data->d_size < 32)
                return;
        const unsigned char *p = (const unsigned char *)data->d_buf + 24;
        uint64_t v = 0;
        for (int i = 7; i >= 0; i--)
                v = v << 8 | p[i];
        file->has_abi_tag = true;
        file->abi_tag = v;
}

int elf_file_read(struct elf_file *file, const char *path, struct error *err)
{
        memset(file, 0, sizeof(*file));
        if (elf_version(EV_CURRENT) == EV_NONE)
                return error_set(err, "%s: libelf: %s", path, elf_errmsg(-1));
        cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return error_set_errno(err, errno, "open %s", path);
        Elf *elf = elf_begin(fd, ELF_C_READ, NULL);
        if (elf == NULL)
                return error_set(err, "%s: %s", path, elf_errmsg(-1));
        int rc = -1;
        GElf_Ehdr ehdr;
        if (elf_kind(elf) != ELF_K_ELF || gelf_getehdr(elf, &ehdr) == NULL) {
                error_set(err, "%s: not an ELF file", path);
                goto out;
        }
        file->elf_class = gelf_getclass(elf);
        file->machine = ehdr.e_machine;
        file->type = ehdr.e_type;
        size_t shstrndx;
        if (elf_getshdrstrndx(elf, &shstrndx) != 0) {
                error_set(err, "%s: %s", path, elf_errmsg(-1));
                goto out;
        }
        for (Elf_Scn *scn = elf_nextscn(elf, NULL); scn != NULL; scn = elf_nextscn(elf, scn)) {
                GElf_Shdr shdr;
                if (gelf_getshdr(scn, &shdr) == NULL)
                        continue;
                if (shdr.sh_type == SHT_DYNAMIC) {
                        read_dynamic(file, elf, scn, &shdr);
                } else if (shdr.sh_type == SHT_NOTE && !file->has_abi_tag) {
                        const char *name = elf_strptr(elf, shstrndx, shdr.sh_name);
                        if (name != NULL && strcmp(name, ".note.ABI-tag") == 0)
                                read_abi_tag(file, scn);
                }
        }
        rc = 0;
out:
        elf_end(elf);
        if (rc < 0)
                elf_file_destroy(file);
        return rc;
}

void elf_file_destroy(struct elf_file *file)
{
        if (file == NULL)
                return;
        free(file->soname);
        strv_destroy(&file->needed);
        memset(file, 0, sizeof(*file));
}
