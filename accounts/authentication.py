from django.utils import timezone
from rest_framework import authentication, exceptions

from .models import PersonalAccessToken
from .tokens import hash_secret


class PersonalAccessTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer kawo_pat_…` for scripts. Tokens are stored hashed; revoked ones fail at once."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        parts = header.split()
        if len(parts) != 2 or parts[0] != self.keyword:
            return None
        token = (
            PersonalAccessToken.objects.select_related("user")
            .filter(token_hash=hash_secret(parts[1]))
            .first()
        )
        if token is None or not token.is_usable or not token.user.is_active:
            raise exceptions.AuthenticationFailed("Invalid, expired or revoked token.")
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            PersonalAccessToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword
