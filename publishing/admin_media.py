"""The media library in the admin (specs/publishing.md §2): an upload form, the assets as a grid
with their preview, kind, size, dimensions, duration and how many posts use them, and deleting
unused ones. Everything goes through publishing.services.media, like the API."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect

from core.admin.pages import AdminPage, posted_ids
from core.errors import DomainError

from .filters import MediaAssetFilterSet
from .models import MediaAsset
from .queries import media_visible_to, media_with_usage
from .services.media import media_asset_create, media_asset_delete
from .services.probing import ffprobe_path

PER_PAGE = 48


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern): cleaned to a list."""

    def clean(self, data, initial=None):
        one = super().clean
        if isinstance(data, list | tuple):
            return [one(item, initial) for item in data]
        return [one(data, initial)]


class UploadForm(forms.Form):
    files = MultipleFileField(
        widget=MultipleFileInput(attrs={"accept": "image/*,video/*"}),
        label="Images or videos",
    )


class MediaLibraryPage(AdminPage):
    route = "library/"
    url_name = "publishing_media_library"
    title = "Media library"
    template = "admin/publishing/media_library.html"
    permissions = ("publishing.view_mediaasset",)

    def _assets(self):
        user = self.request.user
        return media_visible_to(user, MediaAsset.objects.select_related("created_by"))

    def get_context(self, **kwargs) -> dict:
        user = self.request.user
        filters = MediaAssetFilterSet(self.request.GET, queryset=self._assets())
        qs = filters.qs if filters.is_valid() else self._assets().none()
        page = Paginator(media_with_usage(qs).order_by("-created_at", "-id"), PER_PAGE).get_page(
            self.request.GET.get("p")
        )
        return {
            "page": page,
            "kind": self.request.GET.get("kind", ""),
            "form": UploadForm(),
            "can_upload": user.has_perm("publishing.add_mediaasset"),
            "can_delete": user.has_perm("publishing.delete_mediaasset") and user.is_staff,
            "ffprobe_missing": ffprobe_path() is None,
        }

    def post(self, **kwargs) -> HttpResponse:
        request = self.request
        if "delete" in request.POST:
            return self._delete(posted_ids(request.POST.getlist("delete")))
        if not request.user.has_perm("publishing.add_mediaasset"):
            raise PermissionDenied
        form = UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            messages.error(request, "Choose one or more images or videos to upload.")
            return redirect(self.url())
        for file in form.cleaned_data["files"]:
            try:
                asset, created = media_asset_create(file=file, user=request.user)
            except DomainError as error:
                messages.error(request, f"{file.name}: {error.message}")
                continue
            if created:
                messages.success(request, f"{file.name}: added ({asset.get_kind_display()}).")
            else:
                messages.info(request, f"{file.name}: already in the library (the same file).")
        return redirect(self.url())

    def _delete(self, ids: list[int]) -> HttpResponse:
        request = self.request
        if not (request.user.is_staff and request.user.has_perm("publishing.delete_mediaasset")):
            raise PermissionDenied
        for asset in self._assets().filter(pk__in=ids):
            try:
                media_asset_delete(asset)
            except DomainError as error:
                messages.warning(request, f"{asset}: {error.message}")
            else:
                messages.success(request, f"{asset} deleted.")
        return redirect(self.url())


class MediaThumbnailPage(AdminPage):
    """The small preview of an asset, read through the storage API (local files or S3)."""

    route = "library/<int:pk>/thumbnail/"
    url_name = "publishing_media_thumbnail"
    permissions = ("publishing.view_mediaasset",)

    def get(self, pk: int) -> HttpResponse:
        assets = media_visible_to(self.request.user, MediaAsset.objects.all())
        asset = assets.filter(pk=pk).first()
        if asset is None or not asset.thumbnail:
            raise Http404
        response = FileResponse(asset.thumbnail.open("rb"), content_type="image/jpeg")
        response["Cache-Control"] = "private, max-age=86400"
        return response
