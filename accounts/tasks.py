from celery import shared_task
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from core.links import absolute_url

from . import services
from .models import Invitation


@shared_task(
    name="accounts.send_invitation_email", autoretry_for=(OSError,), retry_backoff=True, max_retries=5
)
def send_invitation_email(invitation_id: int, token: str) -> None:
    invitation = Invitation.objects.select_related("workspace", "invited_by").filter(pk=invitation_id).first()
    if invitation is None or invitation.status != Invitation.Status.PENDING:
        return
    url = absolute_url(reverse("dashboard:invitation_accept", args=[token]))
    with translation.override(invitation.workspace.language):
        context = {"invitation": invitation, "url": url}
        subject = render_to_string("emails/invitation_subject.txt", context).strip()
        body = render_to_string("emails/invitation_body.txt", context)
    send_mail(subject, body, None, [invitation.email])


@shared_task(name="accounts.expire_invitations")
def expire_invitations() -> int:
    return services.invitations_expire()
