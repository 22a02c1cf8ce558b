"""What an uploaded file really is, read from its bytes, and what the screens get made of it.

`probe(path, limits)` sniffs the type from the content (never the name), then lets the real
decoder read it: Pillow re-encodes images (EXIF and GPS dropped, orientation applied, size bounded)
and makes a thumbnail; PyAV reads a video's codecs, size and duration and draws a poster frame;
pypdfium2 renders each page of a PDF. Anything a browser cannot show, or that a decoder cannot read,
raises ValidationFailed on the field `file` with a Vietnamese reason.

No Flask and no database here: the service runs this off the request's event loop, in a thread.
"""

from __future__ import annotations

import io
import struct
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import av
import puremagic
import pypdfium2 as pdfium
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps

from kiosk_server.services.core.errors import ValidationFailed

# Sniffed type -> Pillow format. Only these are decoded as images.
IMAGE_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP", "image/gif": "GIF"}
IMAGE_MIMES = {v: k for k, v in IMAGE_FORMATS.items()}
# Sniffed container -> which family (and FFmpeg demuxer, forced so probing can never pick another).
VIDEO_CONTAINERS = {
    "video/mp4": "mp4", "video/quicktime": "mp4", "video/x-m4v": "mp4", "video/3gpp": "mp4",
    "video/webm": "webm", "application/x-matroska": "webm", "video/x-matroska": "webm",
}
DEMUXERS = {"mp4": "mov", "webm": "matroska"}
VIDEO_MIMES = {"mp4": "video/mp4", "webm": "video/webm"}
# What Chromium plays in each container (the kiosk is Chromium; phones play the same).
VIDEO_CODECS = {"mp4": ("h264", "vp9", "av1"), "webm": ("vp8", "vp9", "av1")}
AUDIO_CODECS = {"mp4": ("aac", "mp3", "opus"), "webm": ("opus", "vorbis")}
# H.264 that browsers decode: 8-bit 4:2:0. High 10 and 4:2:2/4:4:4 profiles do not play.
H264_PIXEL_FORMATS = ("yuv420p", "yuvj420p")
# ISO media files whose brand says "still image" (iPhone photos, AVIF), not "video".
IMAGE_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1", b"avif", b"avis"}

PDF_PASSWORD_ERROR = 4  # FPDF_ERR_PASSWORD
JPEG_QUALITY = 90
THUMB_QUALITY = 80
POSTER_SCAN_FRAMES = 60  # decode at most this many frames looking for the poster moment

# What Pillow raises on a file it cannot read: header lies, truncated data, bad chunks.
PIL_ERRORS = (OSError, SyntaxError, ValueError, EOFError, struct.error, IndexError)
AV_ERRORS = (av.FFmpegError, ValueError, OSError, IndexError)


@dataclass(frozen=True)
class Limits:
    """Bounds on what is decoded and what is made for the screen."""

    max_pixels: int = 40_000_000
    max_animation_pixels: int = 200_000_000
    image_max_side: int = 3840
    thumb_width: int = 480
    max_pdf_pages: int = 50
    screen_side: int = 1920

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Limits:
        """Return the limits set in an app's config."""
        return cls(
            max_pixels=int(config["MAX_IMAGE_PIXELS"]),
            max_animation_pixels=int(config["MAX_ANIMATION_PIXELS"]),
            image_max_side=int(config["IMAGE_MAX_SIDE"]),
            thumb_width=int(config["THUMB_WIDTH"]),
            max_pdf_pages=int(config["MAX_PDF_PAGES"]),
            screen_side=int(config["SCREEN_IMAGE_SIDE"]),
        )


@dataclass
class Rendition:
    """An image made from the upload (re-encoded file, thumbnail, poster or page): JPEG unless noted."""

    data: bytes
    width: int
    height: int


@dataclass
class Probed:
    """What the upload is and what is stored for it."""

    kind: str
    mime: str
    width: int | None = None
    height: int | None = None
    duration_s: float | None = None
    # Images: the re-encoded file, stored instead of the upload (whose EXIF never reaches the store).
    replacement: Rendition | None = None
    poster: Rendition | None = None
    pages: list[Rendition] = field(default_factory=list)
    # Format and codecs, for the audit log.
    details: dict[str, Any] = field(default_factory=dict)


def refuse(message, field_message=None) -> ValidationFailed:
    """Return the ValidationFailed for a refused file (the caller raises it)."""
    return ValidationFailed(message, {"file": field_message or message}, code="unsupported_file")


# --- sniffing ---------------------------------------------------------------------------------

def sniff(path: Path) -> tuple[str, str]:
    """Return (family, type) from the file's bytes: ("image", "image/png"), ("video", "mp4"), ("pdf", ...).

    Raises ValidationFailed naming what the file looks like when it is none of the accepted types.
    """
    with path.open("rb") as fh:
        head = fh.read(64)
    if not head:
        raise refuse(_l("Tệp rỗng (0 byte); hãy chọn lại tệp."), _l("Tệp rỗng."))
    if head[4:8] == b"ftyp" and _iso_brands(head) & IMAGE_BRANDS:
        raise refuse(
            _l("Ảnh HEIC/HEIF/AVIF chưa được hỗ trợ; hãy chuyển sang JPEG, PNG hoặc WebP rồi tải lên lại."),
            _l("Định dạng ảnh chưa được hỗ trợ."),
        )
    try:
        matches = puremagic.magic_file(str(path))
    except (puremagic.PureError, ValueError, OSError):
        matches = []
    # Only the strongest matches count: "RIFF" alone also reads as WebP, at a lower confidence.
    best = max((m.confidence for m in matches), default=0)
    matches = [m for m in matches if m.confidence >= best]
    for match in matches:
        mime = match.mime_type
        if mime in IMAGE_FORMATS:
            return "image", mime
        if mime in VIDEO_CONTAINERS:
            return "video", VIDEO_CONTAINERS[mime]
        if mime == "application/pdf":
            return "pdf", mime
    seen = matches[0] if matches else None
    if seen is not None and seen.mime_type.startswith("image/"):
        raise refuse(
            _l("Ảnh định dạng %(name)s chưa được hỗ trợ; hãy dùng JPEG, PNG, WebP hoặc GIF.", name=seen.name),
            _l("Định dạng ảnh chưa được hỗ trợ."),
        )
    if seen is not None and seen.mime_type.startswith("video/"):
        raise refuse(
            _l("Video định dạng %(name)s không phát được trên trình duyệt; hãy chuyển sang MP4 (H.264) "
               "hoặc WebM (VP9).", name=seen.name),
            _l("Định dạng video không được hỗ trợ."),
        )
    found = _l(" (tệp này có vẻ là: %(name)s)", name=seen.name) if seen is not None else ""
    raise refuse(
        _l("Không nhận ra tệp là ảnh, video hay PDF%(found)s. Chỉ nhận ảnh JPEG, PNG, WebP, GIF; "
           "video MP4, WebM; tài liệu PDF.", found=found),
        _l("Loại tệp không được hỗ trợ."),
    )


def _iso_brands(head: bytes) -> set[bytes]:
    """Return the major and compatible brands of an ISO media file's ftyp box (within `head`)."""
    size = int.from_bytes(head[0:4], "big")
    end = min(size if size >= 16 else 16, len(head))
    brands = {head[8:12]}
    brands.update(head[i:i + 4] for i in range(16, end - 3, 4))
    return brands


def sniff_mime(head: bytes) -> str | None:
    """Return the type of a stored object from its first bytes, for objects without a Media row."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head[4:8] == b"ftyp":
        return "video/mp4"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "video/webm"
    return None


# --- the whole probe --------------------------------------------------------------------------

def probe(path: Path, limits: Limits) -> Probed:
    """Return what the file at `path` is and the renditions to store; ValidationFailed if refused."""
    family, kind = sniff(path)
    if family == "image":
        return probe_image(path, IMAGE_FORMATS[kind], limits)
    if family == "video":
        return probe_video(path, kind, limits)
    return probe_pdf(path, limits)


# --- images -----------------------------------------------------------------------------------

def probe_image(path: Path, fmt: str, limits: Limits) -> Probed:
    """Return the image re-encoded in its own format (no metadata) and its thumbnail."""
    try:
        with Image.open(path, formats=[fmt]) as image:
            width, height = image.size
            _check_pixels(width, height, limits)
            # A JPEG with several frames is an MPO (a camera's stereo pair): the screen shows the first.
            frames = getattr(image, "n_frames", 1) if fmt != "JPEG" else 1
            if frames > 1 and width * height * frames > limits.max_animation_pixels:
                raise refuse(
                    _l("Ảnh động có %(frames)d khung hình cỡ %(w)d×%(h)d, quá lớn để phát; hãy chuyển thành "
                       "video MP4 hoặc giảm kích thước.", frames=frames, w=width, h=height),
                    _l("Ảnh động quá lớn."),
                )
            image.load()
            if frames > 1:
                data = _encode_animation(image, fmt)
                image.seek(0)
                first = image.copy()
            else:
                still = _fit(ImageOps.exif_transpose(image), limits.image_max_side)
                data = _encode_still(still, fmt)
                first = still
                width, height = still.size
            thumb = _thumbnail(first, limits.thumb_width)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise _pixel_bomb(limits) from error
    except PIL_ERRORS as error:
        raise refuse(
            _l("Không đọc được ảnh: tệp bị hỏng hoặc chưa tải lên hết. Hãy mở thử rồi lưu lại ảnh."),
            _l("Ảnh bị hỏng hoặc không đầy đủ."),
        ) from error
    return Probed(
        kind="image", mime=IMAGE_MIMES[fmt], width=width, height=height,
        replacement=Rendition(data, width, height), poster=thumb,
        details={"format": fmt.lower(), "frames": frames},
    )


def _check_pixels(width: int, height: int, limits: Limits) -> None:
    if width <= 0 or height <= 0:
        raise refuse(_l("Ảnh không có kích thước hợp lệ."), _l("Ảnh bị hỏng."))
    if width * height > limits.max_pixels:
        raise _pixel_bomb(limits, width, height)


def _pixel_bomb(limits: Limits, width: int | None = None, height: int | None = None) -> ValidationFailed:
    megapixels = limits.max_pixels / 1_000_000
    if width and height:
        message = _l("Ảnh %(w)d×%(h)d điểm ảnh vượt giới hạn %(mp).0f triệu điểm ảnh; hãy thu nhỏ ảnh rồi tải "
                     "lên lại.", w=width, h=height, mp=megapixels)
    else:
        message = _l("Ảnh vượt giới hạn %(mp).0f triệu điểm ảnh; hãy thu nhỏ ảnh rồi tải lên lại.", mp=megapixels)
    return refuse(message, _l("Ảnh quá lớn."))


def _fit(image: Image.Image, side: int) -> Image.Image:
    """Return `image` scaled down to fit side×side (no screen shows more), or itself."""
    if side and max(image.size) > side:
        image = image.copy()
        image.thumbnail((side, side), Image.Resampling.LANCZOS)
    return image


# Only what the pixels need survives a re-encode: EXIF (GPS, camera, owner), XMP and comments do not.
_KEEP_INFO = ("icc_profile", "transparency", "duration", "loop", "background")


def _strip(image: Image.Image) -> None:
    image.info = {k: v for k, v in image.info.items() if k in _KEEP_INFO}


def _encode_still(image: Image.Image, fmt: str) -> bytes:
    out = io.BytesIO()
    if fmt == "JPEG":
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")  # CMYK and friends; the old ICC profile would lie
            image.info.pop("icc_profile", None)
        _strip(image)
        image.save(out, "JPEG", quality=JPEG_QUALITY, icc_profile=image.info.get("icc_profile"))
    elif fmt == "WEBP":
        if image.mode not in ("RGB", "RGBA"):
            image = image.convert("RGBA" if _has_alpha(image) else "RGB")
        _strip(image)
        image.save(out, "WEBP", quality=JPEG_QUALITY, method=4, icc_profile=image.info.get("icc_profile"))
    elif fmt == "PNG":
        if image.mode not in ("1", "L", "LA", "P", "RGB", "RGBA"):
            image = image.convert("RGBA" if _has_alpha(image) else "RGB")
        _strip(image)
        image.save(out, "PNG")
    else:  # GIF
        _strip(image)
        image.save(out, "GIF", comment=b"")
    return out.getvalue()


def _encode_animation(image: Image.Image, fmt: str) -> bytes:
    """Return every frame re-encoded with its timing (GIF, animated WebP or APNG), no metadata."""
    out = io.BytesIO()
    _strip(image)
    extra: dict[str, Any] = {"comment": b""} if fmt == "GIF" else {}
    image.save(out, fmt, save_all=True, **extra)
    return out.getvalue()


def _has_alpha(image: Image.Image) -> bool:
    return "A" in image.getbands() or "transparency" in image.info


def _thumbnail(image: Image.Image, width: int) -> Rendition:
    """Return a JPEG at most `width` wide (and twice that tall), transparency flattened on white."""
    thumb = image.convert("RGBA") if _has_alpha(image) or image.mode == "P" else image.convert("RGB")
    if thumb.mode == "RGBA":
        canvas = Image.new("RGB", thumb.size, "white")
        canvas.paste(thumb, mask=thumb.getchannel("A"))
        thumb = canvas
    thumb.thumbnail((width, width * 2), Image.Resampling.LANCZOS)
    return _jpeg(thumb, THUMB_QUALITY)


def _jpeg(image: Image.Image, quality: int = JPEG_QUALITY) -> Rendition:
    out = io.BytesIO()
    image.convert("RGB").save(out, "JPEG", quality=quality)
    return Rendition(out.getvalue(), image.width, image.height)


# --- videos -----------------------------------------------------------------------------------

def probe_video(path: Path, family: str, limits: Limits) -> Probed:
    """Return a video's size, duration and codecs and a poster frame, if Chromium can play it."""
    try:
        with av.open(str(path), format=DEMUXERS[family], metadata_errors="ignore") as container:
            if not container.streams.video:
                raise refuse(
                    _l("Tệp không có hình (chỉ có âm thanh hoặc trống); màn hình chỉ phát video có hình."),
                    _l("Video không có hình."),
                )
            stream = container.streams.video[0]
            codec = stream.codec_context.name
            _check_codecs(container, family, codec, stream.codec_context.pix_fmt)
            width, height = stream.codec_context.width, stream.codec_context.height
            if not width or not height or width * height > limits.max_pixels:
                raise refuse(
                    _l("Video có kích thước khung hình %(w)d×%(h)d không phát được trên màn hình.", w=width, h=height),
                    _l("Kích thước video không hợp lệ."),
                )
            duration = _duration(container, stream)
            poster = _poster(container, stream, duration, limits.screen_side)
            audio = [s.codec_context.name for s in container.streams.audio]
    except ValidationFailed:
        raise
    except AV_ERRORS as error:
        raise refuse(
            _l("Không đọc được video: tệp bị hỏng, chưa tải lên hết hoặc không đúng định dạng."),
            _l("Video bị hỏng hoặc không đầy đủ."),
        ) from error
    return Probed(
        kind="video", mime=VIDEO_MIMES[family], width=width, height=height, duration_s=duration,
        poster=poster, details={"container": family, "video_codec": codec, "audio_codecs": audio},
    )


def _check_codecs(container, family: str, codec: str, pix_fmt: str | None) -> None:
    if codec not in VIDEO_CODECS[family]:
        if family == "mp4":
            hint = _l("hãy chuyển sang H.264 (MP4) hoặc VP9 (WebM).")
        else:
            hint = _l("hãy chuyển sang VP9 (WebM) hoặc H.264 (MP4).")
        raise refuse(
            _l("Video dùng mã hóa %(codec)s mà trình duyệt không phát được; %(hint)s", codec=codec, hint=hint),
            _l("Mã hóa video %(codec)s không được hỗ trợ.", codec=codec),
        )
    if codec == "h264" and pix_fmt not in H264_PIXEL_FORMATS:
        raise refuse(
            _l("Video H.264 dùng định dạng điểm ảnh %(fmt)s (10 bit hoặc 4:2:2/4:4:4) mà trình duyệt không phát "
               "được; hãy xuất lại với yuv420p (8 bit).", fmt=pix_fmt or "?"),
            _l("Định dạng điểm ảnh không được hỗ trợ."),
        )
    for sound in container.streams.audio:
        name = sound.codec_context.name
        if name not in AUDIO_CODECS[family]:
            allowed = "AAC" if family == "mp4" else "Opus, Vorbis"
            raise refuse(
                _l("Âm thanh của video dùng mã hóa %(codec)s mà trình duyệt không phát được; hãy dùng %(allowed)s "
                   "hoặc bỏ âm thanh.", codec=name, allowed=allowed),
                _l("Mã hóa âm thanh %(codec)s không được hỗ trợ.", codec=name),
            )


def _duration(container, stream) -> float | None:
    """Return the duration in seconds from the container, else the stream, else None."""
    if container.duration is not None and container.duration > 0:
        return round(container.duration / av.time_base, 3)
    if stream.duration is not None and stream.time_base is not None and stream.duration > 0:
        return round(float(stream.duration * stream.time_base), 3)
    return None


def _poster(container, stream, duration: float | None, side: int) -> Rendition:
    """Return a frame from about a second in (the first one is often black), scaled for the screen."""
    target = min(1.0, duration / 3) if duration else 0.0
    chosen = None
    for count, frame in enumerate(container.decode(stream)):
        chosen = frame
        if (frame.time is not None and frame.time >= target) or count >= POSTER_SCAN_FRAMES:
            break
    if chosen is None:
        raise refuse(
            _l("Không đọc được khung hình nào trong video; tệp bị hỏng hoặc chưa tải lên hết."),
            _l("Video bị hỏng hoặc không đầy đủ."),
        )
    return _jpeg(_fit(chosen.to_image(), side))


# --- PDF --------------------------------------------------------------------------------------

def probe_pdf(path: Path, limits: Limits) -> Probed:
    """Return one screen-sized image per page of a PDF, and a thumbnail of the first page."""
    try:
        document = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as error:
        if getattr(error, "err_code", None) == PDF_PASSWORD_ERROR:
            raise refuse(
                _l("Tài liệu PDF có mật khẩu; hãy bỏ mật khẩu rồi tải lên lại."), _l("PDF có mật khẩu.")
            ) from error
        raise refuse(
            _l("Không đọc được tài liệu PDF: tệp bị hỏng hoặc chưa tải lên hết."), _l("PDF bị hỏng.")
        ) from error
    try:
        count = len(document)
        if count == 0:
            raise refuse(_l("Tài liệu PDF không có trang nào."), _l("PDF không có trang nào."))
        if count > limits.max_pdf_pages:
            raise refuse(
                _l("Tài liệu PDF có %(n)d trang, quá giới hạn %(max)d trang cho màn hình; hãy tách thành các "
                   "tệp nhỏ hơn.", n=count, max=limits.max_pdf_pages),
                _l("Quá %(max)d trang.", max=limits.max_pdf_pages),
            )
        pages = [_render_page(document, index, limits.screen_side) for index in range(count)]
    except pdfium.PdfiumError as error:
        raise refuse(
            _l("Không hiển thị được một trang của tài liệu PDF; tệp có thể bị hỏng."), _l("PDF bị hỏng.")
        ) from error
    finally:
        document.close()
    with Image.open(io.BytesIO(pages[0].data)) as first:
        thumb = _thumbnail(first, limits.thumb_width)
    return Probed(
        kind="pdf", mime="application/pdf", width=pages[0].width, height=pages[0].height,
        poster=thumb, pages=pages, details={"pages": count},
    )


def _render_page(document, index: int, side: int) -> Rendition:
    page = document[index]
    try:
        width, height = page.get_size()
        if width <= 0 or height <= 0:
            raise refuse(_l("Một trang của tài liệu PDF không có kích thước hợp lệ."), _l("PDF bị hỏng."))
        bitmap = page.render(scale=side / max(width, height))
        try:
            image = bitmap.to_pil()
            out = io.BytesIO()
            # 4:4:4 keeps thin text sharp: official papers are mostly text.
            image.convert("RGB").save(out, "JPEG", quality=JPEG_QUALITY, subsampling=0)
            return Rendition(out.getvalue(), image.width, image.height)
        finally:
            bitmap.close()
    finally:
        page.close()
