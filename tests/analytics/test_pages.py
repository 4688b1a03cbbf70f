"""The admin pages: the best-time heat map with counts and too-few cells, audience notes,
mentions with the AI-not-configured notice."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from analytics.mentions import mentions_find
from tests.creators.factories import AccountFactory
from tests.posts.factories import PostFactory, PostSnapshotFactory
from tests.publishing.factories import SocialConnectionFactory
from tests.settings_app.factories import ClientFactory, UserFactory

UTC = ZoneInfo("UTC")


def post_at(account, when, views):
    post = PostFactory(account=account, post_date=when)
    PostSnapshotFactory(post=post, captured_at=when + timedelta(hours=23), views=views)
    return post


@pytest.fixture
def owner_client(client, db, settings):
    settings.TIME_ZONE = "UTC"
    client.force_login(UserFactory(roles=["Owner"], is_staff=True))
    return client


def test_the_heat_map_shows_the_average_and_the_posts_behind_each_cell(owner_client):
    account = AccountFactory()
    for week in range(3):
        post_at(account, datetime(2026, 3, 2, 9, 0, tzinfo=UTC) + timedelta(weeks=week), 1200)
    post_at(account, datetime(2026, 3, 6, 21, 0, tzinfo=UTC), 50_000)

    page = owner_client.get(reverse("admin:analytics_best_time"), {"account": account.pk})
    html = page.content.decode()

    assert page.status_code == 200
    monday_9 = html.split('<tr data-weekday="0">')[1].split('data-hour="9"')[1].split("</td>")[0]
    assert 'data-posts="3"' in monday_9 and 'data-value="1200"' in monday_9
    assert "1.2k" in monday_9
    friday_21 = html.split('<tr data-weekday="4">')[1].split('data-hour="21"')[1].split("</td>")[0]
    assert "too few" in friday_21 and 'data-posts="1"' in friday_21
    assert "Mon 09:00 (1,200 views, 3 posts)" in html
    assert 'title="Mon 09:00 · 3 posts · avg 1,200 views"' in monday_9
    assert 'title="Fri 21:00 · 1 post"' in friday_21  # too few: no average
    assert 'title="Sun 23:00 · 0 posts"' in html


def test_the_pickers_names_are_escaped_and_each_scope_offered_once(owner_client):
    client = ClientFactory(name='<b>"Acme" & Co</b>')
    account = AccountFactory(client=client, username="<i>maya</i>")

    page = owner_client.get(reverse("admin:analytics_best_time"), {"scope": f"client:{client.pk}"})
    html = page.content.decode()

    escaped = "&lt;b&gt;&quot;Acme&quot; &amp; Co&lt;/b&gt;"
    assert f'<option value="client:{client.pk}" selected>{escaped}</option>' in html
    assert f'<optgroup label="Accounts · {escaped}">' in html
    assert "&lt;i&gt;maya&lt;/i&gt;" in html and "<i>maya</i>" not in html
    assert html.count(f'value="account:{account.pk}"') == 1
    assert html.count(" selected>") == 1


def test_the_heat_map_names_a_bad_parameter(owner_client):
    page = owner_client.get(reverse("admin:analytics_best_time"), {"creator": "nope"})
    assert page.status_code == 200
    assert 'id="best-time-errors"' in page.content.decode()
    assert "<strong>creator</strong>" in page.content.decode()


def test_the_heat_maps_picker_offers_the_accounts_by_client_and_takes_one_scope(owner_client):
    client = ClientFactory(name="Acme")
    account = AccountFactory(client=client)
    post_at(account, datetime(2026, 3, 2, 9, 0, tzinfo=UTC), 1200)

    page = owner_client.get(
        reverse("admin:analytics_best_time"), {"scope": f"account:{account.pk}"}
    )
    html = page.content.decode()

    assert '<optgroup label="Accounts · Acme">' in html
    assert f'<option value="account:{account.pk}" selected>' in html
    assert 'data-posts="1"' in html  # the account's one post


def test_the_heat_map_refuses_a_scope_the_user_may_not_see(client, db):
    editor = UserFactory(roles=["Editor"], is_staff=True)
    other = AccountFactory()
    client.force_login(editor)

    page = client.get(reverse("admin:analytics_best_time"), {"scope": f"account:{other.pk}"})
    html = page.content.decode()

    assert f"No account with id {other.pk} that you may see." in html
    assert f'value="account:{other.pk}"' not in html


def test_the_audience_page_says_when_a_platform_gives_nothing(owner_client):
    SocialConnectionFactory(
        account=AccountFactory(platform="tiktok", username="tt"),
        platform="tiktok",
        method="tiktok",
    )
    SocialConnectionFactory(account=AccountFactory(username="ig"))

    html = owner_client.get(reverse("admin:analytics_audience")).content.decode()

    assert "The platform gives no audience demographics" in html
    assert "has not been fetched yet" in html


def test_the_mentions_page_counts_per_client_and_says_ai_is_not_configured(owner_client, settings):
    settings.OPENAI_API_KEY = ""
    acme = ClientFactory(name="Acme", brand_terms="#acme")
    PostFactory(caption="go #acme go")
    mentions_find()

    html = owner_client.get(reverse("admin:analytics_mentions")).content.decode()

    assert f'data-client="{acme.pk}"' in html
    assert 'id="ai-not-configured"' in html
    assert "go #acme go" in html


def test_the_posting_slots_page_suggests_an_accounts_best_times(owner_client):
    connection = SocialConnectionFactory(account=AccountFactory(username="slotty"))
    for week in range(3):
        post_at(
            connection.account, datetime(2026, 3, 3, 18, 0, tzinfo=UTC) + timedelta(weeks=week), 900
        )
    post_at(connection.account, datetime(2026, 3, 4, 7, 0, tzinfo=UTC), 90_000)  # one post only

    html = owner_client.get(reverse("admin:publishing_postingslot_changelist")).content.decode()

    assert 'id="slot-suggestions"' in html
    assert "Tue 18:00 (avg 900 views, 3 posts)" in html
    assert "Wed 07:00" not in html


def test_the_audience_page_shows_the_latest_day_and_a_disconnected_account(owner_client):
    from analytics.audience.services import audience_store
    from platforms.audience import Audience, Bucket

    live = SocialConnectionFactory(account=AccountFactory(username="live"))
    gone = SocialConnectionFactory(account=AccountFactory(username="gone"), status="disconnected")
    for connection, day, value in ((live, "2026-03-17", 1), (live, "2026-03-18", 4200)):
        audience_store(
            account_id=connection.account_id,
            day=day,
            audience=Audience(
                "instagram_follower_demographics", [Bucket("age", "25-34", value, "followers")]
            ),
            now=datetime(2026, 3, 18, tzinfo=UTC),
        )

    html = owner_client.get(reverse("admin:analytics_audience")).content.decode()

    assert "25-34: 4,200" in html and "25-34: 1<" not in html
    assert "Mar 18, 2026" in html
    gone_row = html.split(f'data-account="{gone.account_id}"')[1].split("</tr>")[0]
    assert "No publishing connection" in gone_row
