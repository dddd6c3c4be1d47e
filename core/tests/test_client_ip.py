"""The audit log's client address: X-Forwarded-For is only believed from the proxies the settings trust."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from core.middleware import client_ip


@pytest.mark.parametrize(
    ("trusted", "forwarded", "expected"),
    [
        (0, "", "198.51.100.1"),  # no proxy: the connection's address
        (0, "6.6.6.6", "198.51.100.1"),  # no proxy trusted: a client's own header is ignored
        (1, "203.0.113.7", "203.0.113.7"),  # one proxy: the address it saw
        (1, "6.6.6.6, 203.0.113.7", "203.0.113.7"),  # a forged entry before it is not believed
        (2, "6.6.6.6, 203.0.113.7, 10.0.0.5", "203.0.113.7"),  # two proxies: the outer one's view
        (2, "203.0.113.7", "198.51.100.1"),  # fewer hops than proxies: the header is not what we expect
    ],
)
def test_forwarded_for_is_believed_only_from_trusted_proxies(settings, trusted, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = trusted
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    request = RequestFactory().get("/", REMOTE_ADDR="198.51.100.1", **headers)
    assert client_ip(request) == expected
