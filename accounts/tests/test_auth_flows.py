"""Sign-up, sign-in, password reset, two-factor and login throttling through django-allauth's real views.

Everything goes through Django's test client against allauth's URLs, the way a browser would: forms are
posted, links are taken from the emails in `mail.outbox`, the TOTP secret is read from the activation page.
"""

from __future__ import annotations

import html
import re
import time
import zoneinfo
from datetime import UTC, datetime

import pytest
import time_machine
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django_redis import get_redis_connection

from accounts import services
from accounts.models import User
from accounts.roles import Role
from accounts.tasks import send_invitation_email
from accounts.tests.factories import PASSWORD, UserFactory, WorkspaceFactory, WorkspaceMemberFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-new-Stapler-42"
TOTP_PERIOD = 30


# --- helpers -------------------------------------------------------------------------------------


def signed_in_user_id(client: Client) -> str | None:
    return client.session.get("_auth_user_id")


def sign_in(client: Client, email: str, password: str, **extra):
    return client.post(reverse("account_login"), {"login": email, "password": password}, **extra)


def link_in(message, path_prefix: str) -> str:
    """The path of the first link in an email body that starts with `path_prefix`."""
    match = re.search(r"https?://[^/\s]+(" + re.escape(path_prefix) + r"[^\s]*)", message.body)
    assert match, f"no link to {path_prefix} in: {message.body}"
    return match.group(1)


def input_value(page: str, element_id: str) -> str:
    tag = re.search(r"<input[^>]*\bid=\"" + re.escape(element_id) + r"\"[^>]*>", page)
    assert tag, f"no input #{element_id} on the page"
    value = re.search(r"\bvalue=\"([^\"]*)\"", tag.group(0))
    assert value, f"input #{element_id} has no value"
    return html.unescape(value.group(1))


def textarea_lines(page: str, element_id: str) -> list[str]:
    match = re.search(
        r"<textarea[^>]*\bid=\"" + re.escape(element_id) + r"\"[^>]*>(.*?)</textarea>", page, re.S
    )
    assert match, f"no textarea #{element_id} on the page"
    return [line.strip() for line in html.unescape(match.group(1)).splitlines() if line.strip()]


def totp_code(secret: str, at: float | None = None) -> str:
    """What an authenticator app shows for `secret` (RFC 6238, allauth's own HOTP helpers)."""
    counter = int(time.time() if at is None else at) // TOTP_PERIOD
    return format_hotp_value(hotp_value(secret, counter))


@pytest.fixture
def frozen_in_totp_window():
    """Freeze the clock at the start of a TOTP period so a computed code cannot expire mid-test."""
    start = (int(time.time()) // TOTP_PERIOD) * TOTP_PERIOD + 1
    with time_machine.travel(datetime.fromtimestamp(start, tz=UTC), tick=False):
        yield start


def activate_totp(client: Client, password: str = PASSWORD) -> str:
    """Runs allauth's activation flow for the signed-in user; returns the secret the page offered.

    allauth asks for the password again before security settings change (reauthentication), then
    shows the secret and a QR code; the user types the code their authenticator app computes.
    """
    gate = client.get(reverse("mfa_activate_totp"))
    assert gate.status_code == 302
    assert gate.url.startswith(reverse("account_reauthenticate"))
    back = client.post(gate.url, {"password": password})
    assert back.status_code == 302
    assert back.url == reverse("mfa_activate_totp")
    page = client.get(back.url)
    assert page.status_code == 200
    secret = input_value(page.content.decode(), "authenticator_secret")
    response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert response.status_code == 302, response.content.decode()[:2000]
    return secret


# --- sign-up and email verification --------------------------------------------------------------


def test_sign_up_sends_verification_email_and_sign_in_waits_for_it(client):
    # given
    email = "new.person@example.com"
    # when
    response = client.post(
        reverse("account_signup"), {"email": email, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    # then: the account exists, nobody is signed in, a verification email went out
    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert signed_in_user_id(client) is None
    user = User.objects.get(email=email)
    assert EmailAddress.objects.get(user=user, email=email).verified is False
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [email]
    assert mail.outbox[0].subject.startswith(settings.ACCOUNT_EMAIL_SUBJECT_PREFIX)
    assert "Hello from KAWO OSS!" in mail.outbox[0].body  # the product's name, not the host's
    confirm_path = link_in(mail.outbox[0], "/accounts/confirm-email/")

    # when: signing in before the address is verified
    refused = sign_in(Client(), email, NEW_PASSWORD)
    # then
    assert refused.status_code == 302
    assert refused.url == reverse("account_email_verification_sent")

    # when: the emailed link is followed and confirmed
    confirm_page = client.get(confirm_path)
    assert confirm_page.status_code == 200
    assert email in confirm_page.content.decode()
    confirmed = client.post(confirm_path)
    # then
    assert confirmed.status_code == 302
    assert EmailAddress.objects.get(user=user, email=email).verified is True

    # when: signing in again
    browser = Client()
    signed_in = sign_in(browser, email, NEW_PASSWORD)
    # then
    assert signed_in.status_code == 302
    assert signed_in.url == reverse(settings.LOGIN_REDIRECT_URL)
    assert signed_in_user_id(browser) == str(user.pk)


def test_unverified_sign_in_is_not_a_session(client):
    # given
    user = UserFactory(verified=False)
    # when
    response = sign_in(client, user.email, PASSWORD)
    # then
    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert signed_in_user_id(client) is None
    assert client.get(reverse("mfa_index")).status_code == 302  # still anonymous: sent to sign in


def test_sign_up_rejects_an_address_that_is_taken(client):
    # given
    existing = UserFactory()
    # when
    response = client.post(
        reverse("account_signup"),
        {"email": existing.email, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    # then: no second account; allauth (enumeration prevention) answers like a normal sign-up
    assert User.objects.filter(email=existing.email).count() == 1
    assert signed_in_user_id(client) is None
    assert response.status_code in (200, 302)


# --- password reset ------------------------------------------------------------------------------


def test_password_reset_by_emailed_link(client):
    # given
    user = UserFactory()
    # when
    response = client.post(reverse("account_reset_password"), {"email": user.email})
    # then
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [user.email]
    reset_path = link_in(mail.outbox[0], "/accounts/password/reset/key/")

    # when: the link is followed (allauth moves the key into the session and redirects)
    landing = client.get(reset_path)
    assert landing.status_code == 302
    form_page = client.get(landing.url)
    assert form_page.status_code == 200
    assert 'name="password1"' in form_page.content.decode()
    done = client.post(landing.url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    # then
    assert done.status_code == 302
    assert done.url == reverse("account_reset_password_from_key_done")

    # when / then: the old password is refused, the new one works
    old = Client()
    assert sign_in(old, user.email, PASSWORD).status_code == 200
    assert signed_in_user_id(old) is None
    new = Client()
    assert sign_in(new, user.email, NEW_PASSWORD).status_code == 302
    assert signed_in_user_id(new) == str(user.pk)


@pytest.mark.django_db(transaction=True)  # allauth sends these on commit, inside the request
def test_password_reset_and_totp_activation_are_notified_by_email(client, frozen_in_totp_window):
    # given
    user = UserFactory()
    client.post(reverse("account_reset_password"), {"email": user.email})
    landing = client.get(link_in(mail.outbox[0], "/accounts/password/reset/key/"))
    # when
    client.post(landing.url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    # then
    notice = mail.outbox[-1]
    assert notice.to == [user.email]
    assert "Your password has been reset." in notice.body
    assert "Hello from KAWO OSS!" in notice.body

    # when: two-factor is switched on
    sign_in(client, user.email, NEW_PASSWORD)
    activate_totp(client, NEW_PASSWORD)
    # then
    assert "Authenticator app activated." in mail.outbox[-1].body
    assert mail.outbox[-1].to == [user.email]


def test_password_reset_link_works_only_once(client):
    # given
    user = UserFactory()
    client.post(reverse("account_reset_password"), {"email": user.email})
    reset_path = link_in(mail.outbox[0], "/accounts/password/reset/key/")
    landing = client.get(reset_path)
    client.post(landing.url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    # when
    again = Client()
    reused = again.get(reset_path, follow=True)
    # then: the token is spent; the form is not offered again
    assert reused.status_code == 200
    assert 'name="password1"' not in reused.content.decode()
    assert reused.context["token_fail"] is True


def test_password_reset_for_unknown_address_sends_no_link(client):
    # when
    response = client.post(reverse("account_reset_password"), {"email": "nobody@example.com"})
    # then: same answer as for a known address (no enumeration), and no reset link anywhere
    assert response.status_code == 302
    assert all("/accounts/password/reset/key/" not in m.body for m in mail.outbox)


# --- two-factor: TOTP and recovery codes ---------------------------------------------------------


def test_totp_activation_then_sign_in_asks_for_the_code(client, frozen_in_totp_window):
    # given
    user = UserFactory()
    assert sign_in(client, user.email, PASSWORD).status_code == 302
    # when
    secret = activate_totp(client)
    # then
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.RECOVERY_CODES).exists()

    # when: signing in with the password alone
    browser = Client()
    first_step = sign_in(browser, user.email, PASSWORD)
    # then: allauth stops at the second step; not signed in yet
    assert first_step.status_code == 302
    assert first_step.url == reverse("mfa_authenticate")
    assert signed_in_user_id(browser) is None

    # when: a wrong code
    right = totp_code(secret)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    refused = browser.post(reverse("mfa_authenticate"), {"code": wrong})
    # then
    assert refused.status_code == 200
    assert refused.context["form"].errors
    assert signed_in_user_id(browser) is None

    # when: the right code, as the authenticator app shows it one period later
    with time_machine.travel(datetime.fromtimestamp(frozen_in_totp_window + TOTP_PERIOD, tz=UTC), tick=False):
        accepted = browser.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    # then
    assert accepted.status_code == 302
    assert accepted.url == reverse(settings.LOGIN_REDIRECT_URL)
    assert signed_in_user_id(browser) == str(user.pk)


def test_totp_code_cannot_be_replayed(client, frozen_in_totp_window):
    # given: TOTP active and one sign-in already used the current code
    user = UserFactory()
    sign_in(client, user.email, PASSWORD)
    secret = activate_totp(client)
    later = frozen_in_totp_window + TOTP_PERIOD
    with time_machine.travel(datetime.fromtimestamp(later, tz=UTC), tick=False):
        code = totp_code(secret)
        first = Client()
        sign_in(first, user.email, PASSWORD)
        assert first.post(reverse("mfa_authenticate"), {"code": code}).status_code == 302
        # when: someone who saw the code tries it again in the same period
        second = Client()
        sign_in(second, user.email, PASSWORD)
        replay = second.post(reverse("mfa_authenticate"), {"code": code})
    # then
    assert replay.status_code == 200
    assert signed_in_user_id(second) is None


def test_recovery_code_signs_in_once(client, frozen_in_totp_window):
    # given
    user = UserFactory()
    sign_in(client, user.email, PASSWORD)
    activate_totp(client)
    page = client.get(reverse("mfa_view_recovery_codes"))
    assert page.status_code == 200
    codes = textarea_lines(page.content.decode(), "recovery_codes")
    assert len(codes) == settings.MFA_RECOVERY_CODE_COUNT
    # when
    browser = Client()
    sign_in(browser, user.email, PASSWORD)
    used = browser.post(reverse("mfa_authenticate"), {"code": codes[0]})
    # then
    assert used.status_code == 302
    assert signed_in_user_id(browser) == str(user.pk)

    # when: the same recovery code again
    again = Client()
    sign_in(again, user.email, PASSWORD)
    reused = again.post(reverse("mfa_authenticate"), {"code": codes[0]})
    # then
    assert reused.status_code == 200
    assert signed_in_user_id(again) is None
    # and another unused code still works
    other = Client()
    sign_in(other, user.email, PASSWORD)
    assert other.post(reverse("mfa_authenticate"), {"code": codes[1]}).status_code == 302
    assert signed_in_user_id(other) == str(user.pk)


# --- login throttling (allauth's rate limits in the real Redis cache) ----------------------------


def failed_login_limit() -> int:
    # "5/5m/ip,5/5m/key" -> 5; the test follows whatever the settings say.
    rates = settings.ACCOUNT_RATE_LIMITS["login_failed"].split(",")
    return min(int(rate.split("/")[0]) for rate in rates)


def test_cache_is_redis():
    # The throttling below is only meaningful if the counters live where every web process sees them.
    assert settings.CACHES["default"]["BACKEND"] == "django_redis.cache.RedisCache"
    cache.set("kawo-auth-probe", 1, 5)
    assert get_redis_connection("default").ping() is True
    assert cache.keys("kawo-auth-probe") == ["kawo-auth-probe"]


def test_failed_logins_are_throttled_per_address_and_ip():
    # given
    victim = UserFactory()
    bystander = UserFactory()
    limit = failed_login_limit()
    attacker = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(limit):
        failed = sign_in(attacker, victim.email, "wrong-password")
        assert failed.status_code == 200
        assert failed.context["form"].errors
    # then: the counters are in Redis
    assert cache.keys("*login_failed*")

    # when: the right password, from the same IP, after the limit
    blocked = sign_in(attacker, victim.email, PASSWORD)
    # then: refused, saying when to try again, no session
    assert blocked.status_code in (200, 429)
    assert signed_in_user_id(attacker) is None
    assert "Too many failed sign-in attempts. Try again in 5 minutes." in blocked.content.decode()

    # when: the same address from another IP (the per-address limit holds too)
    elsewhere = Client(REMOTE_ADDR="198.51.100.20")
    still_blocked = sign_in(elsewhere, victim.email, PASSWORD)
    # then
    assert signed_in_user_id(elsewhere) is None
    assert "Too many failed sign-in attempts" in still_blocked.content.decode()

    # when: another address from another IP
    other = Client(REMOTE_ADDR="198.51.100.21")
    fine = sign_in(other, bystander.email, PASSWORD)
    # then: unaffected
    assert fine.status_code == 302
    assert signed_in_user_id(other) == str(bystander.pk)


def ip_limit() -> int:
    rates = settings.ACCOUNT_RATE_LIMITS["login_failed"].split(",")
    return next(int(rate.split("/")[0]) for rate in rates if rate.endswith("/ip"))


def test_one_persons_typos_do_not_lock_out_an_office_behind_one_address():
    # given: ten failures on one account from the office's address
    office = "192.0.2.80"
    typist, colleague = UserFactory(), UserFactory()
    for _ in range(10):
        sign_in(Client(REMOTE_ADDR=office), typist.email, "wrong-password")
    # when
    colleague_browser = Client(REMOTE_ADDR=office)
    fine = sign_in(colleague_browser, colleague.email, PASSWORD)
    typist_browser = Client(REMOTE_ADDR=office)
    locked = sign_in(typist_browser, typist.email, PASSWORD)
    # then: the colleague signs in; the typist is told how long to wait
    assert fine.status_code == 302 and signed_in_user_id(colleague_browser) == str(colleague.pk)
    assert signed_in_user_id(typist_browser) is None
    assert "Try again in 5 minutes." in locked.content.decode()


def test_many_accounts_tried_from_one_address_lock_that_address():
    # given: failures spread over many accounts, never five on one
    attacker = "203.0.113.9"
    for _ in range(ip_limit()):
        sign_in(Client(REMOTE_ADDR=attacker), UserFactory().email, "wrong-password")
    # when
    bystander = UserFactory()
    blocked = sign_in(Client(REMOTE_ADDR=attacker), bystander.email, PASSWORD)
    other = Client(REMOTE_ADDR="198.51.100.30")
    fine = sign_in(other, bystander.email, PASSWORD)
    # then
    assert "Too many failed sign-in attempts" in blocked.content.decode()
    assert fine.status_code == 302 and signed_in_user_id(other) == str(bystander.pk)


def test_behind_a_proxy_each_client_is_throttled_on_its_own_address(settings):
    # given: one reverse proxy in front; every request reaches Django from the proxy's address
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = settings.TRUSTED_PROXY_COUNT = 1
    bystander = UserFactory()
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    attacker = Client(HTTP_X_FORWARDED_FOR="203.0.113.7", **proxy)
    for _ in range(ip_limit()):
        sign_in(attacker, UserFactory().email, "wrong-password")
    # when
    blocked = sign_in(attacker, UserFactory().email, "wrong-password")
    other = Client(HTTP_X_FORWARDED_FOR="198.51.100.21", **proxy)
    fine = sign_in(other, bystander.email, PASSWORD)
    # then: the attacker's address is blocked even for another account; other people still sign in
    assert "Too many failed sign-in attempts" in blocked.content.decode()
    assert fine.status_code == 302
    assert signed_in_user_id(other) == str(bystander.pk)


def test_successful_logins_do_not_count_as_failures():
    # given
    user = UserFactory()
    limit = failed_login_limit()
    # when: more successful sign-ins than the failure limit
    for _ in range(limit + 1):
        browser = Client(REMOTE_ADDR="192.0.2.50")
        assert sign_in(browser, user.email, PASSWORD).status_code == 302
    # then: a further sign-in still works
    last = Client(REMOTE_ADDR="192.0.2.50")
    assert sign_in(last, user.email, PASSWORD).status_code == 302
    assert signed_in_user_id(last) == str(user.pk)


# --- the pages: allauth inside the dashboard frame, in English and Chinese -----------------------


def frame_templates(response) -> set[str]:
    return {t.name for t in response.templates if t.name}


@pytest.mark.parametrize(
    "url_name",
    ["account_login", "account_signup", "account_reset_password", "account_email_verification_sent"],
)
def test_entrance_pages_render_in_the_dashboard_frame(client, url_name):
    # when
    response = client.get(reverse(url_name))
    # then
    assert response.status_code == 200
    assert {"base.html", "allauth/layouts/base.html"} <= frame_templates(response)
    page = response.content.decode()
    assert page.count("<h1") == 1
    assert 'class="form"' in page or url_name == "account_email_verification_sent"


ANONYMOUS_PAGES = [
    ("account_login", {}),
    ("account_signup", {}),
    ("account_reset_password", {}),
    ("account_reset_password_done", {}),
    ("account_reset_password_from_key", {"uidb36": "zz", "key": "not-a-token"}),
    ("account_reset_password_from_key_done", {}),
    ("account_email_verification_sent", {}),
    ("account_confirm_email", {"key": "not-a-key"}),
    ("account_inactive", {}),
]
SIGNED_IN_PAGES = [
    "account_email",
    "account_change_password",
    "account_logout",
    "mfa_index",
    "mfa_deactivate_totp",
    "mfa_view_recovery_codes",
    "mfa_generate_recovery_codes",
]


@pytest.mark.parametrize(("url_name", "kwargs"), ANONYMOUS_PAGES)
def test_every_public_account_page_renders_in_the_frame(client, url_name, kwargs):
    # when
    response = client.get(reverse(url_name, kwargs=kwargs))
    # then
    assert response.status_code == 200
    assert {"base.html", "allauth/layouts/base.html"} <= frame_templates(response)


def test_every_account_settings_page_renders_in_the_frame(client, frozen_in_totp_window):
    # given: signed in, two-factor on, recently re-authenticated
    user = UserFactory()
    sign_in(client, user.email, PASSWORD)
    activate_totp(client)
    for url_name in SIGNED_IN_PAGES:
        # when
        response = client.get(reverse(url_name))
        # then
        assert response.status_code == 200, url_name
        assert {"base.html", "allauth/layouts/base.html"} <= frame_templates(response), url_name
    download = client.get(reverse("mfa_download_recovery_codes"))
    assert download.status_code == 200
    assert download["Content-Type"].startswith("text/plain")


def test_sign_in_form_shows_labelled_fields_and_errors(client):
    # given
    user = UserFactory()
    # when
    response = sign_in(client, user.email, "wrong-password")
    # then: every visible field has a label, the error sits above the fields
    page = response.content.decode()
    assert '<label for="id_login">' in page
    assert '<label for="id_password">' in page
    assert 'class="form-errors"' in page
    assert reverse("account_reset_password") in page  # "Forgot your password?"


def test_two_factor_pages_render_in_the_dashboard_frame(client, frozen_in_totp_window):
    # given
    user = UserFactory()
    sign_in(client, user.email, PASSWORD)
    # when
    index = client.get(reverse("mfa_index"))
    activate_totp(client)
    codes = client.get(reverse("mfa_view_recovery_codes"))
    # then
    for response in (index, codes):
        assert response.status_code == 200
        assert {"base.html", "allauth/layouts/base.html"} <= frame_templates(response)
    assert 'class="card narrow"' in index.content.decode()


def test_sign_in_speaks_chinese_with_allauths_translations(client):
    # given
    user = UserFactory()
    for _ in range(failed_login_limit()):
        sign_in(client, user.email, "wrong-password", HTTP_ACCEPT_LANGUAGE="zh-hans")
    # when
    page = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    blocked = sign_in(client, user.email, PASSWORD, HTTP_ACCEPT_LANGUAGE="zh-hans")
    # then
    assert "登录" in page.content.decode()
    assert "登录失败次数过多" in blocked.content.decode()


# --- the invitation email ------------------------------------------------------------------------


def invite(*, language: str = "en", workspace_name: str = "Acme & Tea", inviter_name: str = "Ada Admin"):
    admin = UserFactory(full_name=inviter_name)
    workspace = WorkspaceFactory(name=workspace_name, language=language, timezone="Asia/Shanghai")
    WorkspaceMemberFactory(workspace=workspace, user=admin, role=Role.ADMIN)
    return services.invitation_create(
        actor=admin, workspace=workspace, email="guest@example.com", role=Role.EDITOR
    )


def test_invitation_email_names_workspace_role_inviter_link_and_expiry(django_capture_on_commit_callbacks):
    # when
    with django_capture_on_commit_callbacks(execute=True):
        invitation, token = invite()
    # then
    [message] = mail.outbox
    assert message.to == ["guest@example.com"]
    assert message.subject == "You are invited to join Acme & Tea on KAWO OSS"
    assert (
        "Ada Admin has invited you to join the workspace “Acme & Tea” on KAWO OSS as Editor." in message.body
    )
    assert f"{settings.KAWO['SITE_URL']}/invitations/{token}/" in message.body
    assert "&amp;" not in message.body  # plain text, not HTML-escaped
    # the expiry is shown in the workspace's time zone
    local = timezone.localtime(invitation.expires_at, zoneinfo.ZoneInfo("Asia/Shanghai"))
    with translation.override("en"):
        expected = date_format(local, "DATETIME_FORMAT")
        in_utc = date_format(timezone.localtime(invitation.expires_at, UTC), "DATETIME_FORMAT")
    assert f"{expected} (Asia/Shanghai)" in message.body
    assert in_utc not in message.body


def test_invitation_email_follows_the_workspace_language(django_capture_on_commit_callbacks):
    # given: the person who invites works in English
    with translation.override("en"):
        # when
        with django_capture_on_commit_callbacks(execute=True):
            invitation, _token = invite(language="zh-hans")
        # then: the email was rendered with Chinese active (Django's zh-hans date format) ...
        [message] = mail.outbox
        local = timezone.localtime(invitation.expires_at, zoneinfo.ZoneInfo("Asia/Shanghai"))
        assert f"{local.year}年{local.month}月{local.day}日" in message.body
        # ... and the sender's language is back afterwards
        assert translation.get_language() == "en"


def test_invitation_email_without_inviter(django_capture_on_commit_callbacks):
    # given: the inviter's account is gone (invited_by is SET_NULL)
    with django_capture_on_commit_callbacks(execute=False):
        invitation, token = invite()
    invitation.invited_by.delete()
    # when
    send_invitation_email(invitation.pk, token)
    # then
    [message] = mail.outbox
    assert "You have been invited to join the workspace “Acme & Tea” on KAWO OSS as Editor." in message.body
    assert f"/invitations/{token}/" in message.body
