"""Schedules are declared in operations.jobs and installed idempotently."""

import pytest
from django.core.management import call_command
from django.utils.module_loading import import_string
from django_q.models import Schedule

from operations.jobs import SCHEDULES

pytestmark = pytest.mark.django_db


def test_sync_schedules_twice_leaves_exactly_one_schedule_per_job():
    call_command("sync_schedules")
    call_command("sync_schedules")

    for name, declared in SCHEDULES.items():
        schedule = Schedule.objects.get(name=name)
        assert schedule.func == declared["func"]
        assert schedule.schedule_type == declared["schedule_type"]
        assert schedule.repeats == -1
    assert Schedule.objects.count() == len(SCHEDULES)


def test_every_declared_schedule_points_at_a_job_function():
    for declared in SCHEDULES.values():
        assert callable(import_string(declared["func"]))


def test_sync_schedules_fixes_a_changed_schedule_and_keeps_its_next_run():
    call_command("sync_schedules")
    schedule = Schedule.objects.get(name="detect_new_posts")
    next_run = schedule.next_run
    Schedule.objects.filter(pk=schedule.pk).update(minutes=5)
    Schedule.objects.create(name="detect_new_posts", func="operations.jobs.detect_new_posts")

    call_command("sync_schedules")

    schedule = Schedule.objects.get(name="detect_new_posts")
    assert schedule.minutes == SCHEDULES["detect_new_posts"]["minutes"]
    assert schedule.next_run == next_run


def test_sync_schedules_removes_our_schedules_no_longer_declared_and_keeps_others():
    Schedule.objects.create(name="retired_job", func="operations.jobs.retired_job")
    Schedule.objects.create(name="someone_elses", func="math.floor")

    call_command("sync_schedules")

    assert not Schedule.objects.filter(name="retired_job").exists()
    assert Schedule.objects.filter(name="someone_elses").exists()
