from django.db import models


class Platform(models.TextChoices):
    INSTAGRAM = "instagram", "Instagram"
    TIKTOK = "tiktok", "TikTok"
    YOUTUBE = "youtube", "YouTube"


class BaseFormat(models.TextChoices):
    VIDEO = "video", "Video/Reels"
    SINGLE_PHOTO = "single_photo", "Single Photo"
    CAROUSEL = "carousel", "Carousel"


class ContentType(models.TextChoices):
    VIDEO_SHORT = "video_short", "Video – Short (9:16)"
    VIDEO_LONG = "video_long", "Video – Long (16:9)"
    PHOTO_SINGLE = "photo_single", "Photo – Single"
    CAROUSEL = "carousel", "Carousel – Image/Text"


class ReelStyle(models.TextChoices):
    TALKING_HEAD = "talking_head", "Talking Head"
    LIFESTYLE_BROLL = "lifestyle_broll", "Lifestyle/B-roll"
    HYBRID = "hybrid", "Hybrid"
    OTHER = "other", "Other"


class ProcessingStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    PROCESSING = "processing", "Processing"
    COMPLETED = "completed", "Completed"
    FAILED = "failed", "Failed"


class TrialStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class AccountType(models.TextChoices):
    MAIN = "main", "Main Account"
    CLIP_SIDE = "clip_side", "Clip / Side Account"
