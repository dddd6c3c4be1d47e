"""The media library page (dashboard:media): every file of the workspace as a grid of thumbnails, with
upload, alt text and delete. The same services as the API's media endpoints (content.services.media):
what the API refuses, the page refuses, with the message next to the field."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from accounts.roles import Capability as C
from channels_app.models import PLATFORM_LABELS
from core.errors import DomainError
from core.views import WorkspacePageMixin, WorkspaceViewMixin, apply_domain_error

from .. import selectors, services
from ..media_inspect import DEFAULT_MAX_BYTES
from ..models import MediaAsset

PAGE_SIZE = 48


class MediaUploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("File"))
    alt_text = forms.CharField(
        label=gettext_lazy("Alt text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Describes the image for people who cannot see it; sent with the file."),
    )
    platforms = forms.MultipleChoiceField(
        label=gettext_lazy("Check that it suits"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy(
            "Refused now, rather than when publishing, if a chosen platform cannot take it."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["platforms"].choices = [
            (key, PLATFORM_LABELS.get(key, key)) for key in settings.PLATFORM_KEYS
        ]


class MediaAltTextForm(forms.Form):
    alt_text = forms.CharField(
        label=gettext_lazy("Alt text"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class MediaFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"),
        required=False,
        choices=[("", gettext_lazy("All kinds")), *MediaAsset.Kind.choices],
    )


def _asset_get(workspace, media_id) -> MediaAsset:
    asset = selectors.media_assets(workspace).filter(pk=media_id).first()
    if asset is None:
        raise Http404
    return asset


class MediaLibraryView(WorkspacePageMixin, TemplateView):
    """GET: the grid (filter by kind). POST: upload a file."""

    template_name = "content/media_library.html"
    required_capabilities = {"GET": C.POST_VIEW, "POST": C.MEDIA_UPLOAD}

    def get_context_data(self, upload_form=None, failed=(None, None), **kwargs):
        context = super().get_context_data(**kwargs)
        filters = MediaFilterForm(self.request.GET or None)
        kind = filters.cleaned_data["kind"] if filters.is_valid() else ""
        failed_id, failed_form = failed
        page = Paginator(selectors.media_assets(self.workspace, kind=kind), PAGE_SIZE).get_page(
            self.request.GET.get("page")
        )
        assets = list(page.object_list)
        context.update(
            filter_form=filters,
            kind=kind,
            page=page,
            query=f"kind={kind}" if kind else "",
            upload_form=upload_form or MediaUploadForm(),
            can_upload=self.access.can(C.MEDIA_UPLOAD),
            max_bytes=getattr(settings, "KAWO_MEDIA_MAX_BYTES", DEFAULT_MAX_BYTES),
            timezone_name=self.workspace.timezone,
            cards=[
                {
                    "asset": asset,
                    "form": failed_form
                    if asset.pk == failed_id
                    else MediaAltTextForm(
                        initial={"alt_text": asset.alt_text}, auto_id=f"id_media{asset.pk}_%s"
                    ),
                    "failed": asset.pk == failed_id,
                }
                for asset in assets
            ],
        )
        return context

    def post(self, request, workspace_id):
        form = MediaUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                asset = services.media_upload(
                    actor=request.user,
                    workspace=self.workspace,
                    file=form.cleaned_data["file"],
                    alt_text=form.cleaned_data["alt_text"],
                    platforms=form.cleaned_data["platforms"],
                )
            except DomainError as error:
                apply_domain_error(form, error)
            else:
                messages.success(request, _("“%(name)s” was added to the library.") % {"name": asset})
                return redirect("dashboard:media", self.workspace.pk)
        return self.render_to_response(self.get_context_data(upload_form=form), status=400)


class MediaAltTextView(WorkspaceViewMixin, View):
    """POST: change one file's alt text (posts that use it get a new version, as after an edit)."""

    required_capabilities = {"POST": C.MEDIA_UPLOAD}

    def post(self, request, workspace_id, media_id):
        asset = _asset_get(self.workspace, media_id)
        form = MediaAltTextForm(request.POST, auto_id=f"id_media{asset.pk}_%s")
        if form.is_valid():
            try:
                services.media_update(actor=request.user, media=asset, alt_text=form.cleaned_data["alt_text"])
            except DomainError as error:
                apply_domain_error(form, error)
            else:
                messages.success(request, _("Alt text of “%(name)s” saved.") % {"name": asset})
                return redirect("dashboard:media", self.workspace.pk)
        page = MediaLibraryView(request=request, args=(), kwargs=self.kwargs)
        page.workspace, page.access = self.workspace, self.access
        context = page.get_context_data(failed=(asset.pk, form))
        return page.render_to_response(context, status=400)


class MediaDeleteView(WorkspaceViewMixin, View):
    """POST: delete a file no live post uses; otherwise say why and keep it."""

    required_capabilities = {"POST": C.MEDIA_UPLOAD}

    def post(self, request, workspace_id, media_id):
        asset = _asset_get(self.workspace, media_id)
        try:
            services.media_delete(actor=request.user, media=asset)
        except DomainError as error:
            messages.error(
                request,
                _("“%(name)s” was not deleted: %(reason)s") % {"name": asset, "reason": error.message},
            )
        else:
            messages.success(request, _("“%(name)s” was deleted.") % {"name": asset})
        return redirect("dashboard:media", self.workspace.pk)
