from rest_framework.permissions import SAFE_METHODS, BasePermission


class IsStaffOrApiKey(BasePermission):
    """Any active staff user (session) or valid API key; read-only keys may only read."""

    message = "Sign in as staff or send a valid `Authorization: Api-Key <key>` header."

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        api_key = getattr(request, "auth", None)
        if getattr(api_key, "is_read_only", False) and request.method not in SAFE_METHODS:
            self.message = "This API key is read-only."
            return False
        return api_key is not None or user.is_staff


class DeleteRequiresStaff(BasePermission):
    """Deleting is for staff, even through the key of a non-staff user."""

    message = "Only staff may delete."

    def has_permission(self, request, view) -> bool:
        return request.method != "DELETE" or bool(request.user and request.user.is_staff)
