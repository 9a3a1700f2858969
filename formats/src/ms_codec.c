/*
 * ms_codec.c - the four chunk codecs: none, zstd, lz4 (fast and HC), brotli.
 *
 * Compression keeps one context per writer (ZSTD_CCtx, the LZ4 state) so a
 * writer running inside an instrumented program allocates once, not per
 * chunk. Brotli's one-shot encoder allocates internally per call; its
 * streaming API would not avoid that either. Decompression always produces
 * exactly the raw size the (checksummed) chunk header declares.
 */
#include <stdlib.h>
#include <string.h>

#include <brotli/decode.h>
#include <brotli/encode.h>
#include <lz4.h>
#include <lz4hc.h>
#include <zstd.h>

#include "ms_internal.h"

#define MS_BROTLI_DEFAULT_LEVEL 5
/* zstd level for level 0. 1 rather than zstd's own default 3: on event
 * chunks it is ~1.6x faster for ~1% more bytes (docs/perf/formats.md); the
 * runtime's writer thread must keep up with allocation-bound programs. */
#define MS_ZSTD_DEFAULT_LEVEL 1
#define MS_BROTLI_WINDOW 22

struct ms_cctx {
    ms_codec codec;
    int level;
    ZSTD_CCtx *zstd;
    void *lz4_state;
};

ms_error ms_cctx_create(ms_codec codec, int level, ms_cctx **out)
{
    RETURN_ERROR_IF(!out, MS_ERR_INVALID_ARG);
    *out = NULL;
    switch (codec) {
    case MS_CODEC_NONE:
        break;
    case MS_CODEC_ZSTD:
        RETURN_ERROR_IF(level != 0 && (level < ZSTD_minCLevel() || level > ZSTD_maxCLevel()),
                        MS_ERR_INVALID_ARG);
        break;
    case MS_CODEC_LZ4:
        RETURN_ERROR_IF(level < 0 || level > LZ4HC_CLEVEL_MAX, MS_ERR_INVALID_ARG);
        break;
    case MS_CODEC_BROTLI:
        RETURN_ERROR_IF(level < 0 || level > BROTLI_MAX_QUALITY, MS_ERR_INVALID_ARG);
        break;
    default:
        return MS_ERR_INVALID_ARG;
    }
    ms_cctx *c = calloc(1, sizeof *c);
    RETURN_ERROR_IF(!c, MS_ERR_NOMEM);
    c->codec = codec;
    c->level = level;
    if (codec == MS_CODEC_ZSTD) {
        c->zstd = ZSTD_createCCtx();
        if (!c->zstd ||
            ZSTD_isError(ZSTD_CCtx_setParameter(c->zstd, ZSTD_c_compressionLevel,
                                                level ? level : MS_ZSTD_DEFAULT_LEVEL)) ||
            ZSTD_isError(ZSTD_CCtx_setParameter(c->zstd, ZSTD_c_contentSizeFlag, 1))) {
            ms_cctx_free(c);
            return MS_ERR_NOMEM;
        }
    } else if (codec == MS_CODEC_LZ4) {
        size_t sz = level > 1 ? (size_t)LZ4_sizeofStateHC() : (size_t)LZ4_sizeofState();
        c->lz4_state = malloc(sz);
        if (!c->lz4_state) {
            ms_cctx_free(c);
            return MS_ERR_NOMEM;
        }
    }
    *out = c;
    return MS_OK;
}

void ms_cctx_free(ms_cctx *c)
{
    if (!c)
        return;
    ZSTD_freeCCtx(c->zstd);
    free(c->lz4_state);
    free(c);
}

static size_t bound_for(ms_codec codec, size_t n)
{
    switch (codec) {
    case MS_CODEC_ZSTD:
        return ZSTD_compressBound(n);
    case MS_CODEC_LZ4:
        return (size_t)LZ4_compressBound((int)n);
    case MS_CODEC_BROTLI:
        return BrotliEncoderMaxCompressedSize(n);
    default:
        return n;
    }
}

ms_error ms_cctx_compress(ms_cctx *c, const void *src, size_t n, ms_buf *dst,
                          uint32_t *used_codec)
{
    RETURN_ERROR_IF(n > MS_MAX_CHUNK_RAW, MS_ERR_TOO_LARGE);
    dst->len = 0;
    size_t got = 0;
    int ok = 0;
    if (c->codec != MS_CODEC_NONE && n > 0) {
        size_t bound = bound_for(c->codec, n);
        if (bound == 0) /* brotli: size too large for its bound; store raw */
            bound = n;
        FORWARD_IF_ERROR(ms_buf_reserve(dst, bound));
        switch (c->codec) {
        case MS_CODEC_ZSTD: {
            size_t r = ZSTD_compress2(c->zstd, dst->p, bound, src, n);
            if (ZSTD_isError(r))
                return MS_ERR_CODEC;
            got = r;
            ok = 1;
            break;
        }
        case MS_CODEC_LZ4: {
            int r = c->level > 1
                        ? LZ4_compress_HC_extStateHC(c->lz4_state, src, (char *)dst->p,
                                                     (int)n, (int)bound, c->level)
                        : LZ4_compress_fast_extState(c->lz4_state, src, (char *)dst->p,
                                                     (int)n, (int)bound, 1);
            RETURN_ERROR_IF(r <= 0, MS_ERR_CODEC);
            got = (size_t)r;
            ok = 1;
            break;
        }
        case MS_CODEC_BROTLI: {
            size_t outsz = bound;
            int q = c->level ? c->level : MS_BROTLI_DEFAULT_LEVEL;
            if (BrotliEncoderCompress(q, MS_BROTLI_WINDOW, BROTLI_MODE_GENERIC, n, src,
                                      &outsz, dst->p)) {
                got = outsz;
                ok = 1;
            }
            break;
        }
        default:
            return MS_ERR_INVALID_ARG;
        }
    }
    if (ok && got < n) {
        dst->len = got;
        *used_codec = (uint32_t)c->codec;
        return MS_OK;
    }
    /* compression does not shrink (or failed to fit): store as is */
    dst->len = 0;
    FORWARD_IF_ERROR(ms_buf_append(dst, src, n));
    *used_codec = MS_CODEC_NONE;
    return MS_OK;
}

ms_error ms_decompress_precheck(uint32_t codec, const void *src, size_t stored, size_t raw)
{
    RETURN_ERROR_IF(raw > MS_MAX_CHUNK_RAW || stored > MS_MAX_CHUNK_STORED, MS_ERR_TOO_LARGE);
    switch (codec) {
    case MS_CODEC_NONE:
        RETURN_ERROR_IF(stored != raw, MS_ERR_CODEC);
        return MS_OK;
    case MS_CODEC_ZSTD: {
        /* one frame that declares exactly the raw size (the writer always
         * records it), so a forged header cannot make us allocate more */
        unsigned long long fcs = ZSTD_getFrameContentSize(src, stored);
        RETURN_ERROR_IF(fcs != raw, MS_ERR_CODEC);
        size_t fsz = ZSTD_findFrameCompressedSize(src, stored);
        RETURN_ERROR_IF(ZSTD_isError(fsz) || fsz != stored, MS_ERR_CODEC);
        return MS_OK;
    }
    case MS_CODEC_LZ4:
        /* LZ4 cannot expand more than ~255:1 */
        RETURN_ERROR_IF(raw > (uint64_t)stored * 256 + 64, MS_ERR_CODEC);
        return MS_OK;
    case MS_CODEC_BROTLI:
        RETURN_ERROR_IF(stored == 0, MS_ERR_CODEC);
        return MS_OK;
    default:
        return MS_ERR_CODEC;
    }
}

ms_error ms_decompress(uint32_t codec, const void *src, size_t stored, void *dst, size_t raw)
{
    FORWARD_IF_ERROR(ms_decompress_precheck(codec, src, stored, raw));
    switch (codec) {
    case MS_CODEC_NONE:
        RETURN_ERROR_IF(stored != raw, MS_ERR_CODEC);
        if (raw)
            memcpy(dst, src, raw);
        return MS_OK;
    case MS_CODEC_ZSTD: {
        ZSTD_DCtx *d = ZSTD_createDCtx();
        RETURN_ERROR_IF(!d, MS_ERR_NOMEM);
        size_t r = ZSTD_decompressDCtx(d, dst, raw, src, stored);
        ZSTD_freeDCtx(d);
        RETURN_ERROR_IF(ZSTD_isError(r) || r != raw, MS_ERR_CODEC);
        return MS_OK;
    }
    case MS_CODEC_LZ4: {
        int r = LZ4_decompress_safe(src, dst, (int)stored, (int)raw);
        RETURN_ERROR_IF(r < 0 || (size_t)r != raw, MS_ERR_CODEC);
        return MS_OK;
    }
    case MS_CODEC_BROTLI: {
        size_t outsz = raw;
        BrotliDecoderResult r = BrotliDecoderDecompress(stored, src, &outsz, dst);
        RETURN_ERROR_IF(r != BROTLI_DECODER_RESULT_SUCCESS || outsz != raw, MS_ERR_CODEC);
        return MS_OK;
    }
    default:
        return MS_ERR_CODEC;
    }
}
