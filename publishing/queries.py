"""Reads of publishing: the derived post status, what a user may schedule to, due targets."""

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce

from settings_app.access import accounts_visible_to

from .choices import ACTIVE_STATES, WAITING_STATES, ConnectionStatus, PostStatus, TargetState
from .models import ScheduledPost, SocialConnection

SCHEDULE_PERMISSION = "publishing.add_scheduledpost"


def _count(condition: Q):
    return Coalesce(Count("targets", filter=condition), Value(0), output_field=IntegerField())


def with_status(qs: QuerySet[ScheduledPost]) -> QuerySet[ScheduledPost]:
    """Annotate each post with `status` (PostStatus), derived from its targets in the database:
    no target → draft; all cancelled → cancelled; every live target published → published;
    one being published, or some settled while others wait → publishing; all waiting →
    scheduled; some published and the rest failed or unconfirmed → partially published;
    else failed."""
    live = ~Q(targets__state=TargetState.CANCELLED)
    qs = qs.annotate(
        n_targets=_count(Q()),
        n_live=_count(live),
        n_published=_count(Q(targets__state=TargetState.PUBLISHED)),
        n_active=_count(Q(targets__state__in=ACTIVE_STATES)),
        n_waiting=_count(Q(targets__state__in=WAITING_STATES)),
    )
    return qs.annotate(
        status=Case(
            When(n_targets=0, then=Value(PostStatus.DRAFT)),
            When(n_live=0, then=Value(PostStatus.CANCELLED)),
            When(n_published=F("n_live"), then=Value(PostStatus.PUBLISHED)),
            When(n_active__gt=0, then=Value(PostStatus.PUBLISHING)),
            When(n_waiting=F("n_live"), then=Value(PostStatus.SCHEDULED)),
            When(n_waiting__gt=0, then=Value(PostStatus.PUBLISHING)),
            When(n_published__gt=0, then=Value(PostStatus.PARTIALLY_PUBLISHED)),
            default=Value(PostStatus.FAILED),
        )
    )


def scheduled_post_status(post: ScheduledPost) -> PostStatus:
    """The status of one post, read now from its targets."""
    status = with_status(ScheduledPost.objects.filter(pk=post.pk)).values_list("status", flat=True)
    return PostStatus(status.get())


def connections_schedulable_by(user, qs: QuerySet[SocialConnection] | None = None) -> QuerySet:
    """The connections `user` may schedule to: Owners and Managers every account, Editors the
    accounts they edit; Analysts and users without the permission none."""
    qs = SocialConnection.objects.all() if qs is None else qs
    if not (user and user.is_active and user.has_perm(SCHEDULE_PERMISSION)):
        return qs.none()
    return accounts_visible_to(user, qs, through="account__")


def scheduled_posts_visible_to(user, qs: QuerySet[ScheduledPost]) -> QuerySet[ScheduledPost]:
    """The posts of `qs` `user` may see: every post for who sees every account, else the
    posts with a target on one of their accounts, and their own."""
    if user and user.is_active and user.has_perm("creators.view_all_account"):
        return qs
    if not (user and user.is_authenticated):
        return qs.none()
    mine = accounts_visible_to(user, SocialConnection.objects.all(), through="account__")
    # A subquery, not a join: the status counts every target of the post, not only theirs.
    visible = ScheduledPost.objects.filter(
        Q(targets__connection__in=mine.values("pk")) | Q(created_by=user)
    )
    return qs.filter(pk__in=visible.values("pk"))


def connection_is_usable(connection: SocialConnection) -> bool:
    return connection.status == ConnectionStatus.CONNECTED
