from rest_framework.permissions import SAFE_METHODS, BasePermission

# What a request needs, by HTTP method, as model permissions (DRF's DjangoModelPermissions, plus
# `view` for reads, which DRF leaves open).
_METHOD_ACTIONS = {
    "GET": "view",
    "HEAD": "view",
    "OPTIONS": "view",
    "POST": "add",
    "PUT": "change",
    "PATCH": "change",
    "DELETE": "delete",
}


def required_permissions(request, view) -> list[str]:
    """The permissions a request needs: the view's `action_permissions[action]` when set (a
    list of "app.codename"), else the model permission of its method; a custom POST action on
    a model is a change."""
    action = getattr(view, "action", None)
    explicit = getattr(view, "action_permissions", {})
    if action in explicit:
        return list(explicit[action])
    if "*" in explicit:
        return list(explicit["*"])
    model = _model_of(view)
    if model is None:
        return []
    verb = _METHOD_ACTIONS.get(request.method, "change")
    if verb == "add" and action not in (None, "create", "bulk"):
        verb = "change"
    return [f"{model._meta.app_label}.{verb}_{model._meta.model_name}"]


def _model_of(view):
    return getattr(getattr(view, "queryset", None), "model", None)


class IsStaffOrApiKey(BasePermission):
    """An active staff user (session) or a valid API key, whose user's role allows the request.

    A key acts with its user's role; a read-only key may only read.
    """

    message = "Sign in as staff or send a valid `Authorization: Api-Key <key>` header."

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        api_key = getattr(request, "auth", None)
        if getattr(api_key, "is_read_only", False) and request.method not in SAFE_METHODS:
            self.message = "This API key is read-only."
            return False
        if api_key is None and not user.is_staff:
            return False
        if not user.has_perms(required_permissions(request, view)):
            self.message = "Your role does not allow this."
            return False
        return True


class DeleteRequiresStaff(BasePermission):
    """Deleting is for staff, even through the key of a non-staff user."""

    message = "Only staff may delete."

    def has_permission(self, request, view) -> bool:
        return request.method != "DELETE" or bool(request.user and request.user.is_staff)
