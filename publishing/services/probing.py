"""What a media file is (specs/publishing.md §2): Pillow for images, `ffprobe` (Debian's `ffmpeg`
package) for videos. It knows no models: a path in, a `Probe` out, or a `ProbeError` whose
message says why the file was refused. Also draws the small preview (a thumbnail of an image, a
poster frame of a video) the media library shows."""

import io
import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from core.errors import DomainError

# Pillow's format -> the MIME type platforms expect.
IMAGE_MIMES = {
    "JPEG": "image/jpeg",
    "PNG": "image/png",
    "WEBP": "image/webp",
    "GIF": "image/gif",
    "BMP": "image/bmp",
    "TIFF": "image/tiff",
    "HEIF": "image/heic",
    "MPO": "image/jpeg",  # a JPEG with extra frames (phones' portrait mode)
}
IMAGE_EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}
IMAGE_EXTENSIONS |= {"image/gif": "gif", "image/bmp": "bmp", "image/tiff": "tif"}
IMAGE_EXTENSIONS |= {"image/heic": "heic"}
VIDEO_EXTENSIONS = {"video/mp4": "mp4", "video/quicktime": "mov", "video/webm": "webm"}
VIDEO_EXTENSIONS |= {"video/x-matroska": "mkv", "video/x-msvideo": "avi", "video/mpeg": "mpg"}
# EXIF orientations that turn the picture a quarter: width and height as shown are swapped.
_QUARTER_TURNS = {5, 6, 7, 8}
FFPROBE_TIMEOUT_S = 60
THUMBNAIL_PX = 320


class ProbeError(DomainError):
    """The file cannot be read as an image or a video: refused, with the reason."""

    code = "media_unreadable"


class FfprobeMissing(DomainError):
    code = "ffprobe_missing"

    def __init__(self) -> None:
        super().__init__(
            "ffprobe not found: install Debian's ffmpeg package (apt-get install ffmpeg) to "
            "upload videos."
        )


@dataclass(frozen=True)
class Probe:
    kind: str  # "image" or "video" (publishing.choices.MediaKind values)
    mime: str
    width: int
    height: int
    extension: str
    codec: str = ""  # the video stream's codec (h264, hevc…); an image's format
    duration_s: float | None = None
    frame_rate: float | None = None
    audio_codec: str = ""  # empty: no sound track


def ffprobe_path() -> str | None:
    return shutil.which("ffprobe")


def probe(path: str | Path, *, filename: str = "") -> Probe:
    """What the file at `path` is. Images are read by Pillow, anything else by ffprobe.

    Raises ProbeError when neither can read it (with the reason) and FfprobeMissing when the
    file is not an image and ffprobe is not installed."""
    image_error = ""
    try:
        return _probe_image(path)
    except UnidentifiedImageError:
        pass
    except (OSError, ValueError, Image.DecompressionBombError) as error:
        image_error = str(error)
    if image_error:
        raise ProbeError(
            f"{filename or 'The file'} is a damaged or unsupported image: {image_error}"
        )
    return _probe_video(path, filename=filename)


def _probe_image(path: str | Path) -> Probe:
    with Image.open(path) as image:
        image.verify()  # checks the file's structure: a damaged upload fails here
    with Image.open(path) as image:
        image_format = image.format or ""
        width, height = image.size
        orientation = image.getexif().get(0x0112)
    mime = IMAGE_MIMES.get(image_format)
    if mime is None:
        raise ProbeError(f"{image_format or 'This'} images are not supported: use JPEG or PNG.")
    if orientation in _QUARTER_TURNS:
        width, height = height, width
    return Probe(
        kind="image",
        mime=mime,
        width=width,
        height=height,
        extension=IMAGE_EXTENSIONS[mime],
        codec=image_format.lower(),
    )


def _ffprobe(path: str | Path) -> dict:
    binary = ffprobe_path()
    if binary is None:
        raise FfprobeMissing()
    command = [binary, "-v", "error", "-print_format", "json", "-show_format", "-show_streams"]
    try:
        done = subprocess.run(
            [*command, str(path)],
            capture_output=True,
            timeout=FFPROBE_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise ProbeError(f"ffprobe took more than {FFPROBE_TIMEOUT_S} s to read it.") from error
    if done.returncode != 0:
        reason = done.stderr.decode(errors="replace").strip().splitlines()
        raise ProbeError(f"It is neither an image nor a video ffprobe can read: {_last(reason)}")
    return json.loads(done.stdout or b"{}")


def _last(lines: list[str]) -> str:
    # ffprobe repeats the path before its reason: keep the reason.
    line = lines[-1] if lines else "unknown format"
    return line.rsplit(": ", 1)[-1]


def _probe_video(path: str | Path, *, filename: str) -> Probe:
    info = _ffprobe(path)
    streams = info.get("streams") or []
    fmt = info.get("format") or {}
    video = next(
        (
            s
            for s in streams
            if s.get("codec_type") == "video"
            and not (s.get("disposition") or {}).get("attached_pic")
        ),
        None,
    )
    if video is None:
        raise ProbeError("It has no video stream (a sound file or an unsupported format).")
    duration = _float(video.get("duration")) or _float(fmt.get("duration"))
    if not duration or duration <= 0:
        # A single still frame read by an image demuxer (an image Pillow does not read).
        raise ProbeError("It has no duration: an unsupported image format, or not a video.")
    width, height = int(video.get("width") or 0), int(video.get("height") or 0)
    if not (width and height):
        raise ProbeError("Its video stream has no frame size.")
    if abs(_rotation(video)) in (90, 270):
        width, height = height, width
    mime = _video_mime(fmt, filename)
    audio = next((s for s in streams if s.get("codec_type") == "audio"), {})
    return Probe(
        kind="video",
        mime=mime,
        width=width,
        height=height,
        extension=VIDEO_EXTENSIONS.get(mime, "bin"),
        codec=str(video.get("codec_name") or ""),
        duration_s=round(duration, 3),
        frame_rate=_rate(video.get("avg_frame_rate") or video.get("r_frame_rate")),
        audio_codec=str(audio.get("codec_name") or ""),
    )


def _float(value) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _rate(value) -> float | None:
    try:
        rate = Fraction(str(value))
    except (ValueError, ZeroDivisionError):
        return None
    return round(float(rate), 3) if rate else None


def _rotation(stream: dict) -> int:
    for side in stream.get("side_data_list") or []:
        if "rotation" in side:
            return int(_float(side["rotation"]) or 0)
    return int(_float((stream.get("tags") or {}).get("rotate")) or 0)


def _video_mime(fmt: dict, filename: str) -> str:
    names = set(str(fmt.get("format_name") or "").split(","))
    brand = str((fmt.get("tags") or {}).get("major_brand") or "").strip()
    if "mp4" in names or "mov" in names:
        # One demuxer reads both: QuickTime files say so in their brand (or their name).
        if brand == "qt" or (not brand and filename.lower().endswith(".mov")):
            return "video/quicktime"
        return "video/mp4"
    if "webm" in names or "matroska" in names:
        return "video/webm" if filename.lower().endswith(".webm") else "video/x-matroska"
    if "avi" in names:
        return "video/x-msvideo"
    if names & {"mpeg", "mpegts"}:
        return "video/mpeg"
    return "application/octet-stream"


def preview_jpeg(path: str | Path, found: Probe) -> bytes | None:
    """A small JPEG of the file: the image scaled down, or a video's frame at 1 s (or its first).
    None when it cannot be drawn cheaply (no ffmpeg for a video): the library shows an icon."""
    if found.kind == "image":
        return _thumbnail(path)
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        return None
    at = "1" if (found.duration_s or 0) > 2 else "0"
    with tempfile.TemporaryDirectory() as folder:
        frame = Path(folder) / "frame.png"
        try:
            subprocess.run(
                [ffmpeg, "-v", "error", "-ss", at, "-i", str(path), "-frames:v", "1", str(frame)],
                capture_output=True,
                timeout=FFPROBE_TIMEOUT_S,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return None
        return _thumbnail(frame) if frame.exists() else None


def _thumbnail(path: str | Path) -> bytes | None:
    try:
        with Image.open(path) as image:
            image = ImageOps.exif_transpose(image)
            image.thumbnail((THUMBNAIL_PX, THUMBNAIL_PX))
            out = io.BytesIO()
            image.convert("RGB").save(out, "JPEG", quality=80)
    except (OSError, ValueError, Image.DecompressionBombError):
        return None
    return out.getvalue()
