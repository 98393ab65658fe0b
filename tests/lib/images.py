"""Small PNG pictures drawn in the test (no imaging library needed)."""
import struct
import zlib


def _chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + \
        struct.pack(">I", zlib.crc32(body) & 0xffffffff)


def png(width, height, pixel):
    """An 8-bit RGB PNG; pixel(x, y) gives (r, g, b)."""
    rows = b"".join(
        b"\x00" + b"".join(bytes(pixel(x, y)) for x in range(width))
        for y in range(height))
    return (b"\x89PNG\r\n\x1a\n" +
            _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0,
                                        0, 0)) +
            _chunk(b"IDAT", zlib.compress(rows)) + _chunk(b"IEND", b""))


def scene(seed=0, noise=0):
    """A 96x64 picture with structure (bands and a block) that seed
    changes; noise adds a little per-pixel change (the same picture,
    other bytes)."""
    def pixel(x, y):
        v = (x * 5 + (seed * 37 % 90)) % 256 if (x // 12 + seed) % 2 else \
            (255 - y * 3) % 256
        if 30 + seed % 20 <= x < 60 and 20 <= y < 40:
            v = (v + 128) % 256
        v = max(0, min(255, v + ((x * 7 + y * 3) % 3 - 1) * noise))
        return (v, v, (v + 40) % 256)
    return png(96, 64, pixel)
