"""Tiny JPEGs with EXIF capture time and GPS, written by hand for tests
(no imaging library needed): a 1x1 baseline JPEG with an APP1 segment."""
import struct

# A valid 1x1 grey baseline JPEG without any APP segment.
TINY = bytes.fromhex(
    "ffd8ffdb004300080606070605080707070909080a0c140d0c0b0b0c1912130f"
    "141d1a1f1e1d1a1c1c20242e2720222c231c1c2837292c30313434341f27393d"
    "38323c2e333432ffc0000b080001000101011100ffc4001f0000010501010101"
    "010100000000000000000102030405060708090a0bffc400b5100002010303020"
    "403050504040000017d01020300041105122131410613516107227114328191a1"
    "082342b1c11552d1f02433627282090a161718191a25262728292a3435363738"
    "393a434445464748494a535455565758595a636465666768696a737475767778"
    "797a838485868788898a92939495969798999aa2a3a4a5a6a7a8a9aab2b3b4b5"
    "b6b7b8b9bac2c3c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae1e2e3e4e5e6e7e8e9"
    "eaf1f2f3f4f5f6f7f8f9faffda0008010100003f00fbd3ffd9".replace("0403", "0403"))


def _rational(v):
    return struct.pack(">II", int(round(v * 1000000)), 1000000)


def _dms(v):
    v = abs(v)
    d = int(v)
    m = int((v - d) * 60)
    s = (v - d - m / 60) * 3600
    return _rational(d) + _rational(m) + _rational(s)


def exif_jpeg(taken=None, lat=None, lng=None, salt=b""):
    """A JPEG whose EXIF says it was taken at `taken` ("YYYY:MM:DD
    HH:MM:SS", camera local time) at (lat, lng); None leaves a field out.
    salt changes the bytes (a different photo)."""
    entries0, exif_entries, gps_entries, data = [], [], [], b""
    # Offsets are from the TIFF header; IFD0 starts at 8.
    # Layout: IFD0 | Exif IFD | GPS IFD | data
    n0 = (1 if taken else 0) + (1 if lat is not None else 0)
    ifd0_size = 2 + 12 * n0 + 4
    exif_size = (2 + 12 + 4) if taken else 0
    gps_size = (2 + 12 * 4 + 4) if lat is not None else 0
    data_off = 8 + ifd0_size + exif_size + gps_size
    blobs = []

    def blob(b):
        nonlocal data_off
        off = data_off + sum(len(x) for x in blobs)
        blobs.append(b)
        return off
    exif_off = 8 + ifd0_size
    gps_off = exif_off + exif_size
    if taken:
        entries0.append(struct.pack(">HHII", 0x8769, 4, 1, exif_off))
        t = taken.encode() + b"\0"
        exif_entries.append(struct.pack(">HHII", 0x9003, 2, len(t), blob(t)))
    if lat is not None:
        entries0.append(struct.pack(">HHII", 0x8825, 4, 1, gps_off))
        gps_entries.append(struct.pack(">HHI", 1, 2, 2) +
                           (b"N" if lat >= 0 else b"S") + b"\0\0\0")
        gps_entries.append(struct.pack(">HHII", 2, 5, 3, blob(_dms(lat))))
        gps_entries.append(struct.pack(">HHI", 3, 2, 2) +
                           (b"E" if lng >= 0 else b"W") + b"\0\0\0")
        gps_entries.append(struct.pack(">HHII", 4, 5, 3, blob(_dms(lng))))
    tiff = b"MM\0*" + struct.pack(">I", 8)
    tiff += struct.pack(">H", len(entries0)) + b"".join(entries0) + b"\0" * 4
    if taken:
        tiff += struct.pack(">H", 1) + b"".join(exif_entries) + b"\0" * 4
    if lat is not None:
        tiff += struct.pack(">H", 4) + b"".join(gps_entries) + b"\0" * 4
    tiff += b"".join(blobs)
    app1 = b"Exif\0\0" + tiff
    seg = b"\xff\xe1" + struct.pack(">H", len(app1) + 2) + app1
    com = b""
    if salt:
        com = b"\xff\xfe" + struct.pack(">H", len(salt) + 2) + salt
    return TINY[:2] + seg + com + TINY[2:]
