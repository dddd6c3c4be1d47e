import pytest

from core.links import absolute_url


@pytest.mark.parametrize(
    ("site", "url", "expected"),
    [
        ("https://kawo.example.com", "/media/a.jpg", "https://kawo.example.com/media/a.jpg"),
        ("https://kawo.example.com/", "/review/t0k/", "https://kawo.example.com/review/t0k/"),
        (
            "https://kawo.example.com",
            "w/1/approvals/?post=2",
            "https://kawo.example.com/w/1/approvals/?post=2",
        ),
        # already absolute (a storage's own host, a signed URL): untouched
        (
            "https://kawo.example.com",
            "https://cdn.example.net/a.jpg?sig=1",
            "https://cdn.example.net/a.jpg?sig=1",
        ),
    ],
)
def test_absolute_url_puts_relative_links_on_the_site(settings, site, url, expected):
    settings.KAWO = {**settings.KAWO, "SITE_URL": site}
    assert absolute_url(url) == expected
