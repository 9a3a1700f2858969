/*
 * ms_layout.c - encode and verify the fixed structures of ms_layout.h:
 * file header, chunk header, trailer, and the one checksum (XXH3-64).
 */
#include <xxhash.h>

#include "ms_internal.h"

uint64_t ms_checksum(const void *p, size_t len)
{
    return (uint64_t)XXH3_64bits(p, len);
}

int ms_checksum_ok(uint64_t expected, const void *p, size_t len)
{
#ifdef MS_FUZZ_IGNORE_CHECKSUMS
    /* fuzz builds only: let mutated bytes reach the decoders */
    (void)ms_checksum(p, len);
    (void)expected;
    return 1;
#else
    return ms_checksum(p, len) == expected;
#endif
}

size_t ms_header_encode(uint8_t *out, const ms_header_info *info, const char *exe,
                        uint32_t exe_len)
{
    memcpy(out, MS_FORMAT_MAGIC, MS_MAGIC_LEN);
    ms_put_le32(out + 8, info->version);
    ms_put_le32(out + 12, MS_HEADER_OVERHEAD + exe_len);
    ms_put_le32(out + 16, info->flags);
    ms_put_le32(out + 20, info->pid);
    ms_put_le64(out + 24, info->created_unix_ns);
    ms_put_le32(out + 32, (uint32_t)info->codec);
    ms_put_le32(out + 36, exe_len);
    if (exe_len)
        memcpy(out + MS_HEADER_FIXED, exe, exe_len);
    ms_put_le64(out + MS_HEADER_FIXED + exe_len,
                ms_checksum(out, MS_HEADER_FIXED + exe_len));
    return MS_HEADER_OVERHEAD + exe_len;
}

ms_error ms_header_decode(const uint8_t *p, size_t avail, ms_header_info *info,
                          uint32_t *exe_off, uint32_t *exe_len, uint32_t *hdr_size)
{
    size_t m = avail < MS_MAGIC_LEN ? avail : MS_MAGIC_LEN;
    if (memcmp(p, MS_FORMAT_MAGIC, m) != 0)
        return MS_ERR_BAD_MAGIC;
    RETURN_ERROR_IF(avail < MS_HEADER_FIXED, MS_ERR_TRUNCATED);
    uint32_t version = ms_get_le32(p + 8);
    RETURN_ERROR_IF(version < MS_FORMAT_MIN_VERSION || version > MS_FORMAT_VERSION,
                    MS_ERR_VERSION);
    uint32_t size = ms_get_le32(p + 12);
    uint32_t elen = ms_get_le32(p + 36);
    RETURN_ERROR_IF(elen > MS_MAX_STRING, MS_ERR_TOO_LARGE);
    RETURN_ERROR_IF(size != MS_HEADER_OVERHEAD + elen, MS_ERR_CORRUPT);
    RETURN_ERROR_IF(avail < size, MS_ERR_TRUNCATED);
    if (!ms_checksum_ok(ms_get_le64(p + MS_HEADER_FIXED + elen), p, MS_HEADER_FIXED + elen))
        return MS_ERR_HEADER_CHECKSUM;
    uint32_t codec = ms_get_le32(p + 32);
    RETURN_ERROR_IF(codec >= MS_CODEC_MAX_, MS_ERR_CODEC);
    info->version = version;
    info->flags = ms_get_le32(p + 16);
    info->pid = ms_get_le32(p + 20);
    info->created_unix_ns = ms_get_le64(p + 24);
    info->codec = (ms_codec)codec;
    info->exe = NULL;
    *exe_off = MS_HEADER_FIXED;
    *exe_len = elen;
    *hdr_size = size;
    return MS_OK;
}

void ms_chunk_hdr_encode(uint8_t *out, const ms_chunk_hdr *h)
{
    ms_put_le32(out + 0, MS_CHUNK_MAGIC);
    ms_put_le16(out + 4, (uint16_t)h->type);
    out[6] = (uint8_t)h->codec;
    out[7] = (uint8_t)h->flags;
    ms_put_le32(out + 8, h->thread);
    ms_put_le32(out + 12, 0);
    ms_put_le64(out + 16, h->stored_size);
    ms_put_le64(out + 24, h->raw_size);
    ms_put_le64(out + 32, h->items);
    ms_put_le64(out + 40, h->t_first);
    ms_put_le64(out + 48, h->t_last);
    ms_put_le64(out + 56, h->payload_hash);
    ms_put_le64(out + 64, ms_checksum(out, 64));
}

ms_error ms_chunk_hdr_check(const ms_chunk_hdr *h, const char **why)
{
#define FAIL(err, msg)          \
    do {                        \
        if (why)                \
            *why = (msg);       \
        return (err);           \
    } while (0)
    if (h->type == 0 || h->type >= MS_CHUNK_TYPE_MAX_)
        FAIL(MS_ERR_CORRUPT, "unknown chunk type");
    if (h->codec >= MS_CODEC_MAX_)
        FAIL(MS_ERR_CODEC, "unknown codec");
    if (h->flags != 0)
        FAIL(MS_ERR_CORRUPT, "reserved chunk flags set");
    if (h->stored_size > MS_MAX_CHUNK_STORED)
        FAIL(MS_ERR_TOO_LARGE, "stored size exceeds MS_MAX_CHUNK_STORED");
    if (h->raw_size > MS_MAX_CHUNK_RAW)
        FAIL(MS_ERR_TOO_LARGE, "raw size exceeds MS_MAX_CHUNK_RAW");
    if (h->raw_size == 0)
        FAIL(MS_ERR_CORRUPT, "raw size is zero");
    if (h->codec == MS_CODEC_NONE && h->stored_size != h->raw_size)
        FAIL(MS_ERR_CORRUPT, "uncompressed chunk with stored size != raw size");
    if (h->codec != MS_CODEC_NONE && h->stored_size == 0)
        FAIL(MS_ERR_CORRUPT, "compressed chunk with empty payload");
    if (h->items > h->raw_size)
        FAIL(MS_ERR_CORRUPT, "more items than payload bytes");
    if (h->t_first > h->t_last)
        FAIL(MS_ERR_CORRUPT, "t_first > t_last");
    if (why)
        *why = "";
    return MS_OK;
#undef FAIL
}

ms_error ms_chunk_hdr_decode(const uint8_t *p, ms_chunk_hdr *h, const char **why)
{
    if (ms_get_le32(p) != MS_CHUNK_MAGIC) {
        if (why)
            *why = "bad chunk magic";
        return MS_ERR_CORRUPT;
    }
    if (!ms_checksum_ok(ms_get_le64(p + 64), p, 64)) {
        if (why)
            *why = "chunk header checksum mismatch";
        return MS_ERR_CHUNK_CHECKSUM;
    }
    if (ms_get_le32(p + 12) != 0) {
        if (why)
            *why = "reserved chunk header field set";
        return MS_ERR_CORRUPT;
    }
    h->type = ms_get_le16(p + 4);
    h->codec = p[6];
    h->flags = p[7];
    h->thread = ms_get_le32(p + 8);
    h->stored_size = ms_get_le64(p + 16);
    h->raw_size = ms_get_le64(p + 24);
    h->items = ms_get_le64(p + 32);
    h->t_first = ms_get_le64(p + 40);
    h->t_last = ms_get_le64(p + 48);
    h->payload_hash = ms_get_le64(p + 56);
    return ms_chunk_hdr_check(h, why);
}

void ms_trailer_encode(uint8_t *out, uint64_t index_offset, uint64_t chunk_count)
{
    memcpy(out, MS_TRAILER_MAGIC, MS_MAGIC_LEN);
    ms_put_le64(out + 8, index_offset);
    ms_put_le64(out + 16, chunk_count);
    ms_put_le64(out + 24, ms_checksum(out, 24));
}

ms_error ms_trailer_decode(const uint8_t *p, uint64_t *index_offset, uint64_t *chunk_count)
{
    RETURN_ERROR_IF(memcmp(p, MS_TRAILER_MAGIC, MS_MAGIC_LEN) != 0, MS_ERR_CORRUPT);
    RETURN_ERROR_IF(!ms_checksum_ok(ms_get_le64(p + 24), p, 24), MS_ERR_CHUNK_CHECKSUM);
    *index_offset = ms_get_le64(p + 8);
    *chunk_count = ms_get_le64(p + 16);
    return MS_OK;
}
