import factory
from django.utils import timezone

from operations.models import FailedItem, FailedItemKind, JobRun, JobStatus


class JobRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = JobRun

    job = "refresh_post_stats"
    started_at = factory.LazyFunction(timezone.now)
    heartbeat_at = factory.LazyAttribute(lambda run: run.started_at)
    finished_at = factory.LazyFunction(timezone.now)
    status = JobStatus.SUCCEEDED
    items_ok = 10


class FailedItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FailedItem

    kind = FailedItemKind.POST_REFRESH
    object_type = "posts.Post"
    object_id = factory.Sequence(str)
    object_label = factory.LazyAttribute(lambda f: f"https://www.instagram.com/p/P{f.object_id}/")
    error = "TemporaryError: 503"
    attempts = 5
