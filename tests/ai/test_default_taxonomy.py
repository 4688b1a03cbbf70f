"""The default taxonomy seeded by settings_app's data migration."""

import importlib

import pytest
from django.apps import apps
from django.db import connection

from settings_app.models import Category, Subcategory

pytestmark = pytest.mark.django_db

migration = importlib.import_module("settings_app.migrations.0002_default_taxonomy")


class _SchemaEditor:
    connection = connection


def test_the_default_taxonomy_is_seeded_once_and_keeps_edits():
    Category.objects.all().delete()
    migration.seed_taxonomy(apps, _SchemaEditor())
    expected = sum(len(subs) for subs in migration.DEFAULT_TAXONOMY.values())
    assert Category.objects.count() == 14
    assert Subcategory.objects.count() == expected
    finance = Category.objects.get(name="Finance")
    finance.description = "Money matters"
    finance.save()
    Subcategory.objects.filter(name="Crypto").delete()

    migration.seed_taxonomy(apps, _SchemaEditor())

    assert Category.objects.count() == 14
    assert Subcategory.objects.count() == expected  # the deleted one is back, nothing doubled
    assert Category.objects.get(name="Finance").description == "Money matters"


def test_every_category_has_sub_categories():
    assert all(len(subs) >= 5 for subs in migration.DEFAULT_TAXONOMY.values())
    names = set(migration.DEFAULT_TAXONOMY)
    assert {"Finance", "Business", "Entertainment", "Lifestyle", "Fitness & Health"} <= names
