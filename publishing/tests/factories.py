import uuid

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.tests.factories import WorkspaceFactory
from channels_app import vault
from publishing.models import WebhookDelivery, WebhookEndpoint

SECRET = "whsec_test-secret-for-factories"


class WebhookEndpointFactory(DjangoModelFactory):
    class Meta:
        model = WebhookEndpoint

    workspace = factory.SubFactory(WorkspaceFactory)
    url = factory.Sequence(lambda n: f"https://93.184.215.14/hooks/{n}")
    events = factory.LazyFunction(lambda: ["*"])
    secret_ciphertext = factory.LazyFunction(lambda: vault.encrypt_text(SECRET))
    secret_hint = SECRET[:10]


class WebhookDeliveryFactory(DjangoModelFactory):
    class Meta:
        model = WebhookDelivery

    endpoint = factory.SubFactory(WebhookEndpointFactory)
    workspace = factory.LazyAttribute(lambda o: o.endpoint.workspace)
    event = "post.published"
    event_id = factory.LazyFunction(uuid.uuid4)
    payload = factory.LazyFunction(lambda: {"type": "post.published", "data": {"post_id": 1}})
    status = WebhookDelivery.Status.DELIVERED
    attempt_count = 1
    last_response_code = 200
    delivered_at = factory.LazyFunction(timezone.now)
