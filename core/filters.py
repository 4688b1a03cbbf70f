"""Filter pieces the apps' FilterSets share."""

import copy
from collections.abc import Collection, MutableMapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import cached_property

import django_filters
from django import forms
from django.db.models import F, IntegerField, Q, QuerySet
from django.db.models.functions import Lower
from django.http import QueryDict
from django_filters.constants import EMPTY_VALUES
from django_filters.fields import BaseCSVField
from django_filters.utils import get_model_field
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from core.inputs import ASCII_DIGITS_MESSAGE, is_foreign_text
from core.sorting import sort_by

# PostgreSQL refuses a UTC offset of 16 hours or more ("time zone displacement out of range");
# Python accepts up to 24.
MAX_UTC_OFFSET = timedelta(hours=15, minutes=59, seconds=59)
# The widest integer column (bigint): a number beyond cannot be stored, nor compared everywhere.
LARGEST_NUMBER = 2**63 - 1
# PostgreSQL's numeric overflows on some thousands of decimal places (1e-20000); no filter
# needs more than a few.
MOST_DECIMAL_PLACES = 100


def unstorable_value_error(value) -> str | None:
    """Why a cleaned filter value cannot go into a query (on PostgreSQL or SQLite), or None.

    A range filter's value is a slice: both its bounds are checked."""
    if isinstance(value, slice):
        return unstorable_value_error(value.start) or unstorable_value_error(value.stop)
    if isinstance(value, datetime) and value.tzinfo is not None:
        offset = value.utcoffset()
        if offset is not None and abs(offset) > MAX_UTC_OFFSET:
            return "Enter a valid date/time: the UTC offset must be between -15:59 and +15:59."
        try:
            value.astimezone(UTC)
        except OverflowError:
            return "Enter a date/time between the years 1 and 9999 (in UTC)."
    numeric = isinstance(value, int | float | Decimal) and not isinstance(value, bool)
    if numeric and abs(value) > LARGEST_NUMBER:
        return f"Enter a number between -{LARGEST_NUMBER} and {LARGEST_NUMBER}."
    if (
        isinstance(value, Decimal)
        and value.is_finite()
        and value.as_tuple().exponent < -MOST_DECIMAL_PLACES
    ):
        return f"Enter a number with at most {MOST_DECIMAL_PLACES} decimal places."
    return None


def _counts(filterset_class, filter_) -> bool:
    model_field = get_model_field(filterset_class._meta.model, filter_.field_name)
    return isinstance(model_field, IntegerField)


class StorableValuesForm(forms.Form):
    """A FilterSet's form that refuses (as errors on their filters) the values the database
    would fail on: the API answers 400 naming the filter, the admin ignores it with a warning.

    `only` (names) builds the form with those fields alone (CheckedFilterSet.form)."""

    def __init__(self, *args, only: Collection[str] | None = None, **kwargs):
        if only is not None:
            # Django copies `base_fields` into `fields`: an instance's own, narrower template.
            self.base_fields = _FormFieldsTemplate(
                (name, field) for name, field in type(self).base_fields.items() if name in only
            )
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned_data = super().clean()
        for name, value in list(cleaned_data.items()):
            if value is None or (type(value) in (str, list, tuple) and not value):
                continue  # not given (most filters of a request): nothing to refuse
            error = unstorable_value_error(value) or self._foreign_digits_error(name)
            if error:
                self.add_error(name, error)
        return self.cleaned_data

    def _foreign_digits_error(self, name: str) -> str | None:
        # Numbers, dates, ids and yes/no are typed in ASCII (core.inputs); text may be any.
        if isinstance(self.fields[name], forms.CharField):
            return None
        # Through the widget: a range's `views_min` / `views_max` are one field, `views`.
        raw = self.fields[name].widget.value_from_datadict(self.data, self.files, name)
        values = raw if isinstance(raw, list | tuple) else [raw]
        return ASCII_DIGITS_MESSAGE if any(is_foreign_text(value) for value in values) else None


class StrictBooleanSelect(forms.NullBooleanSelect):
    """Yes/no in the URL; an unknown word is passed on (not read as "no filter") so that the
    field can refuse it."""

    def value_from_datadict(self, data, files, name):
        # Django's select also reads its own option values "2" and "3" as yes and no: a URL
        # says true/false (or 1/0), anything else reaches the field to be refused.
        return data.get(name)


class StrictNullBooleanField(forms.NullBooleanField):
    widget = StrictBooleanSelect
    default_error_messages = {"invalid": "Enter true or false."}

    def to_python(self, value):
        if isinstance(value, str) and value not in ("", "unknown"):
            if value.lower() in ("true", "1"):
                return True
            if value.lower() in ("false", "0"):
                return False
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class CheckedFilterSet(django_filters.FilterSet):
    """A FilterSet that answers bad values with an error on their filter instead of a silent
    "no filter" (`?is_trial=maybe`) or a database error (an offset of +22:57, 10^400)."""

    @classmethod
    def get_filters(cls):
        filters = super().get_filters()
        for filter_ in filters.values():
            if isinstance(filter_, django_filters.BooleanFilter):
                filter_.field_class = StrictNullBooleanField
                filter_.extra.pop("widget", None)
            # A count (views, followers) is a whole number: `?views_min=0.5` is refused.
            elif type(filter_) is django_filters.NumberFilter and _counts(cls, filter_):
                filter_.field_class = forms.IntegerField
            elif type(filter_) is django_filters.RangeFilter and _counts(cls, filter_):
                filter_.extra["fields"] = (forms.IntegerField(), forms.IntegerField())
        return filters

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        # django-filter's own __init__, but for the filters: it deep-copies every one per
        # request, while a filter is configured once per class and holds nothing a request
        # changes but its model and parent, so a shallow copy will do, made when the filter is
        # first read (_FilterCopies).
        if queryset is None:
            queryset = self._meta.model._default_manager.all()
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self.queryset = queryset
        self.request = request
        self.form_prefix = prefix
        self.filters = _FilterCopies(self)

    # Set by callers that only filter (the API's filter backend, the admin's changelist), never
    # by one that draws the form (the browsable API): see `form`.
    only_named_filters = False

    @property
    def form(self):
        """The filters' form. When filtering only (`only_named_filters`), a bound form holds
        just the filters the data names, plus any whose absence filters something: copying,
        binding and cleaning the thirty others changed nothing but the time a request takes.
        The rest of the FilterSet reads `cleaned_data.get(name)` for them (None)."""
        if not hasattr(self, "_form"):
            if self.is_bound and self.only_named_filters:
                form_class = self.get_form_class()
                self._form = form_class(
                    self.data, prefix=self.form_prefix, only=self._filters_to_clean(form_class)
                )
            else:
                return super().form
        return self._form

    def _filters_to_clean(self, form_class) -> list[str]:
        skippable = _SKIPPABLE_FILTERS.get(type(self))
        if skippable is None:
            skippable = _SKIPPABLE_FILTERS.setdefault(type(self), self._skippable(form_class))
        prefix = f"{self.form_prefix}-" if self.form_prefix else ""
        # A widget reads its field's name or the name plus a suffix (`views_min`,
        # `post_date_after`): a key starting with the name may be the field's.
        keys = [key for key in self.data if isinstance(key, str)]
        return [
            name
            for name in form_class.base_fields
            if name not in skippable or any(key.startswith(prefix + name) for key in keys)
        ]

    def _skippable(self, form_class) -> frozenset[str]:
        """The filters that filter nothing when the data does not name them: their field
        cleans absent data without error to an empty value, on which the filter returns the
        very queryset it was given (django-filter's filters and `method`s all do; one with a
        default of its own would not, and is always cleaned)."""
        form = form_class(QueryDict(), prefix=self.form_prefix)
        form.is_valid()
        rows = self.queryset.none()
        skippable = set()
        for name, filter_ in self.filters.items():
            if name in form.errors or name not in form.cleaned_data:
                continue
            value = _emptied(form.cleaned_data[name])
            if (value is None or (type(value) in (str, list, tuple, dict) and not value)) and (
                filter_.filter(rows, value) is rows
            ):
                skippable.add(name)
        return frozenset(skippable)

    def filter_queryset(self, queryset):
        for name, value in self.form.cleaned_data.items():
            queryset = self.filters[name].filter(queryset, _emptied(value))
        return queryset

    def get_form_class(self):
        # The form's fields depend on the class alone (no filter takes a queryset built from
        # the request): built once per class; each form still copies its fields.
        form_class = _FORM_CLASSES.get(type(self))
        if form_class is None:
            built = super().get_form_class()
            form_class = type(built.__name__, (StorableValuesForm, built), {})
            form_class.base_fields = _FormFieldsTemplate(form_class.base_fields)
            form_class = _FORM_CLASSES.setdefault(type(self), form_class)
        return form_class


def _emptied(value):
    # A many-rows filter left empty cleans to `rows.none()`, and django-filter's `if not
    # value` (and any_related's) then compiles a whole query to find it empty, once per such
    # filter and request: an empty list says the same for nothing.
    if isinstance(value, QuerySet) and value.query.is_empty():
        return []
    return value


# FilterSet class -> the filters that filter nothing when not named (CheckedFilterSet.form).
_SKIPPABLE_FILTERS: dict[type, frozenset[str]] = {}


class _FilterCopies(MutableMapping):
    """A FilterSet's own filters, each copied from the class's when first read: a request that
    names one filter copies one, not thirty (each with its queryset, a tenth of the empty
    page's time). Anything but reading one by name (iterating, counting, changing) copies them
    all first, in the class's order."""

    def __init__(self, filterset: django_filters.FilterSet):
        self._filterset = filterset
        self._copies: dict[str, django_filters.Filter] = {}
        self._all_copied = False

    def __getitem__(self, name):
        try:
            return self._copies[name]
        except KeyError:
            if self._all_copied or name not in self._filterset.base_filters:
                raise
        filter_ = _filter_copy(self._filterset.base_filters[name])
        filter_.model = self._filterset.queryset.model
        filter_.parent = self._filterset
        return self._copies.setdefault(name, filter_)

    def __contains__(self, name) -> bool:
        if self._all_copied:
            return name in self._copies
        return name in self._copies or name in self._filterset.base_filters

    def _copied(self) -> dict[str, django_filters.Filter]:
        if not self._all_copied:
            for name in self._filterset.base_filters:
                self[name]
            # In the class's order.
            self._copies = {name: self._copies[name] for name in self._filterset.base_filters}
            self._all_copied = True
        return self._copies

    def __iter__(self):
        return iter(self._copied())

    def __len__(self) -> int:
        return len(self._copied())

    def __setitem__(self, name, filter_) -> None:
        self._copied()[name] = filter_

    def __delitem__(self, name) -> None:
        del self._copied()[name]

    def __repr__(self) -> str:
        return repr(self._copied())


def _filter_copy(filter_: django_filters.Filter) -> django_filters.Filter:
    """A filter of one FilterSet instance: its own `extra` (fields write into it) and its own
    queryset (an evaluated one would serve stale rows to every later request)."""
    clone = copy.copy(filter_)
    clone.extra = dict(filter_.extra)
    queryset = getattr(filter_, "queryset", None)
    if isinstance(queryset, QuerySet):
        clone.queryset = queryset.all()
        clone.extra["queryset"] = clone.queryset
    if filter_.method is not None:
        clone.method = filter_.method  # its FilterMethod calls the clone's parent
    return clone


class _FormFieldsTemplate(dict):
    """A filter form's `base_fields`, which Django deep-copies into every form (every field,
    widget and list of choices: a tenth of an API request). Cleaning and drawing a filter form
    change none of them, so each form gets shallow copies with their own attributes, widget
    and queryset (`_form_field_copy`)."""

    def __deepcopy__(self, memo) -> dict:
        return {name: _form_field_copy(field) for name, field in self.items()}


def _form_field_copy(field: forms.Field) -> forms.Field:
    clone = copy.copy(field)
    clone.widget = copy.copy(field.widget)
    clone.widget.attrs = dict(field.widget.attrs)
    clone.error_messages = dict(field.error_messages)
    clone.validators = list(field.validators)
    if isinstance(field, forms.MultiValueField):
        clone.fields = tuple(_form_field_copy(f) for f in field.fields)
    if isinstance(field.widget, forms.MultiWidget):
        clone.widget.widgets = [copy.copy(w) for w in field.widget.widgets]
    if isinstance(field, forms.ModelChoiceField):
        # Its own unevaluated rows (and a widget whose choices read them), as Django's copy.
        clone.queryset = field.queryset.all() if field.queryset is not None else None
    return clone


# FilterSet class -> its form class (CheckedFilterSet.get_form_class).
_FORM_CLASSES: dict[type, type] = {}


class BigListFilterSet(CheckedFilterSet):
    """A FilterSet for lists of millions of rows: no filter adds DISTINCT.

    django-filter's multiple-choice filters add it by default, and PostgreSQL then
    de-duplicates every matching (wide) row before the first page. None of our filters can
    repeat a row: foreign keys and choices cannot, many-to-many filters are semijoins
    (`any_related`)."""

    @classmethod
    def get_filters(cls):
        filters = super().get_filters()
        for filter_ in filters.values():
            filter_.distinct = False
        return filters


class HiddenFieldsFilterSet(django_filters.FilterSet):
    """A FilterSet that refuses to filter, sort or search by the fields the request's user may
    not see: answering a count for `?payment_method=wise` would reveal the value one row at a
    time. Subclasses name those fields with `hidden_fields(user)`. A refused parameter is a
    validation error naming it, so it is never applied: the API answers 400, the admin shows a
    message (and does not offer the filter, see core.admin.FilterSetAdminMixin)."""

    def hidden_fields(self, user) -> Collection[str]:
        return ()

    @cached_property
    def hidden_field_names(self) -> frozenset[str]:
        return frozenset(self.hidden_fields(getattr(self.request, "user", None)))

    @cached_property
    def refused_filters(self) -> frozenset[str]:
        """The filters on a hidden field (whatever the request's data)."""
        return frozenset(
            name
            for name, filter_ in self.filters.items()
            if not isinstance(filter_, django_filters.OrderingFilter)
            and _root(filter_.field_name) in self.hidden_field_names
        )

    @property
    def errors(self):
        errors = self.form.errors
        if self.is_bound and not getattr(self, "_refusals_checked", False):
            self._refusals_checked = True
            self._refuse_hidden_parameters()
        return errors

    def is_valid(self) -> bool:
        return self.is_bound and not self.errors

    def _refuse_hidden_parameters(self) -> None:
        form = self.form
        # A filter missing from the form is one the data does not name (CheckedFilterSet.form).
        for name in self.refused_filters:
            if name in form.fields and _given(form[name].data):
                form.add_error(name, f"You may not filter or search by {name}.")
        for name, filter_ in self.filters.items():
            if not isinstance(filter_, django_filters.OrderingFilter) or name not in form.fields:
                continue
            hidden = {
                param
                for param, field in filter_.param_map.items()
                if _root(field) in self.hidden_field_names
            }
            asked = {value.lstrip("-") for value in form[name].data or () if value}
            for param in sorted(asked & hidden):
                form.add_error(name, f"You may not sort by {param}.")


def _root(field_name: str) -> str:
    return field_name.split("__", 1)[0]


def _given(value) -> bool:
    if isinstance(value, list | tuple):
        return any(_given(v) for v in value)
    return value not in EMPTY_VALUES


class SortTermsField(BaseCSVField):
    """Comma-separated sort terms, the empty ones (`?ordering=views,,`) left out."""

    def clean(self, value):
        if isinstance(value, list):
            value = [term for term in value if term not in self.empty_values]
        return super().clean(value)


class SortFilter(django_filters.OrderingFilter):
    """`?ordering=-views,post_date`, on core.sorting's sort keys (NULL sorts lowest), ties
    broken by the primary key in the first key's direction: every page is stable and every
    ordering can be keyset-paged (the models index the common ones)."""

    base_field_class = SortTermsField

    def filter(self, qs, value):
        if value in EMPTY_VALUES:
            return qs
        ordering = []
        for param in value:
            name = self.get_ordering_value(param)
            field, descending = name.lstrip("-"), name.startswith("-")
            if self._bounded(field):
                # A range filter on it leaves no NULL: sort on the column, whose index serves
                # the range and the order at once.
                ordering.append(F(field).desc() if descending else F(field).asc())
            else:
                ordering.append(sort_by(qs.model, field, descending=descending))
        pk = qs.model._meta.pk.name
        return qs.order_by(*ordering, f"-{pk}" if ordering[0].descending else pk)

    def _bounded(self, field: str) -> bool:
        """The FilterSet filters `field` by a range with at least one bound."""
        parent = getattr(self, "parent", None)
        if parent is None or not hasattr(parent.form, "cleaned_data"):
            return False
        return any(
            filter_.field_name == field and has_bound(parent.form.cleaned_data.get(name))
            for name, filter_ in parent.filters.items()
        )


def has_bound(value) -> bool:
    """A range filter's cleaned value (a slice) with a start or a stop."""
    return isinstance(value, slice) and (value.start is not None or value.stop is not None)


def any_related(queryset: QuerySet, name: str, values) -> QuerySet:
    """Rows linked to any of `values` through the many-to-many field `name`: a semijoin on the
    through table (`id IN (SELECT …)`), so a row linked to two of them is listed once without
    DISTINCT, which would sort every matching row before the first page. A FilterSet
    `method` for many-to-many filters."""
    if not values:
        return queryset
    field = queryset.model._meta.get_field(name)
    through = field.remote_field.through._default_manager
    linked = through.filter(**{f"{field.m2m_reverse_field_name()}__in": values})
    return queryset.filter(pk__in=linked.values(field.m2m_field_name()))


class NameOrIdChoiceField(django_filters.fields.ModelMultipleChoiceField):
    """Rows named by id or by name (case-insensitive): `?category=3` or `?category=Fitness`.
    A name shared by several rows (a subcategory of two categories) means all of them."""

    name_field = "name"

    def _check_values(self, value):
        texts = [str(v).strip() for v in value if str(v).strip()]
        ids = [int(text) for text in texts if text.isascii() and text.isdigit()]
        rows = list(
            self.queryset.alias(_name=Lower(self.name_field)).filter(
                Q(pk__in=ids) | Q(_name__in={text.lower() for text in texts})
            )
        )
        found = {str(row.pk) for row in rows}
        found |= {str(getattr(row, self.name_field)).lower() for row in rows}
        for text in texts:
            if text not in found and text.lower() not in found:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": text},
                )
        return rows


@extend_schema_field(OpenApiTypes.STR)
class NameOrIdFilter(django_filters.ModelMultipleChoiceFilter):
    """A ModelMultipleChoiceFilter that also accepts the rows' names (NameOrIdChoiceField)."""

    field_class = NameOrIdChoiceField
