"""Telling the author of a post when one of its targets failed or stayed unconfirmed (specs/
publishing.md §4: "never silently"), through the notifications app: in-app at once, by e-mail
or Slack as the person chose."""

from notifications.choices import NotificationKind
from notifications.services import notify

from ..choices import TargetState
from ..models import PublishTarget

_KINDS = {
    TargetState.FAILED: NotificationKind.PUBLISH_FAILED,
    TargetState.UNCONFIRMED: NotificationKind.PUBLISH_UNCONFIRMED,
}


def target_notify_outcome(target_id: int) -> int:
    """Tell the scheduled post's author that target `target_id` ended failed or unconfirmed,
    with the cause. Once per attempt (the key carries it): a retried target that fails again
    is told again. Returns the number of people told."""
    target = PublishTarget.objects.select_related("post", "connection__account").get(pk=target_id)
    kind = _KINDS.get(target.state)
    if kind is None or target.post.created_by_id is None:
        return 0
    account = target.connection.account
    what = "could not be published" if kind == NotificationKind.PUBLISH_FAILED else "is unconfirmed"
    text = (
        f"“{target.post}” to @{account.username} ({target.connection.get_platform_display()}) "
        f"{what}: {target.error or target.error_class}"
    )
    return notify(
        [target.post.created_by_id],
        kind=kind,
        text=text,
        obj=target,
        key=f"publish:{target.pk}:{target.state}:{target.attempt}",
    )
