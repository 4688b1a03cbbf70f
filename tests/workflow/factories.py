import factory
from django.utils import timezone

from tests.creators.factories import CreatorFactory
from tests.publishing.factories import MediaAssetFactory
from tests.settings_app.factories import ClientFactory
from workflow.choices import AssetKind
from workflow.models import Asset, Campaign, CaptionVersion, Comment, Deliverable


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    client = factory.SubFactory(ClientFactory)
    name = factory.Sequence(lambda n: f"Campaign {n}")
    platforms = ["instagram", "tiktok"]


class DeliverableFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Deliverable

    campaign = factory.SubFactory(CampaignFactory)
    creator = factory.SubFactory(CreatorFactory)
    platform = "instagram"
    kind = "reel"
    quantity = 1


def task_make(**kwargs):
    """A task through the service (its place at the end of the Backlog, its first move)."""
    from workflow.services.tasks import task_create

    kwargs.setdefault("creator", CreatorFactory())
    kwargs.setdefault("title", "A reel")
    kwargs.setdefault("platform", "instagram")
    return task_create(**kwargs)


def draft_add(task, *, user=None, kind=AssetKind.IMAGE, text="Caption v1"):
    """A submission's draft and a caption version (what Submit needs), written directly."""
    version = (task.assets.order_by("-version").values_list("version", flat=True).first() or 0) + 1
    Asset.objects.create(
        task=task, kind=kind, media=MediaAssetFactory(), version=version, submitted_by=user
    )
    number = (task.captions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    return CaptionVersion.objects.create(task=task, number=number, text=text, author=user)


def comment_make(task, *, author=None, body="Nice", visibility="shared"):
    return Comment.objects.create(task=task, author=author, body=body, visibility=visibility)


def later(**kwargs):
    return timezone.now() + timezone.timedelta(**kwargs)
