"""The state machine's `Publisher` for each platform, on the clients of platforms/publishers/.

Each module maps the three steps of publishing/services/steps.py onto one platform's calls
(instagram.py, tiktok.py, youtube.py); common.py holds what they share: the translation of the
clients' typed errors (platforms.publishers.errors) into the state machine's outcomes, the
connection and token lookup, and `media_public_url`. Media are read through Django's storage
API; platforms that pull media (Instagram, TikTok photos) get MEDIA_PUBLIC_BASE_URL + the
file's storage name.
"""

from ..steps import Publisher
from .common import media_public_url, publish_error
from .instagram import InstagramSteps
from .tiktok import TikTokSteps
from .youtube import YouTubeSteps

__all__ = [
    "PUBLISHERS",
    "InstagramSteps",
    "TikTokSteps",
    "YouTubeSteps",
    "media_public_url",
    "platform_publisher",
    "publish_error",
]

# --- The factory the state machine gets ---------------------------------------------------------
PUBLISHERS: dict[str, type] = {
    "instagram": InstagramSteps,
    "tiktok": TikTokSteps,
    "youtube": YouTubeSteps,
}


def platform_publisher(platform: str) -> Publisher:
    """The `Publisher` of `platform` (the `publisher_for` of publishing_pass)."""
    return PUBLISHERS[platform]()
