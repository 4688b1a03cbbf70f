"""Instagram (Instagram or Facebook Login): prepare = the publishing limit, then containers
(carousel items first), each checkpointed, then their status; commit = `media_publish`;
reconcile = the container's `status_code` (PUBLISHED: the post is found among the account's
recent media)."""

from dataclasses import replace
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from platforms.publishers import errors as client_errors
from platforms.publishers.instagram import InstagramPublisher, PublishedMedia

from ...choices import ConnectionMethod, MediaKind
from ...models import SocialConnection
from ..connections import connection_remember_publishing_limit
from ..oauth import connection_token_fresh
from ..steps import (
    UNKNOWN,
    Checkpoint,
    MediaRef,
    Outcome,
    PublishedRef,
    PublishError,
    TargetRequest,
)
from .common import (
    _CLOCK_SLACK,
    _caption,
    _commit_call,
    _connection,
    _final,
    _limiter,
    _parse_time,
    _translated,
    media_public_url,
)


class InstagramSteps:
    """Containers, `media_publish`, container status (Instagram or Facebook Login)."""

    def _client(self, connection: SocialConnection) -> tuple[InstagramPublisher, str]:
        base = (
            settings.FACEBOOK_PUBLISH_BASE_URL
            if connection.method == ConnectionMethod.FACEBOOK_LOGIN
            else settings.INSTAGRAM_PUBLISH_BASE_URL
        )
        user = str(connection.meta.get("ig_user_id") or connection.meta.get("user_id") or "me")
        client = InstagramPublisher(
            base, connection_token_fresh(connection), limiter=_limiter(connection)
        )
        return client, user

    def prepare(self, request: TargetRequest, checkpoint: Checkpoint) -> dict[str, Any]:
        if not request.media:
            raise _final("An Instagram post needs an image or a video.", "media_missing")
        client, user = self._client(_connection(request))
        handle = dict(request.remote_handle)
        with _translated():
            limit = client.publishing_limit(user)
            connection_remember_publishing_limit(
                request.connection_id,
                quota_usage=limit.quota_usage,
                quota_total=limit.quota_total,
                quota_duration=limit.quota_duration,
                at=timezone.now(),
            )
            if limit.quota_total and limit.remaining <= 0:
                raise PublishError(
                    f"Instagram: {limit.quota_usage} of {limit.quota_total} posts in 24 h used.",
                    outcome=Outcome.DEFER,
                    error_class="ig_2207042",
                    defer_until=timezone.now() + timedelta(seconds=limit.quota_duration),
                )
            if not handle.get("container_id"):
                handle = self._containers(client, user, request, handle, checkpoint)
            for container in [*handle.get("children", []), handle["container_id"]]:
                client.wait_for_container(
                    container,
                    attempts=settings.PUBLISH_CONTAINER_POLLS,
                    interval=settings.PUBLISH_CONTAINER_POLL_SECONDS,
                )
        return handle

    def _containers(self, client, user, request, handle, checkpoint) -> dict[str, Any]:
        caption = _caption(request)
        if len(request.media) == 1:
            handle["container_id"] = self._item(client, user, request, request.media[0], caption)
            checkpoint(handle)
            return handle
        children = handle.setdefault("children", [])
        for media in request.media[len(children) :]:
            children.append(self._item(client, user, request, media, None))
            checkpoint(handle)
        handle["container_id"] = client.create_carousel_container(user, children, caption=caption)
        checkpoint(handle)
        return handle

    def _item(self, client, user, request, media: MediaRef, caption: str | None) -> str:
        url, item = media_public_url(media), caption is None
        if media.kind == MediaKind.VIDEO:
            return client.create_video_container(
                user,
                url,
                caption=caption or "",
                carousel_item=item,
                share_to_feed=bool(request.options.get("share_to_feed", True)),
            )
        return client.create_image_container(user, url, caption=caption or "", carousel_item=item)

    def commit(self, request: TargetRequest, handle: dict[str, Any]) -> PublishedRef:
        client, user = self._client(_connection(request))
        with _translated():
            with _commit_call():
                media_id = client.publish(user, handle["container_id"])
            ref = _ig_ref(client.media(media_id))
        return _with_first_comment(client, media_id, request, ref)

    def reconcile(self, request: TargetRequest) -> Any:
        container = request.remote_handle.get("container_id")
        if not container:
            return UNKNOWN
        client, user = self._client(_connection(request))
        with _translated():
            status = client.container_status(container)
            if status.published:
                found = _ig_find(client.recent_media(user), request)
                # Published for certain; without its media id only if the listing lags.
                return found or PublishedRef(platform_post_id="", url="")
        if status.status_code in ("FINISHED", "IN_PROGRESS", "EXPIRED", "ERROR"):
            return None  # the container was never published: nothing is on the account
        return UNKNOWN


def _with_first_comment(client, media_id: str, request, ref: PublishedRef) -> PublishedRef:
    """Post the target's first comment, if any. The post is out already: a refusal becomes the
    target's warning, never a failure (publishing again would post twice)."""
    message = (request.options.get("first_comment") or "").strip()
    if not message:
        return ref
    try:
        client.comment(media_id, message)
    except client_errors.PublishError as error:
        return replace(ref, warning=f"Published, but the first comment was refused: {error}")
    return ref


def _ig_ref(media: PublishedMedia) -> PublishedRef:
    return PublishedRef(
        platform_post_id=media.id,
        url=media.permalink or "",
        published_at=_parse_time(media.timestamp),
    )


def _ig_find(recent: list[PublishedMedia], request: TargetRequest) -> PublishedRef | None:
    caption = _caption(request)
    since = (request.commit_started_at or request.scheduled_at) - _CLOCK_SLACK
    for media in recent:
        at = _parse_time(media.timestamp)
        if (media.caption or "") == caption and (at is None or at >= since):
            url = media.permalink or (
                f"https://www.instagram.com/p/{media.shortcode}/" if media.shortcode else ""
            )
            return PublishedRef(platform_post_id=media.id, url=url, published_at=at)
    return None
