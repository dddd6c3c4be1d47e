"""Run in a subprocess by tests/test_sqlite_demo.py: the demo's embedded defaults (SQLite, no Redis).

Migrates a fresh SQLite file, loads the demo, signs in as the brand owner and as an agency editor, and
GETs every dashboard and API page that needs nothing but the workspace id; as the owner, also every page
of one demo post per status (the post, its approval page, history, timeline...). Prints JSON: path ->
status.
"""

import json
import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kawo.settings.local")
django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import URLPattern, URLResolver, get_resolver  # noqa: E402

from accounts.models import Workspace  # noqa: E402
from content.models import Post  # noqa: E402


def patterns(resolver=None, prefix=""):
    for entry in (resolver or get_resolver()).url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from patterns(entry, route)
        elif isinstance(entry, URLPattern):
            yield route


def main() -> None:
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    call_command("seed_demo", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    workspace = Workspace.objects.get(organization__slug="lumiere", slug="china")
    routes = sorted(
        {
            r.replace("<int:workspace_id>", str(workspace.pk))
            for r in patterns()
            if "<" not in r.replace("<int:workspace_id>", "")
            and not r.startswith(("admin", "accounts/", "i18n", "api/schema", "api/docs", "^"))
            and "\\" not in r
            and "(?P" not in r
        }
    )
    post_routes = sorted(
        {
            r.replace("<int:workspace_id>", str(workspace.pk))
            for r in patterns()
            if "<int:post_id>" in r
            and "<" not in r.replace("<int:workspace_id>", "").replace("<int:post_id>", "")
        }
    )
    posts = {}  # one post per status, and the ones with review comments or compliance findings
    for post in Post.objects.filter(workspace=workspace).order_by("id"):
        posts.setdefault(post.status, post)
        if post.review_comments.exists() or post.compliance.get("findings"):
            posts.setdefault(f"{post.status}-{post.pk}", post)
    results = {}
    for login in ("owner@demo.kawo.test", "agency-editor@demo.kawo.test"):
        client = Client(HTTP_HOST="127.0.0.1", raise_request_exception=False)
        response = client.post("/accounts/login/", {"login": login, "password": "kawo-demo-2026"})
        results[f"{login} login"] = response.status_code
        for route in routes:
            results[f"{login} /{route}"] = client.get("/" + route).status_code
        if login.startswith("owner@"):
            for post in posts.values():
                for route in post_routes:
                    path = "/" + route.replace("<int:post_id>", str(post.pk))
                    results[f"{login} {path} ({post.status})"] = client.get(path).status_code
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
