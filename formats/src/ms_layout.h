/*
 * ms_layout.h - the on-disk layout of a .ms file: one shared definition.
 *
 * All integers are little-endian, written and read byte by byte through
 * the ms_put_le and ms_get_le helpers (never by casting a struct onto the bytes), so the
 * layout does not depend on the host. docs/FORMAT.md draws the same tables.
 *
 *  file header (48 + exe_len bytes, at offset 0)
 *    0  magic "MEMSCOPE"          8
 *    8  u32 version               4
 *   12  u32 header_size           4   = 48 + exe_len
 *   16  u32 flags                 4   MS_HDR_F_*
 *   20  u32 pid                   4
 *   24  u64 created_unix_ns       8
 *   32  u32 codec                 4   the writer's default codec
 *   36  u32 exe_len               4   <= MS_MAX_STRING
 *   40  exe bytes                 exe_len (no NUL)
 *   40+exe_len u64 XXH3-64 of bytes [0, 40+exe_len)
 *
 *  chunk header (72 bytes), followed by stored_size payload bytes
 *    0  u32 magic 0x4B43534D ("MSCK")
 *    4  u16 type                  ms_chunk_type
 *    6  u8  codec                 ms_codec
 *    7  u8  flags                 0 in version 1
 *    8  u32 thread
 *   12  u32 reserved              0
 *   16  u64 stored_size           <= MS_MAX_CHUNK_STORED
 *   24  u64 raw_size              <= MS_MAX_CHUNK_RAW, >= 1
 *   32  u64 items                 <= raw_size
 *   40  u64 t_first
 *   48  u64 t_last                >= t_first
 *   56  u64 XXH3-64 of the stored payload bytes
 *   64  u64 XXH3-64 of chunk header bytes [0, 64)
 *
 *  trailer (32 bytes, the last bytes of a closed file)
 *    0  magic "MSTRAILR"          8
 *    8  u64 index_offset          offset of the index chunk's header
 *   16  u64 chunk_count           data chunks (the index not counted)
 *   24  u64 XXH3-64 of trailer bytes [0, 24)
 */
#ifndef MS_LAYOUT_H
#define MS_LAYOUT_H

#include <stdint.h>
#include <string.h>

#include "msformat.h"

#define MS_HEADER_FIXED 40u          /* header bytes before the exe path */
#define MS_HEADER_OVERHEAD 48u       /* fixed part + checksum */
#define MS_CHUNK_HEADER_SIZE 72u
#define MS_CHUNK_MAGIC 0x4B43534Du   /* bytes 'M' 'S' 'C' 'K' */
#define MS_TRAILER_SIZE 32u
#define MS_TRAILER_MAGIC "MSTRAILR"
#define MS_MAGIC_LEN 8u

static inline void ms_put_le16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}
static inline void ms_put_le32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}
static inline void ms_put_le64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}
static inline uint16_t ms_get_le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}
static inline uint32_t ms_get_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
           ((uint32_t)p[3] << 24);
}
static inline uint64_t ms_get_le64(const uint8_t *p)
{
    return (uint64_t)ms_get_le32(p) | ((uint64_t)ms_get_le32(p + 4) << 32);
}

/* A chunk header as values. */
typedef struct {
    uint32_t type;
    uint32_t codec;
    uint32_t flags;
    uint32_t thread;
    uint64_t stored_size;
    uint64_t raw_size;
    uint64_t items;
    uint64_t t_first;
    uint64_t t_last;
    uint64_t payload_hash;
} ms_chunk_hdr;

/*! ms_checksum() : XXH3-64 (seed 0) of @len bytes, the only hash of the format. */
uint64_t ms_checksum(const void *p, size_t len);
/*! ms_checksum_ok() : 1 when ms_checksum(p, len) == @expected. Every check
 *  of the format goes through here, so a fuzz build compiled with
 *  MS_FUZZ_IGNORE_CHECKSUMS can reach the structures behind the checksums. */
int ms_checksum_ok(uint64_t expected, const void *p, size_t len);

/*! ms_header_encode() : the file header for @info/@exe (exe_len bytes) into
 *  @out, which holds MS_HEADER_OVERHEAD + exe_len bytes. @return bytes. */
size_t ms_header_encode(uint8_t *out, const ms_header_info *info,
                        const char *exe, uint32_t exe_len);

/*! ms_header_decode() : parse and verify the file header at @p (@avail bytes
 *  available). On MS_OK fills @info (exe left NULL), *exe_off and *exe_len (the
 *  path's position in @p) and *hdr_size. Errors: MS_ERR_TRUNCATED (too few
 *  bytes, magic prefix matches), MS_ERR_BAD_MAGIC, MS_ERR_VERSION,
 *  MS_ERR_TOO_LARGE (exe_len), MS_ERR_CORRUPT, MS_ERR_HEADER_CHECKSUM. */
ms_error ms_header_decode(const uint8_t *p, size_t avail, ms_header_info *info,
                          uint32_t *exe_off, uint32_t *exe_len, uint32_t *hdr_size);

/*! ms_chunk_hdr_encode() : 72 bytes into @out, computing the header hash. */
void ms_chunk_hdr_encode(uint8_t *out, const ms_chunk_hdr *h);

/*! ms_chunk_hdr_decode() : parse and verify 72 bytes. Order of checks:
 *  magic (MS_ERR_CORRUPT), header hash (MS_ERR_CHUNK_CHECKSUM), then bounds
 *  (MS_ERR_TOO_LARGE) and structure (MS_ERR_CORRUPT, MS_ERR_CODEC).
 *  @why, if not NULL, receives a static description of the failure. */
ms_error ms_chunk_hdr_decode(const uint8_t *p, ms_chunk_hdr *h, const char **why);

/*! ms_chunk_hdr_check() : the structural checks of ms_chunk_hdr_decode()
 *  on values (also used for index entries). */
ms_error ms_chunk_hdr_check(const ms_chunk_hdr *h, const char **why);

/*! ms_trailer_encode() / ms_trailer_decode() : the 32-byte trailer.
 *  decode: MS_ERR_CORRUPT (magic) or MS_ERR_CHUNK_CHECKSUM. */
void ms_trailer_encode(uint8_t *out, uint64_t index_offset, uint64_t chunk_count);
ms_error ms_trailer_decode(const uint8_t *p, uint64_t *index_offset,
                           uint64_t *chunk_count);

#endif /* MS_LAYOUT_H */
