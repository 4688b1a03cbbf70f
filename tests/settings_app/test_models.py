import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from settings_app.models import Category, Client, Subcategory
from tests.settings_app.factories import CategoryFactory, ClientFactory, SubcategoryFactory

pytestmark = pytest.mark.django_db


def test_client_names_are_unique_whatever_their_case():
    ClientFactory(name="Acme Media")
    with pytest.raises(ValidationError, match="already exists"):
        Client(name="ACME media").full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        Client.objects.create(name="acme MEDIA")


def test_a_subcategory_name_is_unique_within_its_category_only():
    Category.objects.all().delete()  # the default taxonomy (settings_app migration 0002)
    finance, business = CategoryFactory(name="Finance"), CategoryFactory(name="Business")
    SubcategoryFactory(category=finance, name="Investing")
    SubcategoryFactory(category=business, name="Investing")
    with pytest.raises(IntegrityError), transaction.atomic():
        Subcategory.objects.create(category=finance, name="Investing")
