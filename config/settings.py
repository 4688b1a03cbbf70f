"""CreatorOps settings: everything comes from the environment (or a `.env` file)."""

import ipaddress
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# --- Core -------------------------------------------------------------------------------------
# PRODUCTION=true turns on every deploy safeguard and refuses an insecure secret key.
PRODUCTION = env.bool("PRODUCTION", default=False)
DEBUG = env.bool("DEBUG", default=not PRODUCTION)

_DEV_SECRET_KEY = "django-insecure-creatorops-development-key-do-not-use-in-production"
SECRET_KEY = env.str("SECRET_KEY", default=_DEV_SECRET_KEY)
if PRODUCTION:
    if DEBUG:
        raise ImproperlyConfigured("DEBUG must be off when PRODUCTION is on.")
    if (
        SECRET_KEY == _DEV_SECRET_KEY
        or SECRET_KEY.startswith("django-insecure")
        or len(set(SECRET_KEY)) < 5
        or len(SECRET_KEY) < 50
    ):
        raise ImproperlyConfigured(
            "PRODUCTION needs a real SECRET_KEY (50+ random characters), e.g. "
            '`python -c "import secrets; print(secrets.token_urlsafe(64))"`.'
        )

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=[] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "config.apps.CreatorOpsAdminConfig",  # django.contrib.admin, with the CreatorOps site
    "settings_app.apps.UsersAndRolesConfig",  # django.contrib.auth, as "Users & Roles"
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # Before django_q: core's `qcluster` command replaces django-q2's (a clean stop on SIGTERM).
    "core",
    "django_q",
    "notifications",
    "settings_app",
    "posts",
    "creators",
    "finance",
    "publishing",
    "workflow",
    "analytics",
    "operations",
]

MIDDLEWARE = [
    # X-Forwarded-Proto counts only from TRUSTED_PROXIES: dropped from any other peer first.
    "core.middleware.UntrustedProxyHeaderMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files are served by WhiteNoise in production, by runserver in development.
    *(["whitenoise.middleware.WhiteNoiseMiddleware"] if PRODUCTION else []),
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.middleware.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------------
# SQLite by default (zero setup); DATABASE_URL=postgres://… for PostgreSQL.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web server and worker write at the same time: WAL, immediate transactions and a busy
    # timeout keep SQLite from answering "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # Covering indexes (INCLUDE) are for PostgreSQL; SQLite builds them without the extra
    # columns, as intended, so its warning about it at every migrate says nothing.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth -------------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"
# Messages live in the server-side session: one of them carries a new API key, shown once,
# which must never travel in a cookie.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# --- Time -------------------------------------------------------------------------------------
# The agency's calendar: "this month", "last week" are taken in this zone. Storage is UTC.
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_TZ = True
LANGUAGE_CODE = "en-us"
USE_I18N = True

# --- Static files -----------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Uploaded media (publishing's library) on the default storage: local files by default.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
MEDIA_URL = env.str("MEDIA_URL", default="/media/")
# MEDIA_STORAGE=s3: the library on S3-compatible storage (pip install '.[s3]'), which also
# offers presigned direct uploads. The AWS_* names are django-storages' own.
MEDIA_STORAGE = env.str("MEDIA_STORAGE", default="local")
# Django itself serves MEDIA_URL from MEDIA_ROOT (local storage, development only).
SERVE_MEDIA = env.bool("SERVE_MEDIA", default=DEBUG) and MEDIA_STORAGE == "local"
if MEDIA_STORAGE not in ("local", "s3"):
    raise ImproperlyConfigured("MEDIA_STORAGE is `local` or `s3`.")
_DEFAULT_STORAGE: dict = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
if MEDIA_STORAGE == "s3":
    _DEFAULT_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("AWS_STORAGE_BUCKET_NAME"),
            "access_key": env.str("AWS_ACCESS_KEY_ID", default=None),
            "secret_key": env.str("AWS_SECRET_ACCESS_KEY", default=None),
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default=None),  # MinIO, R2…
            "region_name": env.str("AWS_S3_REGION_NAME", default=None),
            "addressing_style": env.str("AWS_S3_ADDRESSING_STYLE", default=None),  # "path"
            "location": env.str("AWS_LOCATION", default=""),  # a prefix inside the bucket
            "default_acl": None,  # private objects: read through presigned URLs
            "file_overwrite": False,
            "querystring_auth": True,
            "signature_version": "s3v4",  # presigned URLs of every region and of R2, MinIO
        },
    }
STORAGES = {
    "default": _DEFAULT_STORAGE,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- Security (production) --------------------------------------------------------------------
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- REST API ---------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "settings_app.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["core.api.permissions.IsStaffOrApiKey"],
    # Search and ordering live in each model's FilterSet, shared with the admin.
    "DEFAULT_FILTER_BACKENDS": [
        "core.api.filters.CheckedFilterBackend",
    ],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "core.api.schema.CreatorOpsAutoSchema",
    "EXCEPTION_HANDLER": "core.api.errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # JSON refused (400) when nested too deeply or holding text no database stores.
    # JSON only: one typed format for every client, checked once (core.api.parsers).
    "DEFAULT_PARSER_CLASSES": ["core.api.parsers.JSONParser"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "CreatorOps API",
    "DESCRIPTION": "Posts, accounts, trial reels, metrics and settings of the agency.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # The schema maps every endpoint and field: only signed-in staff and API keys read it.
    "SERVE_PERMISSIONS": ["core.api.permissions.IsStaffOrApiKey"],
    # One name per choice set used by several fields.
    "ENUM_NAME_OVERRIDES": {
        "NotificationKindEnum": "notifications.choices.NotificationKind",
        "PlatformEnum": "posts.choices.Platform",
        "ColumnEnum": "workflow.choices.Column",
        "AssetKindEnum": "workflow.choices.AssetKind",
        "DeliverableKindEnum": "workflow.choices.DeliverableKind",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.api.schema.document_error_responses",
    ],
}

# --- Security: roles, API keys, throttles, lockout, encryption, headers ------------------------
# Roles are groups (settings_app/roles.py); rows are scoped by settings_app/access.py.
# Throttle and lockout counters live in the database (core.counters). The cache is shared too:
# the database by default (its table is created by `migrate`), or redis://… (pip install
# '.[redis]'); a per-process locmemcache:// is for development only.
CACHES = {"default": env.cache("CACHE_URL", default="dbcache://creatorops_cache")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    try:
        import redis  # noqa: F401
    except ImportError as error:
        # Django imports it at the first cache access: every request would fail with a 500.
        raise ImproperlyConfigured(
            "CACHE_URL is a Redis URL but the redis package is not installed: "
            "pip install '.[redis]' (or use the default database cache)."
        ) from error
# How long an API key, its user and their permissions stay cached (settings_app.services:
# api_key_cached); any change to a key, user or role makes every cached key stale at once.
API_KEY_CACHE_SECONDS = env.int("API_KEY_CACHE_SECONDS", default=60)
# Each web process may also keep its own copy of a key this many seconds, which saves the cache
# read of every request but delays a change made on another process (revoking, deactivating,
# a role) by up to as long there; the process that made it applies it at once. 0: no copies,
# every change applies to the next request everywhere.
API_KEY_PROCESS_SECONDS = env.int("API_KEY_PROCESS_SECONDS", default=0)
# Proxies whose X-Forwarded-For is believed (IPs or CIDR networks, comma-separated), e.g. the
# load balancer's "10.0.0.0/8". Empty: none, the peer's address is the client's.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError as error:
        raise ImproperlyConfigured(
            f"TRUSTED_PROXIES: {_proxy!r} is not an IP address or network."
        ) from error
# Requests per key (API keys) and per signed-in user (sessions): "<n>/<second|minute|hour|day>".
REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] = [
    "settings_app.throttling.ApiKeyRateThrottle",
    "settings_app.throttling.SessionUserRateThrottle",
]
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {
    "api_key": env.str("API_THROTTLE_KEY_RATE", default="1200/minute"),
    "user": env.str("API_THROTTLE_USER_RATE", default="600/minute"),
}
# N failed admin logins of one username (from any address) within M minutes lock that username,
# and A failed logins from one address (any usernames) lock that address, until M minutes after
# the first failure.
LOGIN_LOCKOUT_FAILURES = env.int("LOGIN_LOCKOUT_FAILURES", default=5)
LOGIN_LOCKOUT_ADDRESS_FAILURES = env.int("LOGIN_LOCKOUT_ADDRESS_FAILURES", default=20)
LOGIN_LOCKOUT_MINUTES = env.int("LOGIN_LOCKOUT_MINUTES", default=15)
# Fernet keys for secrets stored in the database (core.fields.EncryptedTextField), comma-
# separated: the first encrypts, all decrypt (rotation: prepend a new key, then run
# `manage.py rotate_encryption_key`, then drop the old one). Without a key, storing or
# reading an encrypted secret fails with a clear error.
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[])
# Size caps: a request body (JSON, forms, bulk URL lists) and an upload held in memory.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=5 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = env.int("FILE_UPLOAD_MAX_MEMORY_SIZE", default=5 * 1024 * 1024)
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# Thumbnails come from the platforms' CDNs (https); no inline scripts anywhere.
CONTENT_SECURITY_POLICY = env.str(
    "CONTENT_SECURITY_POLICY",
    default="default-src 'self'; img-src 'self' data: https:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; "
    "form-action 'self'; "
    # The trial board's video previews: the platforms' embeddable players only.
    "frame-src https://www.youtube-nocookie.com https://www.tiktok.com https://www.instagram.com",
)

# --- Jobs (django-q2) -------------------------------------------------------------------------
# timeout < retry so a slow task is killed before it is handed out again; finite attempts.
Q_CLUSTER = {
    "name": "creatorops",
    "workers": env.int("Q_WORKERS", default=2),
    "timeout": env.int("Q_TIMEOUT", default=600),
    "retry": env.int("Q_RETRY", default=720),
    "max_attempts": env.int("Q_MAX_ATTEMPTS", default=3),
    "catch_up": False,
    "save_limit": 1000,
    # Per task function: the every-minute heartbeat must not push the other jobs' results out.
    "save_limit_per": "func",
    "ack_failures": True,
    "label": "Jobs",
}
if env.str("REDIS_URL", default=""):
    Q_CLUSTER["redis"] = env.str("REDIS_URL")
else:
    Q_CLUSTER["orm"] = "default"
if Q_CLUSTER["timeout"] >= Q_CLUSTER["retry"]:
    raise ImproperlyConfigured("Q_TIMEOUT must be lower than Q_RETRY.")

# --- Logging ----------------------------------------------------------------------------------
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
# text: human-readable lines; json: one JSON object per line (core.logging.JsonFormatter), with
# the fields of each job run (job, status, duration_s, items) and provider error (provider, error).
LOG_FORMAT = env.str("LOG_FORMAT", default="text")
if LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured("LOG_FORMAT must be text or json.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        "json": {"()": "core.logging.JsonFormatter"},
    },
    "filters": {"permission_denied_one_line": {"()": "core.logging.PermissionDeniedOneLine"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"django.request": {"filters": ["permission_denied_one_line"]}},
}

# --- Platforms: providers per platform, in the order they are asked -------------------------
PROVIDER_CLASSES = {
    "youtube_api": "platforms.providers.youtube_api.YouTubeAPIProvider",
    "instagram_graph": "platforms.providers.instagram_graph.InstagramGraphProvider",
    "apify": "platforms.providers.apify.ApifyProvider",
    "ytdlp": "platforms.providers.ytdlp.YtDlpProvider",
}
# A provider without credentials is skipped, so the defaults work with any set of keys.
PLATFORM_PROVIDERS = {
    "instagram": env.list("PROVIDERS_INSTAGRAM", default=["apify", "instagram_graph", "ytdlp"]),
    "tiktok": env.list("PROVIDERS_TIKTOK", default=["apify", "ytdlp"]),
    "youtube": env.list("PROVIDERS_YOUTUBE", default=["youtube_api", "ytdlp"]),
}
# Credentials. Empty: the provider is not configured.
YOUTUBE_API_KEY = env.str("YOUTUBE_API_KEY", default="")
INSTAGRAM_GRAPH_TOKEN = env.str("INSTAGRAM_GRAPH_TOKEN", default="")
INSTAGRAM_GRAPH_USER_ID = env.str("INSTAGRAM_GRAPH_USER_ID", default="")
APIFY_TOKEN = env.str("APIFY_TOKEN", default="")
# API hosts. Their hosts (plus the platforms' own) are the only ones ever requested.
YOUTUBE_API_BASE_URL = env.str(
    "YOUTUBE_API_BASE_URL", default="https://www.googleapis.com/youtube/v3"
)
GRAPH_API_BASE_URL = env.str("GRAPH_API_BASE_URL", default="https://graph.facebook.com/v21.0")
APIFY_BASE_URL = env.str("APIFY_BASE_URL", default="https://api.apify.com/v2")
# Apify actors (owner~name) and how many post URLs go to one actor run.
APIFY_INSTAGRAM_ACTOR = env.str("APIFY_INSTAGRAM_ACTOR", default="apify~instagram-scraper")
APIFY_INSTAGRAM_PROFILE_ACTOR = env.str(
    "APIFY_INSTAGRAM_PROFILE_ACTOR", default="apify~instagram-profile-scraper"
)
APIFY_TIKTOK_ACTOR = env.str("APIFY_TIKTOK_ACTOR", default="clockworks~tiktok-scraper")
APIFY_BATCH_SIZE = env.int("APIFY_BATCH_SIZE", default=50)
# Instagram Graph fetches a post through its author's media list: how many recent posts to scan.
INSTAGRAM_GRAPH_MEDIA_SCAN = env.int("INSTAGRAM_GRAPH_MEDIA_SCAN", default=100)
# Outbound HTTP: connect and read timeouts (seconds), retries of 5xx and network errors, and the
# first backoff (doubled each retry, with jitter).
PROVIDER_CONNECT_TIMEOUT_S = env.float("PROVIDER_CONNECT_TIMEOUT_S", default=5.0)
PROVIDER_READ_TIMEOUT_S = env.float("PROVIDER_READ_TIMEOUT_S", default=30.0)
# An Apify run-sync call waits for the actor to finish (Apify caps it at 300 s).
APIFY_READ_TIMEOUT_S = env.float("APIFY_READ_TIMEOUT_S", default=310.0)
PROVIDER_RETRIES = env.int("PROVIDER_RETRIES", default=2)
PROVIDER_RETRY_BACKOFF_S = env.float("PROVIDER_RETRY_BACKOFF_S", default=1.0)
# yt-dlp's own socket timeout (seconds).
YTDLP_SOCKET_TIMEOUT_S = env.float("YTDLP_SOCKET_TIMEOUT_S", default=20.0)
# Rate limits shared by all workers (database): calls per window of seconds, and daily quota
# units (YouTube: 10 000 a day, reset at midnight Pacific time). 0 means no daily quota.
PROVIDER_RATE_LIMITS = {
    "youtube_api": {
        "calls": env.int("YOUTUBE_API_CALLS_PER_WINDOW", default=100),
        "window_s": env.int("YOUTUBE_API_WINDOW_S", default=60),
        "daily_quota": env.int("YOUTUBE_API_DAILY_QUOTA", default=10000),
    },
    "instagram_graph": {
        "calls": env.int("INSTAGRAM_GRAPH_CALLS_PER_WINDOW", default=150),
        "window_s": env.int("INSTAGRAM_GRAPH_WINDOW_S", default=3600),
        "daily_quota": 0,
    },
    "apify": {
        "calls": env.int("APIFY_CALLS_PER_WINDOW", default=30),
        "window_s": env.int("APIFY_WINDOW_S", default=60),
        "daily_quota": 0,
    },
    "ytdlp": {
        "calls": env.int("YTDLP_CALLS_PER_WINDOW", default=20),
        "window_s": env.int("YTDLP_WINDOW_S", default=60),
        "daily_quota": 0,
    },
}
# A 429 without Retry-After pauses its provider this long.
PROVIDER_DEFAULT_PAUSE_S = env.int("PROVIDER_DEFAULT_PAUSE_S", default=60)
# Google resets the YouTube quota at midnight Pacific time.
PROVIDER_QUOTA_TIME_ZONE = env.str("PROVIDER_QUOTA_TIME_ZONE", default="America/Los_Angeles")

# --- Refresh cadence / jobs -------------------------------------------------------------------
# How often a post's stats are refreshed, by its age: (age under N days, every M minutes); older
# posts take REFRESH_OLDER_MINUTES. Pending trial reels: every REFRESH_TRIAL_MINUTES for their
# first REFRESH_TRIAL_DAYS days.
REFRESH_CADENCE = [
    (1, env.int("REFRESH_UNDER_1D_MINUTES", default=60)),
    (7, env.int("REFRESH_UNDER_7D_MINUTES", default=6 * 60)),
    (30, env.int("REFRESH_UNDER_30D_MINUTES", default=24 * 60)),
    (90, env.int("REFRESH_UNDER_90D_MINUTES", default=7 * 24 * 60)),
]
REFRESH_OLDER_MINUTES = env.int("REFRESH_OLDER_MINUTES", default=30 * 24 * 60)
REFRESH_TRIAL_MINUTES = env.int("REFRESH_TRIAL_MINUTES", default=60)
REFRESH_TRIAL_DAYS = env.int("REFRESH_TRIAL_DAYS", default=3)
# Posts (accounts) claimed and fetched together; a claim not released within the TTL (a worker
# died) expires and the work is taken again.
REFRESH_BATCH_SIZE = env.int("REFRESH_BATCH_SIZE", default=200)
ACCOUNT_REFRESH_BATCH_SIZE = env.int("ACCOUNT_REFRESH_BATCH_SIZE", default=20)
REFRESH_CLAIM_TTL_SECONDS = env.int("REFRESH_CLAIM_TTL_SECONDS", default=15 * 60)
# Failed fetches back off exponentially (base * 2^(failures-1), capped); after
# REFRESH_MAX_FAILURES in a row the item is also a dead letter (operations.FailedItem).
REFRESH_BACKOFF_SECONDS = env.int("REFRESH_BACKOFF_SECONDS", default=5 * 60)
REFRESH_BACKOFF_MAX_SECONDS = env.int("REFRESH_BACKOFF_MAX_SECONDS", default=24 * 60 * 60)
REFRESH_MAX_FAILURES = env.int("REFRESH_MAX_FAILURES", default=5)
# One job pass stops taking new batches after this long (must stay under Q_TIMEOUT).
JOB_PASS_SECONDS = env.int("JOB_PASS_SECONDS", default=int(Q_CLUSTER["timeout"] * 0.8))
ACCOUNT_REFRESH_HOURS = env.int("ACCOUNT_REFRESH_HOURS", default=24)
# Snapshots are all kept this many days; older ones are thinned to each local day's last
# (the `thin_snapshots` job), which leaves every day-resolution figure unchanged.
SNAPSHOT_FULL_DAYS = env.int("SNAPSHOT_FULL_DAYS", default=90)
DETECT_RECENT_POSTS_LIMIT = env.int("DETECT_RECENT_POSTS_LIMIT", default=30)
# New-post detection runs every 30 minutes; an account looked at less than this ago is skipped.
DETECT_MIN_INTERVAL_MINUTES = env.int("DETECT_MIN_INTERVAL_MINUTES", default=20)
if Q_CLUSTER["timeout"] <= JOB_PASS_SECONDS:
    raise ImproperlyConfigured("JOB_PASS_SECONDS must be lower than Q_TIMEOUT.")
# A run silent this long (no batch recorded) is abandoned: its worker died, and with Redis its
# task is gone. The `recover_abandoned_runs` job (every minute) closes it as failed and queues
# its job again. Longer than Q_TIMEOUT (no live task runs longer) and than the claims' TTL (the
# new run finds the dead run's items free again).
JOB_LEASE_SECONDS = env.int(
    "JOB_LEASE_SECONDS", default=max(Q_CLUSTER["timeout"], REFRESH_CLAIM_TTL_SECONDS) + 60
)
if max(Q_CLUSTER["timeout"] + 1, REFRESH_CLAIM_TTL_SECONDS) > JOB_LEASE_SECONDS:
    raise ImproperlyConfigured(
        "JOB_LEASE_SECONDS must be longer than Q_TIMEOUT and than REFRESH_CLAIM_TTL_SECONDS."
    )

# --- Publishing (specs/publishing.md §4) ------------------------------------------------------
# A claimed target is its worker's for this long; past it, the worker is taken for dead and the
# target goes to reconciliation. Longer than the platform clients' timeouts.
PUBLISH_LEASE_SECONDS = env.int("PUBLISH_LEASE_SECONDS", default=10 * 60)
# Retryable failures before the commit: backoff base * 2^(n-1), capped; then failed.
PUBLISH_BACKOFF_SECONDS = env.int("PUBLISH_BACKOFF_SECONDS", default=60)
PUBLISH_BACKOFF_MAX_SECONDS = env.int("PUBLISH_BACKOFF_MAX_SECONDS", default=60 * 60)
PUBLISH_MAX_RETRIES = env.int("PUBLISH_MAX_RETRIES", default=5)
# After a commit whose outcome is unknown: look again every PUBLISH_RECONCILE_SECONDS; still
# unknown this long after the commit started, the target is `unconfirmed` (never re-posted).
PUBLISH_RECONCILE_SECONDS = env.int("PUBLISH_RECONCILE_SECONDS", default=60)
PUBLISH_UNCONFIRMED_AFTER_SECONDS = env.int("PUBLISH_UNCONFIRMED_AFTER_SECONDS", default=6 * 3600)
PUBLISH_BATCH_SIZE = env.int("PUBLISH_BATCH_SIZE", default=50)
# A publishing pass keeps claiming batches while they come back full, for at most this long
# (the job runs every minute: a backlog is drained by one pass, not 50 targets a minute).
PUBLISH_PASS_SECONDS = env.int("PUBLISH_PASS_SECONDS", default=50)
# Targets of different connections published at once by one worker (threads, each with its
# own database connection): a publish mostly waits for the platform. 1: one after another.
PUBLISH_CONCURRENCY = env.int("PUBLISH_CONCURRENCY", default=4)
# The platforms' publishing APIs (platforms.publishers); override for a proxy or the test fakes.
# The Graph URLs carry the API version.
INSTAGRAM_PUBLISH_BASE_URL = env.str(
    "INSTAGRAM_PUBLISH_BASE_URL", default="https://graph.instagram.com/v21.0"
)
FACEBOOK_PUBLISH_BASE_URL = env.str(
    "FACEBOOK_PUBLISH_BASE_URL", default="https://graph.facebook.com/v21.0"
)
TIKTOK_API_BASE_URL = env.str("TIKTOK_API_BASE_URL", default="https://open.tiktokapis.com")
YOUTUBE_UPLOAD_BASE_URL = env.str("YOUTUBE_UPLOAD_BASE_URL", default="https://www.googleapis.com")
# --- Publishing connections: OAuth (specs/publishing.md §1; README "Publishing: connecting
# accounts"). Callbacks: OAUTH_REDIRECT_BASE_URL + /admin/publishing/socialconnection/oauth/<method>/callback/
# (method: instagram_login, facebook_login, tiktok, google). Empty credentials: that Connect
# button says what to set.
OAUTH_REDIRECT_BASE_URL = env.str("OAUTH_REDIRECT_BASE_URL", default="")
INSTAGRAM_APP_ID = env.str("INSTAGRAM_APP_ID", default="")
INSTAGRAM_APP_SECRET = env.str("INSTAGRAM_APP_SECRET", default="")
FACEBOOK_APP_ID = env.str("FACEBOOK_APP_ID", default="")
FACEBOOK_APP_SECRET = env.str("FACEBOOK_APP_SECRET", default="")
TIKTOK_CLIENT_KEY = env.str("TIKTOK_CLIENT_KEY", default="")
TIKTOK_CLIENT_SECRET = env.str("TIKTOK_CLIENT_SECRET", default="")
GOOGLE_CLIENT_ID = env.str("GOOGLE_CLIENT_ID", default="")
GOOGLE_CLIENT_SECRET = env.str("GOOGLE_CLIENT_SECRET", default="")
# The platforms' OAuth endpoints (override for a proxy or the test fakes). Facebook's token
# calls use FACEBOOK_PUBLISH_BASE_URL, TikTok's TIKTOK_API_BASE_URL.
OAUTH_INSTAGRAM_AUTHORIZE_URL = env.str(
    "OAUTH_INSTAGRAM_AUTHORIZE_URL", default="https://www.instagram.com/oauth/authorize"
)
OAUTH_INSTAGRAM_TOKEN_URL = env.str(
    "OAUTH_INSTAGRAM_TOKEN_URL", default="https://api.instagram.com/oauth/access_token"
)
OAUTH_INSTAGRAM_GRAPH_URL = env.str(
    "OAUTH_INSTAGRAM_GRAPH_URL", default="https://graph.instagram.com"
)
OAUTH_FACEBOOK_AUTHORIZE_URL = env.str(
    "OAUTH_FACEBOOK_AUTHORIZE_URL", default="https://www.facebook.com/v21.0/dialog/oauth"
)
OAUTH_TIKTOK_AUTHORIZE_URL = env.str(
    "OAUTH_TIKTOK_AUTHORIZE_URL", default="https://www.tiktok.com/v2/auth/authorize/"
)
OAUTH_GOOGLE_AUTHORIZE_URL = env.str(
    "OAUTH_GOOGLE_AUTHORIZE_URL", default="https://accounts.google.com/o/oauth2/v2/auth"
)
OAUTH_GOOGLE_TOKEN_URL = env.str(
    "OAUTH_GOOGLE_TOKEN_URL", default="https://oauth2.googleapis.com/token"
)
# A started authorization must come back within this many seconds (its state is single-use).
OAUTH_STATE_TTL_SECONDS = env.int("OAUTH_STATE_TTL_SECONDS", default=15 * 60)
# Instagram (and TikTok photos) pull media from MEDIA_PUBLIC_BASE_URL + the file's storage name:
# a public HTTPS prefix serving MEDIA_ROOT with no redirect. Empty: such posts fail with why.
MEDIA_PUBLIC_BASE_URL = env.str("MEDIA_PUBLIC_BASE_URL", default="")
# With S3 storage and no MEDIA_PUBLIC_BASE_URL, platforms pull a presigned GET URL valid this
# long (Instagram wants the media reachable for 24 h).
MEDIA_PUBLIC_URL_SECONDS = env.int("MEDIA_PUBLIC_URL_SECONDS", default=24 * 3600)
# The media library (§2): size caps of an upload, and how long a presigned direct upload may
# wait for its confirmation before the cleanup job removes it.
MEDIA_MAX_IMAGE_BYTES = env.int("MEDIA_MAX_IMAGE_BYTES", default=30 * 1024 * 1024)
MEDIA_MAX_VIDEO_BYTES = env.int("MEDIA_MAX_VIDEO_BYTES", default=1024 * 1024 * 1024)
MEDIA_UPLOAD_EXPIRY_SECONDS = env.int("MEDIA_UPLOAD_EXPIRY_SECONDS", default=3600)
# An IG container still IN_PROGRESS after these looks makes the attempt retry later (its
# container is kept), so one worker never sleeps minutes on one target.
PUBLISH_CONTAINER_POLLS = env.int("PUBLISH_CONTAINER_POLLS", default=3)
PUBLISH_CONTAINER_POLL_SECONDS = env.float("PUBLISH_CONTAINER_POLL_SECONDS", default=10.0)
# Upload chunk sizes: TikTok 5-64 MB; YouTube a multiple of 256 KiB.
PUBLISH_TIKTOK_CHUNK_BYTES = env.int("PUBLISH_TIKTOK_CHUNK_BYTES", default=10_000_000)
PUBLISH_YOUTUBE_CHUNK_BYTES = env.int("PUBLISH_YOUTUBE_CHUNK_BYTES", default=8 * 1024 * 1024)
# A target due this long ago and still not claimed means the publisher is not running: the
# sweep reports it in operations.
PUBLISH_MISSED_AFTER_MINUTES = env.int("PUBLISH_MISSED_AFTER_MINUTES", default=10)
# --- Scheduling: options, queue, quotas, CSV import (specs/publishing.md §3, §5) ----------
# TikTok's creator_info (privacy levels offered) is cached this long at scheduling time.
PUBLISH_CREATOR_INFO_CACHE_SECONDS = env.int("PUBLISH_CREATOR_INFO_CACHE_SECONDS", default=300)
# Daily budgets of the scheduling API and calendar: Instagram posts per 24 h (unless the last
# content_publishing_limit read says otherwise) and a conservative TikTok cap per creator;
# YouTube's is the project's uploads a day (PUBLISH_YOUTUBE_UPLOADS_PER_DAY, below).
PUBLISH_INSTAGRAM_DAILY_POSTS = env.int("PUBLISH_INSTAGRAM_DAILY_POSTS", default=100)
PUBLISH_TIKTOK_DAILY_POSTS = env.int("PUBLISH_TIKTOK_DAILY_POSTS", default=15)
# "Add to queue" looks this many days ahead for a free posting slot.
PUBLISH_QUEUE_HORIZON_DAYS = env.int("PUBLISH_QUEUE_HORIZON_DAYS", default=56)
# A CSV import: at most this many rows and bytes.
PUBLISH_IMPORT_MAX_ROWS = env.int("PUBLISH_IMPORT_MAX_ROWS", default=500)
PUBLISH_IMPORT_MAX_BYTES = env.int("PUBLISH_IMPORT_MAX_BYTES", default=2 * 1024 * 1024)
# The publishers' shared rate limits (publishing/services/limits.py): TikTok's per access token
# (per minute), YouTube's uploads per project per day (the day in PROVIDER_QUOTA_TIME_ZONE).
PUBLISH_TIKTOK_INIT_PER_MINUTE = env.int("PUBLISH_TIKTOK_INIT_PER_MINUTE", default=6)
PUBLISH_TIKTOK_STATUS_PER_MINUTE = env.int("PUBLISH_TIKTOK_STATUS_PER_MINUTE", default=30)
PUBLISH_TIKTOK_CREATOR_INFO_PER_MINUTE = env.int(
    "PUBLISH_TIKTOK_CREATOR_INFO_PER_MINUTE", default=20
)
# A published target whose tracked posts.Post could not be created is tried again after this
# (doubling), up to PUBLISH_TRACK_MAX_TRIES failures.
PUBLISH_TRACK_RETRY_SECONDS = env.int("PUBLISH_TRACK_RETRY_SECONDS", default=300)
PUBLISH_TRACK_MAX_TRIES = env.int("PUBLISH_TRACK_MAX_TRIES", default=5)
PUBLISH_YOUTUBE_UPLOADS_PER_DAY = env.int("PUBLISH_YOUTUBE_UPLOADS_PER_DAY", default=100)
PUBLISH_RATE_LIMITS = {
    "tiktok.init": {"calls": PUBLISH_TIKTOK_INIT_PER_MINUTE, "window_s": 60},
    "tiktok.status": {"calls": PUBLISH_TIKTOK_STATUS_PER_MINUTE, "window_s": 60},
    "tiktok.creator_info": {"calls": PUBLISH_TIKTOK_CREATOR_INFO_PER_MINUTE, "window_s": 60},
    "youtube.uploads": {"daily_quota": PUBLISH_YOUTUBE_UPLOADS_PER_DAY},
}
if PUBLISH_LEASE_SECONDS <= 60:
    raise ImproperlyConfigured("PUBLISH_LEASE_SECONDS must be longer than a minute.")

# --- AI classification (specs/ai.md) ---------------------------------------------------------
# Empty key: nothing is classified, posts stay pending and operations says why. Any
# OpenAI-compatible server works through OPENAI_BASE_URL (Ollama, vLLM: any non-empty key).
OPENAI_API_KEY = env.str("OPENAI_API_KEY", default="")
OPENAI_BASE_URL = env.str("OPENAI_BASE_URL", default="")  # empty: the official API
# Small, cheap, with structured outputs and image input, and no reasoning tokens to pay for.
OPENAI_MODEL = env.str("OPENAI_MODEL", default="gpt-4o-mini")
AI_TIMEOUT_S = env.float("AI_TIMEOUT_S", default=30.0)
# Calls of one post (timeouts, 429, 5xx) before it is failed and a dead letter; an invalid
# answer is retried once within the call, then fails the post at once.
AI_MAX_ATTEMPTS = env.int("AI_MAX_ATTEMPTS", default=3)
# A post in `processing` longer than this (its worker died) is taken again by the next run.
AI_PROCESSING_TIMEOUT_MINUTES = env.int("AI_PROCESSING_TIMEOUT_MINUTES", default=15)
AI_CONCURRENCY = env.int("AI_CONCURRENCY", default=4)  # requests in flight per worker
AI_BATCH_SIZE = env.int("AI_BATCH_SIZE", default=50)  # posts claimed at a time
AI_USE_IMAGES = env.bool("AI_USE_IMAGES", default=False)  # send the thumbnail (low detail)
AI_TEXT_BUDGET_CHARS = env.int("AI_TEXT_BUDGET_CHARS", default=2000)  # caption + title + bio
# A post is classified once its first stats refresh brought its caption and format, or after
# this long without one.
AI_WAIT_FOR_STATS_MINUTES = env.int("AI_WAIT_FOR_STATS_MINUTES", default=60)
# USD per 1M tokens, for the cost shown by `manage.py classify`: gpt-4o-mini's list price
# (openai.com/api/pricing). Change them with OPENAI_MODEL.
AI_PRICE_INPUT_PER_1M = env.float("AI_PRICE_INPUT_PER_1M", default=0.15)
AI_PRICE_OUTPUT_PER_1M = env.float("AI_PRICE_OUTPUT_PER_1M", default=0.60)
# The openai client's HTTP library logs every request at INFO: one line per post is noise.
LOGGING["loggers"] = {**LOGGING.get("loggers", {}), "httpx2": {"level": "WARNING"}}
if Q_CLUSTER["timeout"] >= AI_PROCESSING_TIMEOUT_MINUTES * 60:
    # A post would be taken back while the job that holds it still runs.
    raise ImproperlyConfigured("AI_PROCESSING_TIMEOUT_MINUTES must be longer than Q_TIMEOUT.")

# --- Operations / alerts ----------------------------------------------------------------------
# Health: the worker is "down" when the heartbeat job has not run for this long; a job is late
# when its schedule is overdue by more than JOB_LATE_GRACE_MINUTES; a post is overdue when its
# refresh is due for more than FRESHNESS_GRACE_MINUTES.
HEALTH_WORKER_STALE_SECONDS = env.int("HEALTH_WORKER_STALE_SECONDS", default=300)
JOB_LATE_GRACE_MINUTES = env.int("JOB_LATE_GRACE_MINUTES", default=15)
FRESHNESS_GRACE_MINUTES = env.int("FRESHNESS_GRACE_MINUTES", default=60)
# Alerts go by e-mail (Django's EMAIL_* settings) and/or to a Slack incoming webhook; both
# empty: silent. Each alert is sent once when its condition appears, again only after it cleared.
ALERT_EMAILS = env.list("ALERT_EMAILS", default=[])
if "EMAIL_URL" in env:  # e.g. smtp+tls://user:password@smtp.example.com:587
    vars().update(env.email_url("EMAIL_URL"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="creatorops@localhost")

# --- Reports (analytics.reports) ----------------------------------------------------------------
# The branding of the PDF reports: the agency's name and the path of its logo (PNG, JPEG or SVG
# on this machine; empty: the name alone).
AGENCY_NAME = env.str("AGENCY_NAME", default="CreatorOps")
AGENCY_LOGO = env.str("AGENCY_LOGO", default="")
# Posts shown in a report's "top posts"; a thumbnail larger than this is left out.
REPORT_TOP_POSTS = env.int("REPORT_TOP_POSTS", default=10)
REPORT_THUMBNAIL_MAX_BYTES = env.int("REPORT_THUMBNAIL_MAX_BYTES", default=1_000_000)
# A render still "generating" after this long (its worker died) may be claimed again.
REPORT_RENDER_STALE_SECONDS = env.int("REPORT_RENDER_STALE_SECONDS", default=900)
SLACK_WEBHOOK_URL = env.str("SLACK_WEBHOOK_URL", default="")
# People's notifications (notifications app): links in e-mails start with SITE_URL; a person's
# own Slack webhook may only point at these hosts (it is user input).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
NOTIFICATION_WEBHOOK_HOSTS = env.list("NOTIFICATION_WEBHOOK_HOSTS", default=["hooks.slack.com"])
NOTIFICATION_MAX_ATTEMPTS = env.int("NOTIFICATION_MAX_ATTEMPTS", default=5)
ALERT_DEAD_LETTER_THRESHOLD = env.int("ALERT_DEAD_LETTER_THRESHOLD", default=50)  # per kind
ALERT_PROVIDER_PAUSE_MINUTES = env.int("ALERT_PROVIDER_PAUSE_MINUTES", default=60)
ALERT_AI_FAILURES_THRESHOLD = env.int("ALERT_AI_FAILURES_THRESHOLD", default=3)  # runs in a row
# A platform's refreshes (posts and profiles) failing more than this share over the last hour.
ALERT_SYNC_FAILURE_RATE = env.float("ALERT_SYNC_FAILURE_RATE", default=0.05)
# Dead letters replayed at once from the admin; beyond, they wait for their job's next run.
REPLAY_NOW_MAX = env.int("REPLAY_NOW_MAX", default=50)

# --- Product settings -------------------------------------------------------------------------
DEFAULT_CURRENCY = env.str("DEFAULT_CURRENCY", default="USD")
API_BULK_MAX_URLS = env.int("API_BULK_MAX_URLS", default=10000)

# --- Analytics: best time to post, audience (issue 20) ----------------------------------------
# Views gained in a post's first N hours, by local weekday x hour of posting; a cell backed by
# fewer posts says "too few posts".
BEST_TIME_WINDOW_HOURS = env.int("BEST_TIME_WINDOW_HOURS", default=24)
BEST_TIME_MIN_POSTS = env.int("BEST_TIME_MIN_POSTS", default=3)
# Audience demographics of connected YouTube channels (YouTube Analytics API v2).
YOUTUBE_ANALYTICS_BASE_URL = env.str(
    "YOUTUBE_ANALYTICS_BASE_URL", default="https://youtubeanalytics.googleapis.com"
)
# Days of views the YouTube Analytics audience covers (its reports need a date range).
AUDIENCE_YOUTUBE_DAYS = env.int("AUDIENCE_YOUTUBE_DAYS", default=28)
