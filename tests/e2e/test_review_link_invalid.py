"""The client's review page for an expired and a revoked link, in a real browser at 1440 x 900:
a clear page saying why, never the draft or the caption, and nothing to approve."""

import pytest
from django.utils import timezone

from tests.settings_app.factories import UserFactory
from tests.workflow.conftest import task_in
from workflow.choices import Column
from workflow.models import ReviewLink
from workflow.services.review import review_link_create, review_link_revoke

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("state", ["expired", "revoked"])
def test_an_expired_or_revoked_link_shows_a_clear_page_and_never_the_content(
    page, live_server, screenshot, state
):
    manager = UserFactory(username="mona", is_staff=True, roles=["Manager"])
    task = task_in(Column.SUBMITTED, title="Secret launch reel")
    task.captions.update(text="Unreleased caption text")
    link, token = review_link_create(created_by=manager, task=task, reviewer_name="Carla")
    if state == "expired":
        ReviewLink.objects.filter(pk=link.pk).update(
            expires_at=timezone.now() - timezone.timedelta(minutes=1)
        )
    else:
        review_link_revoke(link, by=manager)
    page.set_viewport_size({"width": 1440, "height": 900})

    response = page.goto(f"{live_server.url}/review/{token}/")

    screenshot(page, f"review-link-{state}")
    assert response.status == 410
    assert page.locator("h1").inner_text() == "This review link cannot be used"
    reason = page.locator("#review-invalid").inner_text()
    assert ("expired" if state == "expired" else "revoked") in reason.lower()
    html = page.content()
    for secret in ("Secret launch reel", "Unreleased caption text", "<img", "<form"):
        assert secret not in html
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
