"""Screenshots of the running demo for the README's tour (after `make run`, in another terminal):

    .venv/bin/python scripts/demo_screenshots.py [--url http://127.0.0.1:8000] [--out docs/screenshots]

Signs in through the real sign-in form as the demo people (password kawo-demo-2026) and saves the pages a
newcomer would look at first. It reads ids from the same database `make run` uses (same environment).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kawo.settings.local")

import django  # noqa: E402

django.setup()

from playwright.sync_api import sync_playwright  # noqa: E402

from accounts.models import Workspace  # noqa: E402
from content.models import Post  # noqa: E402

PASSWORD = "kawo-demo-2026"


def sign_in(page, url: str, email: str) -> None:
    page.goto(f"{url}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form:has(input[name=password]) button[type=submit]").click()
    page.wait_for_load_state("networkidle")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    china = Workspace.objects.get(organization__slug="lumiere", slug="china")
    published = (
        Post.objects.filter(workspace=china, status="published", deleted_at__isnull=True)
        .order_by("-scheduled_at")
        .first()
    )
    in_review = Post.objects.filter(workspace=china, status="in_review", deleted_at__isnull=True).first()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        shots = [
            ("manager@demo.kawo.test", "en-US", f"/w/{china.pk}/calendar/", "demo-calendar.png"),
            ("legal@demo.kawo.test", "en-US", f"/w/{china.pk}/approvals/", "demo-approvals.png"),
            ("manager@demo.kawo.test", "en-US", f"/w/{china.pk}/accounts/", "demo-accounts.png"),
        ]
        if published is not None:
            shots.append(
                ("manager@demo.kawo.test", "en-US", f"/w/{china.pk}/posts/{published.pk}/", "demo-post.png")
            )
        if in_review is not None:
            shots.append(
                (
                    "editor@demo.kawo.test",
                    "en-US",
                    f"/w/{china.pk}/posts/{in_review.pk}/edit/",
                    "demo-composer.png",
                )
            )
        for email, locale, path, name in shots:
            context = browser.new_context(viewport={"width": 1440, "height": 1000}, locale=locale)
            page = context.new_page()
            sign_in(page, args.url, email)
            page.goto(f"{args.url}{path}")
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(out / name), full_page=False)
            print(f"{name}: {email} {path}")
            context.close()
        browser.close()


if __name__ == "__main__":
    main()
