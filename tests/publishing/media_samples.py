"""Real small media made at test time (no binaries in the repository): images with Pillow,
videos with ffmpeg's test source."""

import io
import subprocess
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


def image_bytes(width: int = 108, height: int = 135, *, fmt: str = "JPEG", color="teal") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, fmt)
    return out.getvalue()


def video_bytes(
    tmp_path: Path,
    *,
    seconds: float = 1,
    width: int = 108,
    height: int = 192,
    container: str = "mp4",
    tone: int = 440,
    fps: int = 25,
) -> bytes:
    """A `seconds`-long H.264/AAC video (VP9/Opus for webm) from ffmpeg's test source."""
    out = tmp_path / f"clip-{width}x{height}-{seconds}-{tone}-{fps}.{container}"
    codecs = (
        ["-c:v", "libvpx-vp9", "-c:a", "libopus"]
        if container == "webm"
        else ["-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac"]
    )
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            f"testsrc=duration={seconds}:size={width}x{height}:rate={fps}",
            "-f",
            "lavfi",
            "-i",
            f"sine=frequency={tone}:duration={seconds}",
            *codecs,
            "-shortest",
            str(out),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return out.read_bytes()


def upload(data: bytes, name: str, content_type: str = "") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)
