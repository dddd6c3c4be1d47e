"""Helpers the content page tests share."""

from __future__ import annotations

from datetime import date, timedelta

from django.test import Client
from django.utils import timezone

from accounts.roles import Role
from accounts.tests.factories import WorkspaceFactory, WorkspaceMemberFactory
from channels_app.tests.factories import SocialAccountFactory


def signed_in_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def member_user(workspace, role=Role.MANAGER):
    """A new person with `role` in `workspace`."""
    return WorkspaceMemberFactory(workspace=workspace, role=role).user


def tomorrow(workspace) -> date:
    """Tomorrow in the workspace's time zone."""
    return (timezone.now().astimezone(workspace.tzinfo) + timedelta(days=1)).date()


def brand_with_accounts(*platforms: str):
    """A Shanghai workspace with one account per platform (handle `brand_<platform>`), in that order."""
    workspace = WorkspaceFactory(timezone="Asia/Shanghai")
    accounts = {
        platform: SocialAccountFactory(workspace=workspace, platform=platform, handle=f"brand_{platform}")
        for platform in platforms
    }
    return workspace, accounts
