"""Settings of the real `qcluster` the worker tests start (tests/operations/cluster.py): the
project's, with the slow fake as the only provider and the cluster's name (its queue) from
TEST_CLUSTER_NAME, so parallel test runs sharing one Redis never take each other's tasks."""

import os

from config.settings import *  # noqa: F403
from config.settings import Q_CLUSTER

PROVIDER_CLASSES = {"slow_fake": "tests.operations.fakes.SlowProvider"}
PLATFORM_PROVIDERS = {platform: ["slow_fake"] for platform in ("instagram", "tiktok", "youtube")}
Q_CLUSTER = {**Q_CLUSTER, "name": os.environ["TEST_CLUSTER_NAME"]}
