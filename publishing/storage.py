"""The media library's storage: Django's default storage (local files, or S3-compatible through
django-storages when MEDIA_STORAGE=s3). What only S3 can do lives here: presigned PUT and GET
URLs for direct uploads and for the platforms that pull media."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.storage import Storage, default_storage
from django.utils import timezone


def is_s3(storage: Storage | None = None) -> bool:
    """Whether `storage` (default: the default storage) is S3-compatible."""
    storage = default_storage if storage is None else storage
    return hasattr(storage, "bucket_name") and hasattr(storage, "connection")


def _client_and_key(storage: Storage, name: str):
    from storages.utils import clean_name

    key = storage._normalize_name(clean_name(name))  # the bucket prefix (AWS_LOCATION) included
    return storage.connection.meta.client, key


@dataclass(frozen=True)
class PresignedPut:
    url: str
    headers: dict[str, str]
    expires_at: datetime


def presigned_put(name: str, *, content_type: str, seconds: int) -> PresignedPut:
    """A URL to PUT the bytes of storage name `name` to, valid `seconds`."""
    client, key = _client_and_key(default_storage, name)
    params = {"Bucket": default_storage.bucket_name, "Key": key}
    headers = {}
    if content_type:
        params["ContentType"] = content_type
        headers["Content-Type"] = content_type
    url = client.generate_presigned_url(
        "put_object", Params=params, ExpiresIn=seconds, HttpMethod="PUT"
    )
    return PresignedPut(url, headers, timezone.now() + timedelta(seconds=seconds))


def presigned_get(name: str, *, seconds: int | None = None) -> str:
    """A URL that reads storage name `name` without credentials, valid `seconds`
    (default MEDIA_PUBLIC_URL_SECONDS)."""
    seconds = settings.MEDIA_PUBLIC_URL_SECONDS if seconds is None else seconds
    return default_storage.url(name, expire=seconds)
