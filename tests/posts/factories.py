import factory
from django.utils import timezone

from posts.choices import Platform
from posts.models import Post, PostSnapshot


class PostFactory(factory.django.DjangoModelFactory):
    """A tracked Instagram post with a unique shortcode."""

    class Meta:
        model = Post

    platform = Platform.INSTAGRAM
    post_id = factory.Sequence(lambda n: f"Cpost{n:06d}")
    url = factory.LazyAttribute(lambda p: f"https://www.instagram.com/p/{p.post_id}/")
    username = ""
    added_date = factory.LazyFunction(timezone.now)


class PostSnapshotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PostSnapshot

    post = factory.SubFactory(PostFactory)
    captured_at = factory.LazyFunction(timezone.now)
    views = 1000
    likes = 100
    comments = 10
    shares = None
    source = "test"
