/*
 * driver_elf.c - does an ELF file define a symbol? memscope-run asks it
 * for __memscope_init_v1 to tell an instrumented program (runtime linked
 * in) from one that needs the shared runtime preloaded. Reads .dynsym and
 * .symtab of 64- and 32-bit little-endian files, bounds-checked throughout.
 */
#include "driver.h"

#include <elf.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* 1 if [off, off+len) lies inside a buffer of @size bytes. */
static int in_bounds(size_t size, unsigned long long off, unsigned long long len) {
    return off <= size && len <= size - off;
}

/* Look @name up in a symbol table of @count entries of @entsize bytes whose
 * names are in the string table [stroff, stroff+strsize). */
static int scan_syms(const unsigned char *buf, size_t len, int is64, unsigned long long symoff,
                     unsigned long long symsize, unsigned long long entsize,
                     unsigned long long stroff, unsigned long long strsize, const char *name) {
    size_t want = is64 ? sizeof(Elf64_Sym) : sizeof(Elf32_Sym);
    if (entsize < want || !in_bounds(len, symoff, symsize) || !in_bounds(len, stroff, strsize))
        return -MS_DRV_ERR_CORRUPT;
    size_t nlen = strlen(name);
    for (unsigned long long o = 0; o + entsize <= symsize; o += entsize) {
        unsigned long long st_name, shndx;
        if (is64) {
            Elf64_Sym s;
            memcpy(&s, buf + symoff + o, sizeof s);
            st_name = s.st_name;
            shndx = s.st_shndx;
        } else {
            Elf32_Sym s;
            memcpy(&s, buf + symoff + o, sizeof s);
            st_name = s.st_name;
            shndx = s.st_shndx;
        }
        if (shndx == SHN_UNDEF || st_name >= strsize || strsize - st_name < nlen + 1)
            continue;
        if (memcmp(buf + stroff + st_name, name, nlen + 1) == 0)
            return 1;
    }
    return 0;
}

int ms_elf_defines_mem(const unsigned char *buf, size_t len, const char *name) {
    if (len < EI_NIDENT || memcmp(buf, ELFMAG, SELFMAG) != 0)
        return -MS_DRV_ERR_NOT_ELF;
    if (buf[EI_DATA] != ELFDATA2LSB)
        return -MS_DRV_ERR_NOT_ELF;
    int is64 = buf[EI_CLASS] == ELFCLASS64;
    if (!is64 && buf[EI_CLASS] != ELFCLASS32)
        return -MS_DRV_ERR_NOT_ELF;
    unsigned long long shoff, shentsize, shnum;
    if (is64) {
        Elf64_Ehdr eh;
        if (len < sizeof eh)
            return -MS_DRV_ERR_CORRUPT;
        memcpy(&eh, buf, sizeof eh);
        shoff = eh.e_shoff, shentsize = eh.e_shentsize, shnum = eh.e_shnum;
    } else {
        Elf32_Ehdr eh;
        if (len < sizeof eh)
            return -MS_DRV_ERR_CORRUPT;
        memcpy(&eh, buf, sizeof eh);
        shoff = eh.e_shoff, shentsize = eh.e_shentsize, shnum = eh.e_shnum;
    }
    size_t want = is64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr);
    if (shnum == 0)
        return 0; /* no section table (stripped of it): nothing to find */
    if (shentsize < want || shnum > len / shentsize || !in_bounds(len, shoff, shnum * shentsize))
        return -MS_DRV_ERR_CORRUPT;
    int result = 0;
    for (unsigned long long i = 0; i < shnum; i++) {
        unsigned long long type, off, size, entsize, link;
        if (is64) {
            Elf64_Shdr sh;
            memcpy(&sh, buf + shoff + i * shentsize, sizeof sh);
            type = sh.sh_type, off = sh.sh_offset, size = sh.sh_size, entsize = sh.sh_entsize,
            link = sh.sh_link;
        } else {
            Elf32_Shdr sh;
            memcpy(&sh, buf + shoff + i * shentsize, sizeof sh);
            type = sh.sh_type, off = sh.sh_offset, size = sh.sh_size, entsize = sh.sh_entsize,
            link = sh.sh_link;
        }
        if (type != SHT_SYMTAB && type != SHT_DYNSYM)
            continue;
        if (link >= shnum)
            return -MS_DRV_ERR_CORRUPT;
        unsigned long long stroff, strsize;
        if (is64) {
            Elf64_Shdr st;
            memcpy(&st, buf + shoff + link * shentsize, sizeof st);
            stroff = st.sh_offset, strsize = st.sh_size;
        } else {
            Elf32_Shdr st;
            memcpy(&st, buf + shoff + link * shentsize, sizeof st);
            stroff = st.sh_offset, strsize = st.sh_size;
        }
        int r = scan_syms(buf, len, is64, off, size, entsize, stroff, strsize, name);
        if (r == 1)
            return 1;
        if (r < 0)
            result = r;
    }
    return result;
}

int ms_elf_defines(const char *path, const char *name) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -MS_DRV_ERR_IO;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return -MS_DRV_ERR_IO;
    }
    if (st.st_size < EI_NIDENT) {
        close(fd);
        return -MS_DRV_ERR_NOT_ELF;
    }
    void *map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED)
        return -MS_DRV_ERR_IO;
    int r = ms_elf_defines_mem(map, (size_t)st.st_size, name);
    munmap(map, (size_t)st.st_size);
    return r;
}
