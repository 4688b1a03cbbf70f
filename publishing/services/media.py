"""The media library (specs/publishing.md §2): deleting an unused asset."""

from django.db import transaction

from core.errors import ConflictError

from ..models import MediaAsset, ScheduledPostMedia


@transaction.atomic
def media_asset_delete(asset: MediaAsset) -> None:
    """Delete `asset` and its file, if no scheduled post uses it (a post's media stays)."""
    asset = MediaAsset.objects.select_for_update().get(pk=asset.pk)
    if ScheduledPostMedia.objects.filter(asset=asset).exists():
        raise ConflictError(
            "This media is used by a scheduled post: remove it from the post first.",
            code="media_in_use",
        )
    storage, name = asset.file.storage, asset.file.name
    asset.delete()
    if name:
        # The file goes only once the row is gone for good.
        transaction.on_commit(lambda: storage.delete(name))
