"""The media library (specs/publishing.md §2): uploading (by form, API or a presigned direct
upload to S3), probing, checksum deduplication, deleting unused media, and the cleanup of
direct uploads never confirmed.

An upload is spooled to a temporary file while its SHA-256 is computed and its size checked
against the caps, then probed (Pillow, ffprobe). The same bytes are one asset: a second upload
of them answers the first asset and stores no second file."""

import hashlib
import logging
import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from core.errors import ConflictError, DomainError
from core.jobs import WorkReport

from .. import storage as media_storage
from ..choices import MediaKind
from ..models import MediaAsset, MediaUpload, ScheduledPostMedia
from .probing import Probe, preview_jpeg, probe

logger = logging.getLogger(__name__)
CHUNK = 1024 * 1024


class MediaTooLarge(DomainError):
    code = "media_too_large"


def _caps() -> dict[str, int]:
    return {
        MediaKind.IMAGE: settings.MEDIA_MAX_IMAGE_BYTES,
        MediaKind.VIDEO: settings.MEDIA_MAX_VIDEO_BYTES,
    }


def _too_large(size: int, cap: int, what: str) -> MediaTooLarge:
    return MediaTooLarge(
        f"This {what} is {filesizeformat(size)}: the library takes {what}s up to "
        f"{filesizeformat(cap)}.",
        fields={"file": [f"Larger than {filesizeformat(cap)}."]},
    )


@dataclass(frozen=True)
class _Spooled:
    path: Path
    size: int
    checksum: str


@contextmanager
def _spooled(chunks: Iterable[bytes]) -> Iterator[_Spooled]:
    """The bytes of `chunks` in a temporary file, with their size and SHA-256; refused as soon
    as they pass the larger of the two caps."""
    limit = max(_caps().values())
    digest, size = hashlib.sha256(), 0
    handle, name = tempfile.mkstemp(prefix="creatorops-media-")
    try:
        with os.fdopen(handle, "wb") as out:
            for chunk in chunks:
                size += len(chunk)
                if size > limit:
                    raise _too_large(size, limit, "file")
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise DomainError("The file is empty.", code="media_empty", fields={"file": ["Empty."]})
        yield _Spooled(Path(name), size, digest.hexdigest())
    finally:
        Path(name).unlink(missing_ok=True)


def _check_cap(found: Probe, size: int) -> None:
    cap = _caps()[MediaKind(found.kind)]
    if size > cap:
        raise _too_large(size, cap, found.kind)


def _store(spooled: _Spooled, found: Probe, *, user, filename: str) -> tuple[MediaAsset, bool]:
    """The asset of the spooled bytes: the existing one with the same checksum, or a new one
    whose file (and preview) is saved first, then its row; a concurrent upload of the same
    bytes that wins the row leaves ours deleted."""
    existing = MediaAsset.objects.filter(checksum=spooled.checksum).first()
    if existing is not None:
        return existing, False
    asset = MediaAsset(
        kind=found.kind,
        mime=found.mime,
        size=spooled.size,
        width=found.width,
        height=found.height,
        duration_s=found.duration_s if found.kind == MediaKind.VIDEO else None,
        codec=found.codec[:32] if found.kind == MediaKind.VIDEO else "",
        frame_rate=found.frame_rate,
        checksum=spooled.checksum,
        created_by=user if getattr(user, "pk", None) else None,
    )
    with spooled.path.open("rb") as data:
        asset.file.save(f"upload.{found.extension}", File(data), save=False)
    preview = preview_jpeg(spooled.path, found)
    if preview:
        name = f"publishing/thumbs/{spooled.checksum[:2]}/{spooled.checksum}.jpg"
        asset.thumbnail = default_storage.save(name, ContentFile(preview))
    try:
        with transaction.atomic():
            asset.full_clean(exclude=["file", "thumbnail", "checksum"])
            asset.save()
    except IntegrityError:
        _delete_files(asset.file.name, asset.thumbnail.name)
        return MediaAsset.objects.get(checksum=spooled.checksum), False
    except Exception:
        _delete_files(asset.file.name, asset.thumbnail.name)
        raise
    return asset, True


def _delete_files(*names: str) -> None:
    for name in names:
        if name:
            default_storage.delete(name)


def _chunks(file) -> Iterable[bytes]:
    if hasattr(file, "chunks"):
        return file.chunks(CHUNK)
    return iter(lambda: file.read(CHUNK), b"")


def media_asset_create(*, file, user) -> tuple[MediaAsset, bool]:
    """Add `file` (an uploaded file, or any binary file object with a `name`) to the library.

    Returns (asset, created): the same bytes uploaded again answer the first asset (created is
    False) and store nothing. Raises MediaTooLarge beyond MEDIA_MAX_IMAGE_BYTES /
    MEDIA_MAX_VIDEO_BYTES, ProbeError for a file that is neither a readable image nor video
    (with the reason), FfprobeMissing for a video without ffprobe installed."""
    filename = os.path.basename(getattr(file, "name", "") or "")
    declared = getattr(file, "size", None)
    limit = max(_caps().values())
    if declared and declared > limit:
        raise _too_large(declared, limit, "file")
    with _spooled(_chunks(file)) as spooled:
        found = MediaAsset.objects.filter(checksum=spooled.checksum).first()
        if found is not None:
            return found, False
        probed = probe(spooled.path, filename=filename)
        _check_cap(probed, spooled.size)
        return _store(spooled, probed, user=user, filename=filename)


@transaction.atomic
def media_asset_delete(asset: MediaAsset) -> None:
    """Delete `asset` and its file, if no scheduled post uses it (a post's media stays)."""
    asset = MediaAsset.objects.select_for_update().get(pk=asset.pk)
    if ScheduledPostMedia.objects.filter(asset=asset).exists():
        raise ConflictError(
            "This media is used by a scheduled post: remove it from the post first.",
            code="media_in_use",
        )
    names = [asset.file.name, asset.thumbnail.name]
    asset.delete()
    # The files go only once the row is gone for good.
    transaction.on_commit(lambda: _delete_files(*names))


# --- Presigned direct uploads (S3-compatible storage only) --------------------------------------
def _require_s3() -> None:
    if not media_storage.is_s3():
        raise DomainError(
            "Direct uploads need S3 storage (MEDIA_STORAGE=s3): upload the file itself with a "
            "multipart POST to /api/v1/media/.",
            code="direct_upload_unavailable",
        )


def media_upload_presign(
    *, user, filename: str = "", content_type: str = "", now: datetime | None = None
) -> tuple[MediaUpload, media_storage.PresignedPut]:
    """Open a direct upload: a MediaUpload row with the key to PUT to, and the presigned PUT
    URL (valid MEDIA_UPLOAD_EXPIRY_SECONDS). Confirm with media_upload_confirm."""
    _require_s3()
    now = now or timezone.now()
    seconds = settings.MEDIA_UPLOAD_EXPIRY_SECONDS
    upload = MediaUpload(
        filename=os.path.basename(filename)[:255],
        content_type=content_type[:100],
        created_by=user,
        expires_at=now + timedelta(seconds=seconds),
    )
    upload.key = f"publishing/uploads/{upload.upload_id.hex}"
    upload.save()
    put = media_storage.presigned_put(upload.key, content_type=upload.content_type, seconds=seconds)
    return upload, put


def media_upload_confirm(
    *, upload_id, user, now: datetime | None = None
) -> tuple[MediaAsset, bool]:
    """The client PUT its bytes: read the object back, probe and cap it like any upload, and
    make it an asset (the same bytes as an existing asset answer that one). The uploaded
    object is removed either way; a file refused leaves the upload open until it expires."""
    _require_s3()
    now = now or timezone.now()
    upload = MediaUpload.objects.filter(upload_id=upload_id, created_by=user).first()
    if upload is None:
        raise DomainError(
            "No such upload (or it expired and was removed): presign again.",
            code="upload_unknown",
            fields={"upload_id": ["Unknown upload."]},
        )
    if upload.confirmed_at and upload.asset_id:
        return upload.asset, False
    if upload.expires_at < now:
        raise DomainError(
            "This upload expired: presign again.",
            code="upload_expired",
            fields={"upload_id": ["Expired."]},
        )
    if not default_storage.exists(upload.key):
        raise DomainError(
            "Nothing was uploaded for this upload id yet: PUT the file to its URL first.",
            code="upload_missing",
            fields={"upload_id": ["No file uploaded."]},
        )
    with default_storage.open(upload.key, "rb") as remote:
        asset, created = media_asset_create(file=_Named(remote, upload.filename), user=user)
    claimed = MediaUpload.objects.filter(pk=upload.pk, confirmed_at__isnull=True).update(
        confirmed_at=now, asset=asset
    )
    if claimed:
        default_storage.delete(upload.key)
    return asset, created


class _Named:
    """A storage file read in chunks under the name the client gave it."""

    def __init__(self, file, name: str) -> None:
        self.file, self.name = file, name

    def chunks(self, size: int = CHUNK) -> Iterator[bytes]:
        return iter(lambda: self.file.read(size), b"")


def media_uploads_cleanup(*, now: datetime | None = None, batch: int = 500) -> WorkReport:
    """Remove the direct uploads not confirmed by their expiry: their object, then their row
    (the row goes only once the object is gone, so a failure is retried by the next run)."""
    now = now or timezone.now()
    report = WorkReport(kind="media_uploads")
    expired = MediaUpload.objects.filter(confirmed_at__isnull=True, expires_at__lt=now)
    rows = list(expired.order_by("expires_at").values_list("pk", "key")[:batch])
    removed = []
    for pk, key in rows:
        try:
            default_storage.delete(key)
        except Exception as error:  # one unreachable object must not stop the others
            logger.warning("media upload %s: cannot delete %s: %s", pk, key, error)
            report.failed += 1
            continue
        removed.append(pk)
    report.ok = MediaUpload.objects.filter(pk__in=removed, confirmed_at__isnull=True).delete()[0]
    return report
