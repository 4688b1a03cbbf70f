"""The roles' publishing permissions, installed by the data migration: Managers and Owners
schedule for every account, Editors for theirs, Analysts read, Finance nothing."""

import pytest
from django.contrib.auth.models import Group

pytestmark = pytest.mark.django_db


def perms(role: str) -> set[str]:
    group = Group.objects.get(name=role)
    return set(
        group.permissions.filter(content_type__app_label="publishing").values_list(
            "codename", flat=True
        )
    )


def test_managers_and_owners_may_schedule_and_analysts_only_read():
    assert {"add_scheduledpost", "change_scheduledpost", "change_publishtarget"} <= perms("Owner")
    assert {"add_scheduledpost", "change_scheduledpost", "change_publishtarget"} <= perms("Manager")
    assert {"add_scheduledpost", "change_scheduledpost", "view_publishattempt"} <= perms("Editor")
    assert "change_socialconnection" not in perms("Editor")
    assert perms("Analyst") and all(codename.startswith("view_") for codename in perms("Analyst"))
    assert perms("Finance") == set()
