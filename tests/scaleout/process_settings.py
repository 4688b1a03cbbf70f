"""Settings of the web (gunicorn) and worker (qcluster) processes the scale-out test starts: the
project's, configured by the environment the test gives them (database, Redis broker, the fake
servers' URLs, small rate limits and claim TTLs), with the real API providers in the chains (so
the production code path runs against the fakes), the cluster's queue named by
TEST_CLUSTER_NAME (parallel runs sharing one Redis never take each other's tasks), and the test
process's fast password hasher accepted too (its users sign in to these processes)."""

import os

from config.settings import *  # noqa: F403
from config.settings import Q_CLUSTER

# The real providers whose base URL the test points at its fake (YOUTUBE_API_BASE_URL).
PLATFORM_PROVIDERS = {"instagram": ["instagram_graph"], "tiktok": [], "youtube": ["youtube_api"]}
Q_CLUSTER = {**Q_CLUSTER, "name": os.environ["TEST_CLUSTER_NAME"]}
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.MD5PasswordHasher",
]
