from datetime import timedelta

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.tests.factories import WorkspaceFactory
from channels_app import vault
from channels_app.connectors.base import Credentials
from channels_app.models import AccountGroup, SocialAccount


class AccountGroupFactory(DjangoModelFactory):
    class Meta:
        model = AccountGroup

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"Group {n}")


class SocialAccountFactory(DjangoModelFactory):
    """An account with encrypted credentials (pass `credentials=None` for none)."""

    class Meta:
        model = SocialAccount
        skip_postgeneration_save = True

    workspace = factory.SubFactory(WorkspaceFactory)
    platform = "weibo"
    external_id = factory.Sequence(lambda n: f"ext-{n}")
    handle = factory.Sequence(lambda n: f"brand_{n}")
    display_name = factory.LazyAttribute(lambda o: o.handle.title())
    status = SocialAccount.Status.CONNECTED
    token_expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))
    has_refresh_token = True
    connected_at = factory.LazyFunction(timezone.now)
    last_refreshed_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def credentials(obj, create, extracted, **kwargs):
        if not create or extracted is False:
            return
        credentials = extracted or Credentials(
            access_token=f"plain-access-{obj.external_id}",
            refresh_token=f"plain-refresh-{obj.external_id}" if obj.has_refresh_token else "",
            expires_at=obj.token_expires_at,
        )
        vault.credentials_write(obj, credentials)
