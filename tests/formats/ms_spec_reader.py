#!/usr/bin/env python3
"""ms_spec_reader.py - an independent .ms reader written from docs/FORMAT.md.

It shares no code with libmsformat: the layout, the MessagePack decoding and
the event columns are implemented here from the specification alone; only
the codecs (zstd, lz4 block, brotli) and XXH3-64 come from the system
libraries through ctypes. It prints the canonical dump of ms_dump.c, so
test_fmt_spec can check that the document is complete and matches the code.

    ms_spec_reader.py FILE                 print the dump
    ms_spec_reader.py --compare DUMP FILE...  compare with `DUMP FILE`
"""
import ctypes
import struct
import subprocess
import sys

_xxh = ctypes.CDLL("libxxhash.so.0")
_xxh.XXH3_64bits.restype = ctypes.c_uint64
_xxh.XXH3_64bits.argtypes = [ctypes.c_char_p, ctypes.c_size_t]
_zstd = ctypes.CDLL("libzstd.so.1")
_zstd.ZSTD_decompress.restype = ctypes.c_size_t
_zstd.ZSTD_decompress.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p, ctypes.c_size_t]
_zstd.ZSTD_isError.argtypes = [ctypes.c_size_t]
_lz4 = ctypes.CDLL("liblz4.so.1")
_lz4.LZ4_decompress_safe.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_int, ctypes.c_int]
_br = ctypes.CDLL("libbrotlidec.so.1")
_br.BrotliDecoderDecompress.argtypes = [ctypes.c_size_t, ctypes.c_char_p,
                                        ctypes.POINTER(ctypes.c_size_t), ctypes.c_char_p]

TYPES = {1: "sites", 2: "stacks", 3: "modules", 4: "threads", 5: "events", 6: "counters",
         7: "summary", 8: "leaks", 9: "strings", 10: "index"}
M64 = (1 << 64) - 1


class Bad(Exception):
    pass


def xxh3(b):
    return _xxh.XXH3_64bits(bytes(b), len(b))


def decompress(codec, stored, raw_size):
    out = ctypes.create_string_buffer(raw_size)
    if codec == 0:
        data = stored
    elif codec == 1:
        r = _zstd.ZSTD_decompress(out, raw_size, bytes(stored), len(stored))
        if _zstd.ZSTD_isError(r) or r != raw_size:
            raise Bad("zstd")
        data = out.raw
    elif codec == 2:
        r = _lz4.LZ4_decompress_safe(bytes(stored), out, len(stored), raw_size)
        if r != raw_size:
            raise Bad("lz4")
        data = out.raw
    elif codec == 3:
        n = ctypes.c_size_t(raw_size)
        if _br.BrotliDecoderDecompress(len(stored), bytes(stored), ctypes.byref(n), out) != 1 \
                or n.value != raw_size:
            raise Bad("brotli")
        data = out.raw
    else:
        raise Bad("codec")
    if len(data) != raw_size:
        raise Bad("raw size")
    return bytes(data)


# ---- MessagePack (section 7.1) -------------------------------------------
class Str(bytes):
    pass


class Bin(bytes):
    pass


class MP:
    def __init__(self, b):
        self.b, self.p = b, 0

    def take(self, n):
        if self.p + n > len(self.b):
            raise Bad("short")
        v = self.b[self.p:self.p + n]
        self.p += n
        return v

    def be(self, n):
        return int.from_bytes(self.take(n), "big")

    def obj(self, depth=0):
        if depth > 32:
            raise Bad("deep")
        t = self.take(1)[0]
        if t <= 0x7F:
            return t
        if t >= 0xE0:
            return t - 256
        if 0x80 <= t <= 0x8F:
            return self.map(t & 15, depth)
        if 0x90 <= t <= 0x9F:
            return [self.obj(depth + 1) for _ in range(t & 15)]
        if 0xA0 <= t <= 0xBF:
            return Str(self.take(t & 31))
        fixed = {0xC0: None, 0xC2: False, 0xC3: True}
        if t in fixed:
            return fixed[t]
        if t in (0xC4, 0xC5, 0xC6):
            return Bin(self.take(self.be({0xC4: 1, 0xC5: 2, 0xC6: 4}[t])))
        if t in (0xD9, 0xDA, 0xDB):
            return Str(self.take(self.be({0xD9: 1, 0xDA: 2, 0xDB: 4}[t])))
        if t in (0xCC, 0xCD, 0xCE, 0xCF):
            return self.be({0xCC: 1, 0xCD: 2, 0xCE: 4, 0xCF: 8}[t])
        if t in (0xD0, 0xD1, 0xD2, 0xD3):
            n = {0xD0: 1, 0xD1: 2, 0xD2: 4, 0xD3: 8}[t]
            return int.from_bytes(self.take(n), "big", signed=True)
        if t in (0xDC, 0xDD):
            return [self.obj(depth + 1) for _ in range(self.be(2 if t == 0xDC else 4))]
        if t in (0xDE, 0xDF):
            return self.map(self.be(2 if t == 0xDE else 4), depth)
        if t == 0xCA:
            return struct.unpack(">f", self.take(4))[0]
        if t == 0xCB:
            return struct.unpack(">d", self.take(8))[0]
        raise Bad("type %#x" % t)

    def map(self, n, depth):
        return {self.obj(depth + 1): self.obj(depth + 1) for _ in range(n)}


def payload(raw, items):
    m = MP(raw)
    v = m.obj()
    if m.p != len(raw):
        raise Bad("trailing bytes")
    return v


def u(v, bits=64):
    if not isinstance(v, int) or isinstance(v, bool) or v < 0 or v >= 1 << bits:
        raise Bad("uint")
    return v


def s(v):
    if v is None:
        return b""
    if not isinstance(v, Str):
        raise Bad("str")
    return bytes(v)


def hx(b):
    return " " + (b.hex() if b else "-")


def records(v, items, nfields):
    if not isinstance(v, list) or len(v) != items:
        raise Bad("items")
    for r in v:
        if not isinstance(r, list) or len(r) < nfields:
            raise Bad("record")
    return v


# ---- events (section 7.10) -----------------------------------------------
def varints(col):
    i, out = 0, []
    while i < len(col):
        x, shift = 0, 0
        while True:
            if i >= len(col) or shift > 63:
                raise Bad("varint")
            b = col[i]
            i += 1
            x |= (b & 0x7F) << shift
            shift += 7
            if b < 0x80:
                break
        if x > M64:
            raise Bad("varint overflow")
        out.append(x)
    return out


def unzz(z):
    return ((z >> 1) ^ (-(z & 1))) & M64


def site_dict(col):
    dct = varints(col)
    if not dct:
        raise Bad("dict")
    k = dct[0]
    if len(dct) != k + 1:
        raise Bad("dict")
    sites, prev = [], 0
    for z in dct[1:]:
        prev = (prev + unzz(z)) & M64
        sites.append(prev)
    return sites


def aux_value(code, X, out, i):
    """The aux column, the same in both encodings."""
    if code & 1:
        b = code >> 1
        if b == 0:
            return next(X)
        if b > i:
            raise Bad("back reference")
        return out[i - b][1]
    return code >> 1


def events(v, items):
    if not isinstance(v, list) or len(v) < 11 or v[1] != items:
        raise Bad("events header")
    if v[0] == 1:
        return events1(v, items)
    if v[0] == 2:
        return events2(v, items)
    raise Bad("events encoding")


def events2(v, items):
    n = v[1]
    time, addr, aux, size, dct, idx, stack, kind, flags = v[2:11]
    if len(kind) != n or len(flags) != n:
        raise Bad("kind/flags")
    sites = site_dict(dct)
    k = len(sites)
    T, A, X, S, I, K = (iter(varints(c)) for c in (time, addr, aux, size, idx, stack))
    # per site: dt, size, kind, flags, recent stacks
    ctx = [{"dt": 0, "size": 0, "kind": 0, "flags": 0, "m": [0, 0, 0, 0]} for _ in range(k)]
    t = lit = 0
    out = []
    try:
        for i in range(n):
            j = next(I)
            if j >= k:
                raise Bad("site index")
            c = ctx[j]
            c["dt"] = (c["dt"] + unzz(next(T))) & M64
            t = (t + c["dt"]) & M64
            code = next(A)
            if code & 1:
                b = code >> 1
                if b == 0:
                    a = next(A)
                elif b > i:
                    raise Bad("back reference")
                else:
                    a = out[i - b][1]
            else:
                d = unzz(code >> 2)
                if code & 2:
                    d = (d * 16) & M64
                lit = (lit + d) & M64
                a = lit
            x = aux_value(next(X), X, out, i)
            code = next(S)
            if code & 1:
                c["size"] = code >> 1
            elif code == 2:
                c["size"] = next(S)
            elif code != 0:
                raise Bad("size code")
            code = next(K)
            m = c["m"]
            if code < 8:
                h = code >> 1
                st = m[h] + (code & 1)
            else:
                h = 3
                st = (m[0] + unzz(code - 8)) & M64
            if st > 0xFFFFFFFF:
                raise Bad("stack")
            c["m"] = [st] + m[:h] + m[h + 1:]
            c["kind"] ^= kind[i]
            c["flags"] ^= flags[i]
            out.append((t, a, x, c["size"], sites[j], st, c["kind"], c["flags"]))
    except StopIteration:
        raise Bad("short column")
    for it in (T, A, X, S, I, K):
        if next(it, None) is not None:
            raise Bad("leftover column bytes")
    return ["ev %d %d %d %d %d %d %d %d" % e for e in out]


def events1(v, items):
    n = v[1]
    time, addr, aux, size, dct, idx, stack, kind, flags = v[2:11]
    if len(kind) != n or len(flags) != n:
        raise Bad("kind/flags")
    sites = site_dict(dct)
    k = len(sites)
    T, A, X, S, I, K = (iter(varints(c)) for c in (time, addr, aux, size, idx, stack))
    ctx = [[0, 0, 0] for _ in range(k)]  # size, stack, dt
    t = lit = 0
    out = []
    try:
        for i in range(n):
            j = next(I)
            if j >= k:
                raise Bad("site index")
            c = ctx[j]
            c[2] = (c[2] + unzz(next(T))) & M64
            t = (t + c[2]) & M64
            code = next(A)
            if code & 1:
                b = code >> 1
                if b == 0:
                    a = next(A)
                elif b > i:
                    raise Bad("back reference")
                else:
                    a = out[i - b][1]
            else:
                a = (lit + unzz(code >> 1)) & M64
                lit = a
            x = aux_value(next(X), X, out, i)
            c[0] = (c[0] + unzz(next(S))) & M64
            c[1] = (c[1] + unzz(next(K))) & M64
            if c[1] > 0xFFFFFFFF:
                raise Bad("stack")
            out.append((t, a, x, c[0], sites[j], c[1], kind[i], flags[i]))
    except StopIteration:
        raise Bad("short column")
    for it in (T, A, X, S, I, K):
        if next(it, None) is not None:
            raise Bad("leftover column bytes")
    return ["ev %d %d %d %d %d %d %d %d" % e for e in out]


def decode(ctype, raw, items):
    v = payload(raw, items)
    if ctype == 5:
        return events(v, items)
    lines = []
    if ctype == 1:
        for r in records(v, items, 11):
            lines.append("site %d %d %d %d %d %d" % (u(r[0]), u(r[1], 32), u(r[2], 32), u(r[3], 32),
                                                     u(r[4], 32), u(r[5]))
                         + "".join(hx(s(x)) for x in r[6:11]))
    elif ctype == 2:
        for r in records(v, items, 2):
            if u(r[0], 32) == 0 or not isinstance(r[1], list) or len(r[1]) > 1024:
                raise Bad("stack")
            lines.append(" ".join(["stack %d" % r[0]] + ["%d" % u(f) for f in r[1]]))
    elif ctype == 3:
        for r in records(v, items, 6):
            bid = b"" if r[4] is None else r[4]
            if not isinstance(bid, (Bin, bytes)) or isinstance(bid, Str):
                raise Bad("build id")
            lines.append("module %d %d %d" % (u(r[0]), u(r[1]), u(r[2])) + hx(s(r[3])) + hx(bytes(bid))
                         + " %d" % u(r[5], 32))
    elif ctype == 4:
        for r in records(v, items, 5):
            lines.append("thread %d %d %d %d" % (u(r[0], 32), u(r[1], 32), u(r[2]), u(r[3])) + hx(s(r[4])))
    elif ctype == 6:
        for r in records(v, items, 7):
            lines.append("counter " + " ".join("%d" % u(x) for x in r[:7]))
    elif ctype == 7:
        for r in records(v, items, 2):
            if not isinstance(r[0], Str):
                raise Bad("key")
            val = " s" + hx(s(r[1])) if isinstance(r[1], Str) else " u %d" % u(r[1])
            lines.append("kv" + hx(bytes(r[0])) + val)
    elif ctype == 8:
        for r in records(v, items, 3):
            lines.append("leak %d %d %d" % (u(r[0]), u(r[1]), u(r[2], 32)))
    elif ctype == 9:
        for r in records(v, items, 2):
            lines.append("string %d" % u(r[0]) + hx(s(r[1])))
    return lines


# ---- file structure (sections 2, 3, 6, 8, 9) ------------------------------
def chunk_header(b, off):
    h = b[off:off + 72]
    if len(h) < 72:
        raise Bad("truncated")
    magic, ctype, codec, flags, thread, res, stored, raw, items, t0, t1, ph, hh = \
        struct.unpack("<IHBBIIQQQQQQQ", h)
    if magic != 0x4B43534D or hh != xxh3(h[:64]) or res or flags or not 1 <= ctype <= 10 \
            or codec > 3 or stored > 256 << 20 or raw > 256 << 20 or raw == 0 \
            or (codec == 0 and stored != raw) or items > raw or t0 > t1:
        raise Bad("chunk header")
    return dict(type=ctype, codec=codec, thread=thread, stored=stored, raw=raw, items=items,
                t0=t0, t1=t1, ph=ph, off=off)


def read(path):
    b = open(path, "rb").read()
    if b[:8] != b"MEMSCOPE":
        raise Bad("magic")
    version, hsize, flags, pid, created, codec, elen = struct.unpack("<IIIIQII", b[8:40])
    if version != 1 or hsize != 48 + elen or struct.unpack("<Q", b[40 + elen:48 + elen])[0] != xxh3(b[:40 + elen]):
        raise Bad("header")
    out = ["header version=%d flags=%d pid=%d codec=%d created=%d" % (version, flags, pid, codec, created)
           + hx(b[40:40 + elen])]
    chunks, complete, valid = None, 0, hsize
    # index and trailer
    if len(b) >= hsize + 72 + 32:
        tr = b[-32:]
        if tr[:8] == b"MSTRAILR" and struct.unpack("<Q", tr[24:])[0] == xxh3(tr[:24]):
            ioff, count = struct.unpack("<QQ", tr[8:24])
            try:
                h = chunk_header(b, ioff)
                st = b[ioff + 72:ioff + 72 + h["stored"]]
                if h["type"] != 10 or ioff + 72 + h["stored"] != len(b) - 32 or h["items"] != count \
                        or xxh3(st) != h["ph"]:
                    raise Bad("index chunk")
                ents = payload(decompress(h["codec"], st, h["raw"]), count)
                pos, chunks = hsize, []
                for e in records(ents, count, 9):
                    if u(e[0]) != pos or e[1] == 10:
                        raise Bad("index entry")
                    chunks.append(pos)
                    pos += 72 + u(e[4])
                if pos != ioff:
                    raise Bad("index coverage")
                complete, valid = 1, len(b)
            except (Bad, KeyError, IndexError, TypeError):
                chunks = None
    if chunks is None:  # recovery scan, section 9
        chunks, pos = [], hsize
        while True:
            try:
                h = chunk_header(b, pos)
            except Bad:
                break
            end = pos + 72 + h["stored"]
            if end > len(b) or xxh3(b[pos + 72:end]) != h["ph"]:
                break
            if h["type"] == 10:
                pos = end
                break
            chunks.append(pos)
            pos = end
        valid = pos
    out.append("complete=%d valid=%d" % (complete, valid))
    for i, off in enumerate(chunks):
        h = chunk_header(b, off)
        st = b[off + 72:off + 72 + h["stored"]]
        if xxh3(st) != h["ph"]:
            raise Bad("payload checksum")
        raw = decompress(h["codec"], st, h["raw"])
        out.append("chunk %d type=%s thread=%d items=%d t=%d..%d offset=%d"
                   % (i, TYPES[h["type"]], h["thread"], h["items"], h["t0"], h["t1"], off))
        out.extend(decode(h["type"], raw, h["items"]))
    return out


def main(argv):
    if len(argv) >= 3 and argv[0] == "--compare":
        dump, bad = argv[1], 0
        for path in argv[2:]:
            mine = read(path)
            theirs = subprocess.run([dump, path], check=True, capture_output=True,
                                    text=True).stdout.splitlines()
            if mine != theirs:
                bad += 1
                for k, (a, c) in enumerate(zip(mine, theirs)):
                    if a != c:
                        print("%s: line %d differs:\n  spec: %s\n  lib:  %s" % (path, k + 1, a, c))
                        break
                else:
                    print("%s: %d lines (spec) vs %d (lib)" % (path, len(mine), len(theirs)))
            else:
                print("%s: %d lines agree" % (path, len(mine)))
        return 1 if bad else 0
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    print("\n".join(read(argv[0])))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
