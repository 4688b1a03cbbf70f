import pytest
from django.core.exceptions import ValidationError

from settings_app.models import Client

pytestmark = pytest.mark.django_db


def test_report_emails_must_each_be_an_address():
    client = Client(name="Acme", report_emails="ops@acme.test\nnot-an-address\n")
    with pytest.raises(ValidationError) as err:
        client.full_clean()
    assert "not-an-address" in str(err.value)
    client.report_emails = " ops@acme.test \n\nboss@acme.test"
    client.full_clean()
    assert client.report_email_list == ["ops@acme.test", "boss@acme.test"]
