"""Personal access tokens: shown once, stored hashed, revoked at once."""

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import PersonalAccessToken
from accounts.tests.factories import UserFactory
from accounts.tokens import hash_secret

pytestmark = pytest.mark.django_db


def create_token(client, **body):
    return client.post("/api/v1/tokens/", {"name": "CI script", **body}, format="json")


def bearer(plain: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plain}")
    return client


def test_create_returns_the_plain_token_once_and_stores_only_its_hash(client_for, user):
    # when
    response = create_token(client_for(user))
    # then
    assert response.status_code == 201
    plain = response.json()["token"]
    assert plain.startswith("kawo_pat_")
    row = PersonalAccessToken.objects.get(pk=response.json()["id"])
    assert row.token_hash == hash_secret(plain)
    stored = [str(value) for value in PersonalAccessToken.objects.filter(pk=row.pk).values().get().values()]
    assert plain not in stored
    assert plain.startswith(response.json()["prefix"])
    listed = client_for(user).get("/api/v1/tokens/")
    assert plain not in listed.content.decode()
    assert [t["id"] for t in listed.json()["results"]] == [row.pk]


def test_a_token_authenticates_and_records_its_use(client_for, user):
    # given
    plain = create_token(client_for(user)).json()["token"]
    # when
    response = bearer(plain).get("/api/v1/me/")
    # then
    assert response.status_code == 200
    assert response.json()["email"] == user.email
    assert PersonalAccessToken.objects.get(user=user).last_used_at is not None


def test_a_revoked_token_is_refused_at_once(client_for, user):
    # given
    created = create_token(client_for(user)).json()
    client = bearer(created["token"])
    assert client.get("/api/v1/me/").status_code == 200
    # when
    revoked = client.delete(f"/api/v1/tokens/{created['id']}/")
    # then
    assert revoked.status_code == 204
    assert client.get("/api/v1/me/").status_code == 401
    assert PersonalAccessToken.objects.get(pk=created["id"]).revoked_at is not None


def test_an_expired_token_is_refused(client_for, user):
    # given
    created = create_token(
        client_for(user), expires_at=(timezone.now() + timezone.timedelta(hours=1)).isoformat()
    )
    PersonalAccessToken.objects.filter(pk=created.json()["id"]).update(expires_at=timezone.now())
    # then
    assert bearer(created.json()["token"]).get("/api/v1/me/").status_code == 401


def test_a_made_up_token_is_refused(db):
    assert bearer("kawo_pat_not-a-real-token").get("/api/v1/me/").status_code == 401


def test_an_expiry_in_the_past_is_a_field_error(client_for, user):
    response = create_token(client_for(user), expires_at="2001-01-01T00:00:00Z")
    assert response.status_code == 400
    assert "expires_at" in response.json()["error"]["fields"]
    assert not PersonalAccessToken.objects.exists()


def test_someone_elses_token_is_404(client_for, user):
    # given
    other = UserFactory()
    created = create_token(client_for(other)).json()
    # when
    response = client_for(user).delete(f"/api/v1/tokens/{created['id']}/")
    # then
    assert response.status_code == 404
    assert PersonalAccessToken.objects.get(pk=created["id"]).revoked_at is None
    assert bearer(created["token"]).get("/api/v1/me/").status_code == 200
