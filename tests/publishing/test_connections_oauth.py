"""Connections' OAuth (specs/publishing.md §1) through the services, against the fake OAuth
server on 127.0.0.1 (tests/platforms/oauth_fakes.py)."""

import threading
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection as db_connection
from django.db import connections
from django.utils import timezone

from core.errors import DomainError
from creators.models import Account
from notifications.choices import NotificationKind
from notifications.models import Notification
from operations.models import JobRun
from publishing.choices import ConnectionMethod, ConnectionStatus, TargetState
from publishing.models import SocialConnection
from publishing.services import oauth as services
from publishing.services.platforms import platform_publisher
from tests.creators.factories import AccountFactory
from tests.platforms.oauth_fakes import IG_USER, TIKTOK_USER, YT_CHANNEL, FakeOAuth
from tests.publishing.factories import PublishTargetFactory, SocialConnectionFactory
from tests.settings_app.factories import EditorFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake(settings):
    server = FakeOAuth().start()
    server.point_settings(settings)
    yield server
    server.stop()


@pytest.fixture
def session():
    store = SessionStore()
    store.create()
    return store


class Notified:
    """The connection-needs-reauth notifications written (notifications.Notification rows)."""

    def rows(self):
        return Notification.objects.filter(kind=NotificationKind.CONNECTION_NEEDS_REAUTH)

    def __len__(self) -> int:
        # One event per key: the people told about it share the key.
        return self.rows().values("key").distinct().count()

    def users(self):
        return {row.user for row in self.rows()}


@pytest.fixture
def notified():
    # Someone who may change connections: told of every connection needing a reconnect.
    UserFactory(username="connections-manager", roles=["Manager"])
    return Notified()


def _connect(fake, user, session, method, account=None, *, callback_session=None, **complete):
    start = services.connection_oauth_start(
        request_user=user, method=method, account=account, session=session
    )
    query = {k: v[0] for k, v in parse_qs(urlsplit(start.url).query).items()}
    code = fake.authorize_code(method, query)
    return services.connection_oauth_complete(
        request_user=user,
        method=method,
        state=complete.pop("state", start.state),
        code=code,
        session=callback_session or session,
        **complete,
    )


def _tiktok_connection(fake, **fields):
    access, refresh = fake.issue("tiktok")
    return SocialConnectionFactory(
        account=AccountFactory(platform="tiktok"),
        platform="tiktok",
        method=ConnectionMethod.TIKTOK,
        access_token=access,
        refresh_token=refresh,
        **fields,
    )


# --- Connect ------------------------------------------------------------------------------------
def test_connecting_tiktok_adds_the_account_and_stores_its_tokens_encrypted(fake, staff, session):
    connection = _connect(fake, staff, session, ConnectionMethod.TIKTOK)
    assert connection.status == ConnectionStatus.CONNECTED
    assert connection.account.username == TIKTOK_USER["username"]
    assert connection.account.platform == "tiktok"
    assert connection.meta["account_id"] == TIKTOK_USER["open_id"]
    assert connection.access_token.startswith("act.")
    assert connection.refresh_token.startswith("rft.")
    assert connection.token_expires_at > timezone.now() + timedelta(hours=23)
    with db_connection.cursor() as cursor:
        cursor.execute(
            "SELECT access_token, refresh_token FROM publishing_socialconnection WHERE id = %s",
            [connection.pk],
        )
        raw_access, raw_refresh = cursor.fetchone()
    assert "act." not in raw_access and "rft." not in raw_refresh


def test_connecting_links_an_account_already_tracked_by_its_handle(fake, staff, session):
    tracked = AccountFactory(platform="instagram", username=IG_USER["username"])
    connection = _connect(fake, staff, session, ConnectionMethod.INSTAGRAM_LOGIN)
    assert connection.account == tracked
    assert Account.objects.filter(platform="instagram").count() == 1
    tracked.refresh_from_db()
    assert tracked.external_id == IG_USER["user_id"]
    assert connection.meta["ig_user_id"] == IG_USER["user_id"]


def test_connecting_youtube_keeps_the_channel_id_and_handle(fake, staff, session):
    connection = _connect(fake, staff, session, ConnectionMethod.GOOGLE)
    assert connection.platform == "youtube"
    assert connection.meta["channel_id"] == YT_CHANNEL["id"]
    assert connection.refresh_token.startswith("1//")


def test_a_state_is_single_use(fake, staff, session):
    start = services.connection_oauth_start(
        request_user=staff, method=ConnectionMethod.TIKTOK, session=session
    )
    query = {k: v[0] for k, v in parse_qs(urlsplit(start.url).query).items()}
    services.connection_oauth_complete(
        request_user=staff,
        method="tiktok",
        state=start.state,
        code=fake.authorize_code("tiktok", query),
        session=session,
    )
    with pytest.raises(DomainError) as caught:
        services.connection_oauth_complete(
            request_user=staff,
            method="tiktok",
            state=start.state,
            code=fake.authorize_code("tiktok", query),
            session=session,
        )
    assert caught.value.code == "oauth_state_invalid"


def test_a_state_from_another_session_or_user_is_refused(fake, staff, session):
    other_session = SessionStore()
    other_session.create()
    with pytest.raises(DomainError, match="start it again"):
        _connect(fake, staff, session, "tiktok", callback_session=other_session)
    with pytest.raises(DomainError, match="start it again"):
        start = services.connection_oauth_start(
            request_user=staff, method="tiktok", session=session
        )
        services.connection_oauth_complete(
            request_user=UserFactory(), method="tiktok", state=start.state, code="x"
        )
    assert not SocialConnection.objects.exists()


def test_an_expired_state_is_refused(fake, staff, session, settings):
    start = services.connection_oauth_start(
        request_user=staff,
        method="tiktok",
        session=session,
        now=timezone.now() - timedelta(seconds=settings.OAUTH_STATE_TTL_SECONDS + 1),
    )
    with pytest.raises(DomainError, match="expired"):
        services.connection_oauth_complete(
            request_user=staff, method="tiktok", state=start.state, code="c", session=session
        )


def test_a_denied_authorization_says_why(fake, staff, session):
    start = services.connection_oauth_start(request_user=staff, method="google", session=session)
    with pytest.raises(DomainError, match="access_denied") as caught:
        services.connection_oauth_complete(
            request_user=staff,
            method="google",
            state=start.state,
            error="access_denied",
            session=session,
        )
    assert caught.value.code == "oauth_denied"


def test_an_unconfigured_method_cannot_start(fake, staff, settings):
    settings.GOOGLE_CLIENT_ID = ""
    with pytest.raises(DomainError, match="GOOGLE_CLIENT_ID") as caught:
        services.connection_oauth_start(request_user=staff, method="google")
    assert caught.value.code == "not_configured"


# --- Reconnect ----------------------------------------------------------------------------------
def test_reconnecting_updates_the_same_row_and_resumes_its_waiting_targets(fake, staff, session):
    first = _connect(fake, staff, session, ConnectionMethod.GOOGLE)
    stored_refresh = first.refresh_token
    waiting = PublishTargetFactory(connection=first, state=TargetState.NEEDS_REAUTH)
    SocialConnection.objects.filter(pk=first.pk).update(status=ConnectionStatus.NEEDS_REAUTH)
    # Google sends no refresh token on a reconnect: the stored one stays.
    fake.codes.clear()
    original = fake._google_token

    def without_refresh(call):
        answer = original(call)
        if isinstance(answer.body, dict):
            answer.body.pop("refresh_token", None)
        return answer

    fake._google_token = without_refresh
    again = _connect(fake, staff, session, ConnectionMethod.GOOGLE, account=first.account)
    assert again.pk == first.pk
    assert again.status == ConnectionStatus.CONNECTED
    assert again.refresh_token == stored_refresh
    assert again.access_token != first.access_token
    waiting.refresh_from_db()
    assert waiting.state == TargetState.SCHEDULED
    assert SocialConnection.objects.count() == 1


def test_reconnecting_as_another_account_is_refused(fake, staff, session):
    account = AccountFactory(platform="tiktok", username="someoneelse")
    with pytest.raises(DomainError, match="@someoneelse") as caught:
        _connect(fake, staff, session, "tiktok", account=account)
    assert caught.value.code == "oauth_wrong_account"


# --- Fresh tokens -------------------------------------------------------------------------------
def test_a_tiktok_token_expiring_within_ten_minutes_is_refreshed_before_use(fake):
    connection = _tiktok_connection(fake, token_expires_at=timezone.now() + timedelta(minutes=9))
    old_refresh = connection.refresh_token
    token = services.connection_token_fresh(connection)
    connection.refresh_from_db()
    assert token == connection.access_token and token in fake.access
    assert connection.refresh_token != old_refresh  # the rotated one is stored
    assert old_refresh in fake.spent
    assert connection.token_expires_at > timezone.now() + timedelta(hours=23)


def test_a_token_far_from_expiry_is_used_as_it_is(fake):
    connection = _tiktok_connection(fake, token_expires_at=timezone.now() + timedelta(minutes=30))
    assert services.connection_token_fresh(connection) == connection.access_token
    assert fake.count("tt.token") == 0


def test_refresh_windows_are_per_method(fake):
    ig_access, _ = fake.issue("instagram_login")
    ig = SocialConnectionFactory(
        access_token=ig_access, token_expires_at=timezone.now() + timedelta(days=6)
    )
    google_access, google_refresh = fake.issue("google")
    google = SocialConnectionFactory(
        account=AccountFactory(platform="youtube"),
        platform="youtube",
        method=ConnectionMethod.GOOGLE,
        access_token=google_access,
        refresh_token=google_refresh,
        token_expires_at=timezone.now() + timedelta(minutes=6),
    )
    assert services.connection_token_fresh(google) == google_access  # 6 min > 5 min
    assert services.connection_token_fresh(ig) != ig_access  # 6 days < 7 days
    SocialConnection.objects.filter(pk=google.pk).update(
        token_expires_at=timezone.now() + timedelta(minutes=4)
    )
    google.refresh_from_db()
    assert services.connection_token_fresh(google) != google_access
    google.refresh_from_db()
    assert google.refresh_token == google_refresh  # Google sent none: kept


def test_the_publishers_use_a_fresh_token(fake):
    connection = _tiktok_connection(fake, token_expires_at=timezone.now() + timedelta(minutes=1))
    client = platform_publisher("tiktok")._client(connection)
    connection.refresh_from_db()
    assert client.access_token == connection.access_token
    assert fake.count("tt.token") == 1


@pytest.mark.django_db(transaction=True)
def test_two_workers_refreshing_one_tiktok_token_spend_it_once(fake):
    connection = _tiktok_connection(fake, token_expires_at=timezone.now() + timedelta(minutes=2))
    barrier = threading.Barrier(2)
    tokens, errors = [], []

    def worker():
        try:
            row = SocialConnection.objects.get(pk=connection.pk)  # each reads the old pair
            barrier.wait(timeout=10)
            tokens.append(services.connection_token_fresh(row))
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert fake.count("tt.token") == 1  # the old refresh token was spent once
    connection.refresh_from_db()
    assert tokens == [connection.access_token, connection.access_token]
    assert connection.status == ConnectionStatus.CONNECTED
    assert connection.refresh_token in fake.refresh  # the live, rotated one


# --- needs_reauth -------------------------------------------------------------------------------
def test_invalid_grant_makes_the_connection_wait_with_its_targets_and_notifies_once(
    fake, notified, django_capture_on_commit_callbacks
):
    editor_user = UserFactory(roles=["Editor"])
    connection = _tiktok_connection(fake, token_expires_at=timezone.now() + timedelta(minutes=1))
    Account.objects.filter(pk=connection.account_id).update(editor=EditorFactory(user=editor_user))
    scheduled = PublishTargetFactory(connection=connection, state=TargetState.SCHEDULED)
    deferred = PublishTargetFactory(connection=connection, state=TargetState.DEFERRED)
    published = PublishTargetFactory(
        connection=connection, state=TargetState.PUBLISHED, published_at=timezone.now()
    )
    fake.revoked = True
    for _ in range(2):
        with (
            django_capture_on_commit_callbacks(execute=True),
            pytest.raises(services.ConnectionNeedsReauth),
        ):
            services.connection_token_fresh(SocialConnection.objects.get(pk=connection.pk))
    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.NEEDS_REAUTH
    assert "invalid" in connection.last_error.lower()
    for target, state in (
        (scheduled, TargetState.NEEDS_REAUTH),
        (deferred, TargetState.NEEDS_REAUTH),
        (published, TargetState.PUBLISHED),
    ):
        target.refresh_from_db()
        assert target.state == state
    assert len(notified) == 1
    assert editor_user in notified.users()
    (row,) = notified.rows().filter(user=editor_user)
    assert row.object_id == str(connection.pk) and "connected again" in row.text


def test_the_reauth_notice_goes_to_the_editor_and_connection_managers_only(fake):
    manager = UserFactory(is_staff=True, roles=["Owner"])
    bystander = UserFactory(is_staff=True, roles=["Analyst"])
    connection = _tiktok_connection(fake)
    recipients = set(services.connection_reauth_recipients(connection))
    assert manager in recipients and bystander not in recipients


def test_a_refused_token_is_refreshed_once_then_needs_reauth(
    fake, notified, django_capture_on_commit_callbacks
):
    connection = _tiktok_connection(fake)
    assert services.connection_token_rejected(connection.pk, error="401") is True
    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.CONNECTED and fake.count("tt.token") == 1
    # Refused again right after a refresh: a reconnect is needed, not another refresh.
    with django_capture_on_commit_callbacks(execute=True):
        assert services.connection_token_rejected(connection.pk, error="Graph 190") is False
    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.NEEDS_REAUTH
    assert fake.count("tt.token") == 1 and len(notified) == 1


def test_facebook_login_cannot_be_refreshed_and_warns_from_day_fifty(fake):
    connection = SocialConnectionFactory(
        method=ConnectionMethod.FACEBOOK_LOGIN, last_refreshed_at=timezone.now()
    )
    assert not services.facebook_login_warning(connection)
    connection.last_refreshed_at = timezone.now() - timedelta(days=50)
    assert services.facebook_login_warning(connection)
    with pytest.raises(DomainError, match="cannot be refreshed"):
        services.connection_refresh_now(connection)


# --- The daily job ------------------------------------------------------------------------------
def test_the_daily_job_refreshes_what_expires_and_records_its_run(
    fake, notified, django_capture_on_commit_callbacks
):
    from operations import jobs

    now = timezone.now()
    ig_access, _ = fake.issue("instagram_login")
    expiring = SocialConnectionFactory(
        access_token=ig_access, token_expires_at=now + timedelta(days=3)
    )
    later = SocialConnectionFactory(token_expires_at=now + timedelta(days=30))
    tiktok = _tiktok_connection(fake, token_expires_at=now + timedelta(hours=20))
    expired_fb = SocialConnectionFactory(
        method=ConnectionMethod.FACEBOOK_LOGIN, token_expires_at=now - timedelta(hours=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        run = JobRun.objects.get(pk=jobs.refresh_connection_tokens())
    assert (run.job, run.items_ok, run.items_failed) == ("refresh_connection_tokens", 2, 1)
    expiring.refresh_from_db(), later.refresh_from_db(), tiktok.refresh_from_db()
    expired_fb.refresh_from_db()
    assert expiring.access_token != ig_access
    assert expiring.token_expires_at > now + timedelta(days=59)
    assert later.last_refreshed_at is None
    assert tiktok.token_expires_at > now + timedelta(hours=23)
    assert expired_fb.status == ConnectionStatus.NEEDS_REAUTH
    # A rerun finds nothing due: no second refresh.
    calls = len(fake.calls)
    rerun = JobRun.objects.get(pk=jobs.refresh_connection_tokens())
    assert rerun.items_ok == 0 and len(fake.calls) == calls
    assert len(notified) == 1
