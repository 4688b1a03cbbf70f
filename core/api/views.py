"""View machinery shared by the apps' viewsets: adding by URL, and lists nested under a parent."""

from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
)
from rest_framework import generics, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.prefetch import (
    prefetch_related_values,
    related_values_from_page,
    with_related_values,
)

from .schema import CreatorOpsAutoSchema
from .serializers import (
    BulkAddResponseSerializer,
    bulk_add_response_data,
)


class AddByURLSchema(CreatorOpsAutoSchema):
    """Documents what AddByURLMixin answers: the object itself, or one result per URL."""

    def get_response_serializers(self):
        if self.view.action == "create":
            return {
                201: self.view.serializer_class,
                200: self.view.serializer_class,
                # The body is the one error shape (core.api.schema fills it in).
                409: OpenApiResponse(
                    description="Already tracked, but not among the rows you can see: the "
                    "answer is the error `already_tracked`, without the row.",
                ),
            }
        if self.view.action == "bulk":
            return {200: BulkAddResponseSerializer}
        return super().get_response_serializers()


class AddByURLMixin:
    """`POST /` adds one object by URL, `POST /bulk/` many; adding the same thing twice is a no-op.

    The viewset names two input serializers whose `add(user=…)` / `add_all(user=…)` call the
    app's service: `add_serializer_class` (returns `(obj, created)`) and
    `bulk_add_serializer_class` (returns a list of `core.bulk.AddResult`).
    """

    add_serializer_class = None
    bulk_add_serializer_class = None
    schema = AddByURLSchema()

    def get_serializer_class(self):
        if self.action == "create":
            return self.add_serializer_class
        if self.action == "bulk":
            return self.bulk_add_serializer_class
        return super().get_serializer_class()

    def create(self, request, *args, **kwargs):
        """Add one by URL: 201 with the new object, or 200 with the one already tracked.

        Any accepted form of the URL finds the same object. A URL that cannot be added
        answers 400 with the reason and the accepted forms. One already tracked but not among
        the rows your role shows you answers 409 `already_tracked`, without the row.
        """
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        obj, created = serializer.add(user=request.user)
        # Reload through the viewset's queryset: same related rows as a GET, same answer.
        obj = self.get_queryset().filter(pk=obj.pk).first()
        if obj is None:  # added, but with fields that put it out of the caller's scope
            raise PermissionDenied("Added, but your role does not show it to you.")
        output = self.serializer_class(obj, context=self.get_serializer_context())
        return Response(
            output.data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )

    @action(detail=False, methods=["post"])
    def bulk(self, request, *args, **kwargs):
        """Add many by URL (`urls` list or `text`, one URL per line), with the same fields.

        Answers 200 with one result per URL, in order: `created`, `exists` (already tracked,
        left as it is) or `invalid` with the error. A bad URL never blocks the others. An
        `exists` row your role does not show you comes without its `id`.
        """
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        results = serializer.add_all(user=request.user)
        return Response(bulk_add_response_data(results))


class PagePrefetchMixin:
    """A list page's many-to-many values (core.prefetch), read by the page's own statement on
    PostgreSQL, else in one small query per relation: `page_prefetch = {"boards": ("id",)}`
    names each relation and the fields shown."""

    page_prefetch: dict[str, tuple[str, ...]] = {}

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(with_related_values(queryset, self.page_prefetch))
        if not related_values_from_page(page or [], self.page_prefetch):
            for relation, fields in self.page_prefetch.items():
                prefetch_related_values(page or [], relation, *fields)
        return page


class NestedListSchema(CreatorOpsAutoSchema):
    def get_response_serializers(self):
        view = self.view
        history = getattr(view, "history_serializer_class", None)
        if history is None:
            return super().get_response_serializers()
        # `?granularity=` answers chart points instead of the rows (SnapshotHistoryMixin).
        return PolymorphicProxySerializer(
            component_name=f"{view.serializer_class.Meta.model.__name__}OrHistoryPoint",
            serializers=[view.serializer_class, history],
            resource_type_field_name=None,
            many=True,
        )

    def get_override_parameters(self):
        view = self.view
        return [
            *super().get_override_parameters(),
            OpenApiParameter(
                view.parent_url_kwarg,
                int,
                OpenApiParameter.PATH,
                description=f"Id of the {view.parent_queryset.model._meta.verbose_name}.",
            ),
        ]


class NestedListViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The rows of one parent, e.g. `/posts/{post_pk}/snapshots/`; 404 when the parent is unknown.

    Set `queryset` (the rows), `parent_queryset`, `parent_field` (the rows' FK to the parent)
    and `parent_url_kwarg` (the URL's name for the parent's id).
    """

    parent_queryset = None
    parent_field = ""
    parent_url_kwarg = ""
    schema = NestedListSchema()

    def get_queryset(self):
        queryset = super().get_queryset()
        if getattr(self, "swagger_fake_view", False):  # schema generation: no parent
            return queryset.none()
        # DRF's get_object_or_404 also answers 404 for a non-numeric id.
        parent = generics.get_object_or_404(
            self.parent_queryset, pk=self.kwargs[self.parent_url_kwarg]
        )
        return queryset.filter(**{self.parent_field: parent})


@extend_schema(exclude=True)
class UnknownEndpointView(APIView):
    """Any other URL under the API: a JSON 404 in the API's error shape, not Django's HTML page."""

    permission_classes = [AllowAny]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        raise NotFound("No such endpoint. The endpoints are listed at /api/docs/.")
