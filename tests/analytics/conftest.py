import pytest

from tests.analytics.agency import agency_create


@pytest.fixture
def agency(db):
    """A small rolled-up agency (tests/analytics/agency.py)."""
    return agency_create()
