"""Read-only relations the user may not open, shown as text.

Django's admin links every read-only foreign key to the related object's change page whatever
the reader's permissions, so a role that reads a page (a creator's login, an analyst) met links
answering 403: a task's assignee (the users' list is an Owner's), a campaign's client. With this
mixin a read-only relation whose model the user may not view is its plain text instead."""

from django.core.exceptions import FieldDoesNotExist

SUFFIX = "_as_text"


class PlainUnviewableRelationsMixin:
    """For ModelAdmins: every read-only field that is a foreign key (or one-to-one) to a model
    the user may neither view nor change becomes `<name>_as_text`, its text and no link."""

    def __getattr__(self, name: str):
        if not name.endswith(SUFFIX):
            raise AttributeError(name)
        field_name = name[: -len(SUFFIX)]
        field = self.model._meta.get_field(field_name)

        def as_text(obj):
            value = getattr(obj, field_name, None)
            return "—" if value is None else str(value)

        as_text.short_description = field.verbose_name
        return as_text

    def _unviewable(self, request, name) -> bool:
        if not isinstance(name, str):
            return False
        try:
            field = self.model._meta.get_field(name)
        except FieldDoesNotExist:
            return False
        if not (field.many_to_one or field.one_to_one) or field.related_model is None:
            return False
        opts = field.related_model._meta
        user = request.user
        return not (
            user.has_perm(f"{opts.app_label}.view_{opts.model_name}")
            or user.has_perm(f"{opts.app_label}.change_{opts.model_name}")
        )

    def plain_readonly(self, request, names) -> list:
        """`names` (read-only fields) with the relations `request.user` may not open as text;
        a ModelAdmin that overrides `get_readonly_fields` returns its names through this."""
        return [f"{n}{SUFFIX}" if self._unviewable(request, n) else n for n in names]

    def get_readonly_fields(self, request, obj=None):
        return self.plain_readonly(request, super().get_readonly_fields(request, obj))

    def get_fieldsets(self, request, obj=None):
        view_only = obj is not None and not self.has_change_permission(request, obj)
        readonly = {
            n[: -len(SUFFIX)] if isinstance(n, str) and n.endswith(SUFFIX) else n
            for n in self.get_readonly_fields(request, obj)
        }

        def plain(name):
            if (view_only or name in readonly) and self._unviewable(request, name):
                return f"{name}{SUFFIX}"
            return name

        fieldsets = []
        for title, options in super().get_fieldsets(request, obj):
            fields = [
                tuple(plain(n) for n in f) if isinstance(f, list | tuple) else plain(f)
                for f in options.get("fields", ())
            ]
            fieldsets.append((title, {**options, "fields": fields}))
        return fieldsets
