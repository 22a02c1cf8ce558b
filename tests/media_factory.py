"""Media files made inside the tests: small, deterministic, and each one real of its kind.

Images come from Pillow, videos from PyAV (the same FFmpeg the server probes with), PDFs from
Pillow's PDF writer; hostile files are built byte by byte.
"""

from __future__ import annotations

import functools
import io
import random
import struct
import zlib
from fractions import Fraction

import av
from PIL import Image, ImageDraw

# Where the test photo was "taken": Hà Nội, as EXIF GPS rationals (degrees, minutes, seconds).
GPS_LATITUDE = (21.0, 1.0, 42.0)
GPS_LONGITUDE = (105.0, 50.0, 3.0)
GPS_IFD = 0x8825
ORIENTATION = 0x0112


def picture(width: int = 64, height: int = 48, mode: str = "RGB") -> Image.Image:
    """Return an image with a little structure (a diagonal and a block), so encoders have work."""
    colour = {"RGB": (30, 120, 200), "RGBA": (30, 120, 200, 180), "L": 120, "P": 3}[mode]
    image = Image.new(mode, (width, height), colour)
    draw = ImageDraw.Draw(image)
    ink = {"RGB": (250, 200, 0), "RGBA": (250, 200, 0, 255), "L": 250, "P": 7}[mode]
    draw.line((0, 0, width - 1, height - 1), fill=ink, width=3)
    draw.rectangle((width // 2, 0, width - 1, height // 3), fill=ink)
    return image


def jpeg(width: int = 64, height: int = 48, *, gps: bool = False, orientation: int | None = None) -> bytes:
    """Return a JPEG, optionally carrying EXIF GPS coordinates and an orientation tag."""
    exif = Image.Exif()
    exif[0x010F] = "Test camera maker"
    if orientation:
        exif[ORIENTATION] = orientation
    if gps:
        exif[GPS_IFD] = {1: "N", 2: GPS_LATITUDE, 3: "E", 4: GPS_LONGITUDE}
    out = io.BytesIO()
    picture(width, height).save(out, "JPEG", quality=90, exif=exif.tobytes())
    return out.getvalue()


def png(width: int = 64, height: int = 48, *, alpha: bool = True) -> bytes:
    out = io.BytesIO()
    picture(width, height, "RGBA" if alpha else "RGB").save(out, "PNG")
    return out.getvalue()


def webp(width: int = 64, height: int = 48) -> bytes:
    out = io.BytesIO()
    picture(width, height).save(out, "WEBP", quality=80)
    return out.getvalue()


def gif(width: int = 64, height: int = 48, frames: int = 1) -> bytes:
    """Return a GIF; with `frames` > 1, an animation whose frames differ (100 ms each, looping)."""
    images = []
    for i in range(frames):
        image = picture(width, height)
        ImageDraw.Draw(image).rectangle((i * 8, height - 12, i * 8 + 8, height - 1), fill=(220, 20, 60))
        images.append(image.convert("P", palette=Image.Palette.ADAPTIVE, colors=16))
    out = io.BytesIO()
    images[0].save(out, "GIF", save_all=frames > 1, append_images=images[1:], duration=100, loop=0)
    return out.getvalue()


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


@functools.cache
def pixel_bomb(side: int = 20000) -> bytes:
    """Return a valid 1-bit PNG of side×side pixels that compresses to a few dozen kilobytes."""
    row = b"\x00" + bytes((side + 7) // 8)
    packer = zlib.compressobj(9)
    body = b"".join(packer.compress(row) for _ in range(side)) + packer.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", body)
            + _png_chunk(b"IEND", b""))


def truncated_jpeg() -> bytes:
    """Return the first half of a real JPEG: the header reads, the pixels do not."""
    whole = jpeg(320, 240)
    return whole[: len(whole) // 2]


def random_bytes(size: int = 4096, seed: int = 3) -> bytes:
    return random.Random(seed).randbytes(size)


def elf_executable() -> bytes:
    """Return the start of a 64-bit Linux executable (ELF header, then padding)."""
    header = b"\x7fELF\x02\x01\x01\x00" + bytes(8) + struct.pack("<HHI", 2, 0x3E, 1)
    return header + bytes(512 - len(header))


def windows_executable() -> bytes:
    """Return a minimal DOS/PE header: "MZ", the PE offset at 0x3c, then "PE\\0\\0"."""
    data = bytearray(256)
    data[0:2] = b"MZ"
    data[0x3C:0x40] = struct.pack("<I", 0x80)
    data[0x80:0x84] = b"PE\x00\x00"
    return bytes(data)


def video(
    container: str = "mp4",
    codec: str = "libx264",
    audio: str | None = "aac",
    *,
    width: int = 64,
    height: int = 48,
    seconds: float = 1.0,
    rate: int = 10,
    pix_fmt: str = "yuv420p",
) -> bytes:
    """Return a short video: coloured frames with a moving bar, plus silence when `audio` is set."""
    out = io.BytesIO()
    frames = round(seconds * rate)
    with av.open(out, "w", format=container) as muxer:
        stream = muxer.add_stream(codec, rate=rate)
        stream.width, stream.height, stream.pix_fmt = width, height, pix_fmt
        sound = None
        if audio:
            sound = muxer.add_stream(audio, rate=48000)
            sound.layout = "mono"
        for i in range(frames):
            image = picture(width, height)
            ImageDraw.Draw(image).rectangle((i * 4 % width, 0, i * 4 % width + 6, height - 1), fill=(255, 255, 255))
            frame = av.VideoFrame.from_image(image).reformat(format=pix_fmt)
            frame.pts = i
            frame.time_base = Fraction(1, rate)
            muxer.mux(stream.encode(frame))
        muxer.mux(stream.encode(None))
        if sound is not None:
            _silence(muxer, sound, seconds)
    return out.getvalue()


def _silence(muxer, stream, seconds: float) -> None:
    sample_format = stream.codec_context.codec.audio_formats[0].name
    samples = stream.codec_context.frame_size or 960
    total = int(48000 * seconds)
    for start in range(0, total, samples):
        frame = av.AudioFrame(format=sample_format, layout="mono", samples=samples)
        for plane in frame.planes:
            plane.update(bytes(plane.buffer_size))
        frame.sample_rate = 48000
        frame.pts = start
        frame.time_base = Fraction(1, 48000)
        muxer.mux(stream.encode(frame))
    muxer.mux(stream.encode(None))


def mp4_h264_aac(**kwargs) -> bytes:
    return video("mp4", "libx264", "aac", **kwargs)


def mp4_h264_silent(**kwargs) -> bytes:
    return video("mp4", "libx264", None, **kwargs)


def webm_vp9_opus(**kwargs) -> bytes:
    return video("webm", "libvpx-vp9", "libopus", **kwargs)


def webm_vp8(**kwargs) -> bytes:
    return video("webm", "libvpx", None, **kwargs)


def mp4_mpeg4_part2(**kwargs) -> bytes:
    """Return an MP4 whose video is MPEG-4 Part 2 (old cameras, DivX): Chromium cannot play it."""
    return video("mp4", "mpeg4", "aac", **kwargs)


def pdf(pages: int = 2) -> bytes:
    """Return a PDF of `pages` pages; page n is (200 + 20n) × 300 points with its number drawn."""
    images = []
    for n in range(pages):
        image = Image.new("RGB", (200 + 20 * n, 300), "white")
        ImageDraw.Draw(image).text((20, 20), f"Trang {n + 1}", fill="black")
        images.append(image)
    out = io.BytesIO()
    images[0].save(out, "PDF", save_all=True, append_images=images[1:], resolution=72)
    return out.getvalue()
