import hashlib
from datetime import timedelta

import factory
from django.utils import timezone

from publishing.choices import ConnectionMethod, MediaKind, TargetState
from publishing.models import (
    MediaAsset,
    PublishAttempt,
    PublishTarget,
    ScheduledPost,
    SocialConnection,
)
from tests.creators.factories import AccountFactory


class SocialConnectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SocialConnection

    account = factory.SubFactory(AccountFactory)
    platform = "instagram"
    method = ConnectionMethod.INSTAGRAM_LOGIN
    scopes = ["instagram_business_basic", "instagram_business_content_publish"]
    access_token = factory.Sequence(lambda n: f"token-{n}")
    token_expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=50))


def _bytes(n: int) -> bytes:
    return f"media-bytes-{n}".encode()


class MediaAssetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MediaAsset

    kind = MediaKind.IMAGE
    mime = "image/jpeg"
    size = factory.LazyAttribute(lambda a: len(_bytes(a.n)))
    width = 1080
    height = 1350
    checksum = factory.LazyAttribute(lambda a: hashlib.sha256(_bytes(a.n)).hexdigest())
    # A storage name only: factories write no file.
    file = factory.LazyAttribute(lambda a: f"publishing/{a.checksum[:2]}/{a.checksum}.jpg")

    class Params:
        n = factory.Sequence(lambda n: n)


class ScheduledPostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScheduledPost

    caption = factory.Sequence(lambda n: f"Caption {n}")
    scheduled_at = factory.LazyFunction(lambda: timezone.now() + timedelta(hours=1))
    timezone = "Europe/Berlin"


class PublishTargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PublishTarget

    post = factory.SubFactory(ScheduledPostFactory)
    connection = factory.SubFactory(SocialConnectionFactory)
    state = TargetState.SCHEDULED
    next_attempt_at = factory.LazyAttribute(lambda t: t.post.scheduled_at)


class PublishAttemptFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PublishAttempt

    target = factory.SubFactory(PublishTargetFactory)
    number = 1
    step = "publish"
    started_at = factory.LazyFunction(timezone.now)
    outcome = "retry"
    error_class = "ig_2207001"
    error = "Server error"
