"""Workflow's API: campaigns (with progress), deliverables, content tasks and their actions
(move, assets, captions, comments, timeline, review links), review links. Thin: the rules are
workflow/services and workflow/moves.py. A creator's login runs its whole side here (its tasks,
upload a draft, add a caption version, comment, submit)."""

from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from core.api.parsers import JSONParser
from core.api.permissions import IsStaffOrApiKey
from core.api.schema import AI_UNAVAILABLE
from core.errors import DomainError, NotFoundError
from publishing.models import MediaAsset
from publishing.queries import media_visible_to
from publishing.services.media import media_asset_create
from settings_app.access import (
    campaigns_visible_to,
    comments_visible_to,
    deliverables_visible_to,
    is_creator_login,
    progress_creator_of,
    tasks_visible_to,
)

from ..filters import CampaignFilterSet, ContentTaskFilterSet, DeliverableFilterSet
from ..models import Asset, Campaign, CaptionVersion, Comment, ContentTask, Deliverable, ReviewLink
from ..moves import Capacity, capacities_of
from ..queries import campaigns_progress, caption_versions_diff, task_timeline
from ..services.assist import (
    campaign_brief_confirm,
    campaign_brief_proposal,
    task_caption_check,
    task_caption_check_latest,
    task_captions_generate,
    task_thread_summary,
)
from ..services.campaigns import campaign_create, campaign_update, deliverable_create
from ..services.review import review_link_create, review_link_revoke
from ..services.submissions import task_assets_add, task_caption_add, task_comment_add
from ..services.tasks import task_create, task_move, task_update
from .assist import (
    AICaptionsRequestSerializer,
    AICaptionsSerializer,
    BriefConfirmAnswerSerializer,
    BriefConfirmSerializer,
    BriefProposalSerializer,
    BriefRequestSerializer,
    CaptionCheckSerializer,
    ThreadSummarySerializer,
)
from .serializers import (
    AssetAddSerializer,
    AssetSerializer,
    CampaignSerializer,
    CaptionDiffSerializer,
    CaptionSerializer,
    CommentSerializer,
    DeliverableSerializer,
    MoveSerializer,
    ReviewLinkCreateSerializer,
    ReviewLinkSerializer,
    TaskMoveSerializer,
    TaskSerializer,
)

_VIEW_TASK = ["workflow.view_contenttask"]


class CampaignViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Campaigns with their progress: delivered (tasks Published) vs promised (deliverables'
    quantities), per creator and in total, and overdue units."""

    queryset = Campaign.objects.select_related("client").prefetch_related("attachments")
    serializer_class = CampaignSerializer
    filterset_class = CampaignFilterSet
    permission_classes = [IsStaffOrApiKey]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return campaigns_visible_to(self.request.user, super().get_queryset()).order_by("-id")

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if page is not None:
            self._progress = campaigns_progress(
                [c.pk for c in page], creator_id=progress_creator_of(self.request.user)
            )
        return page

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["progress"] = getattr(self, "_progress", {})
        return context

    def _answer(self, campaign, code=status.HTTP_200_OK):
        self._progress = campaigns_progress(
            [campaign.pk], creator_id=progress_creator_of(self.request.user)
        )
        campaign = self.get_queryset().get(pk=campaign.pk)
        return Response(self.get_serializer(campaign).data, status=code)

    def retrieve(self, request, *args, **kwargs):
        return self._answer(self.get_object())

    def create(self, request, *args, **kwargs):
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        attachments = fields.pop("attachments", ())
        campaign = campaign_create(created_by=request.user, attachments=attachments, **fields)
        return self._answer(campaign, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        campaign = self.get_object()
        data = self.get_serializer(campaign, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        attachments = fields.pop("attachments", None)
        campaign_update(campaign, attachments=attachments, **fields)
        return self._answer(campaign)

    def _staff_planner(self) -> None:
        user = self.request.user
        if is_creator_login(user) or not user.has_perm("workflow.add_deliverable"):
            raise PermissionDenied("Only staff who add deliverables plan from a brief.")

    @extend_schema(
        request=BriefRequestSerializer,
        responses={200: BriefProposalSerializer, 503: AI_UNAVAILABLE},
    )
    @action(detail=True, methods=["post"], url_path="brief-to-tasks", url_name="brief-to-tasks")
    def brief_to_tasks(self, request, pk=None):
        """AI: proposed deliverables and task titles from the campaign's brief and goals.
        Nothing is created; POST the kept items to `brief-to-tasks/confirm/`. 503 when the AI
        is not configured or not answering (the message says why)."""
        campaign = self.get_object()
        self._staff_planner()
        data = BriefRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        proposal = campaign_brief_proposal(
            campaign=campaign, user=request.user, creator_ids=data.validated_data.get("creators")
        )
        return Response(BriefProposalSerializer(proposal).data)

    @extend_schema(request=BriefConfirmSerializer, responses={201: BriefConfirmAnswerSerializer})
    @action(
        detail=True,
        methods=["post"],
        url_path="brief-to-tasks/confirm",
        url_name="brief-to-tasks-confirm",
    )
    def brief_to_tasks_confirm(self, request, pk=None):
        """Create the confirmed deliverables (one unit per title) and their Backlog tasks."""
        campaign = self.get_object()
        self._staff_planner()
        data = BriefConfirmSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        tasks = campaign_brief_confirm(campaign=campaign, user=request.user, **data.validated_data)
        return Response({"tasks": [t.pk for t in tasks]}, status=status.HTTP_201_CREATED)


class DeliverableViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """What creators promised per campaign; creating one creates its tasks (one per unit)
    unless `create_tasks` is false."""

    queryset = Deliverable.objects.select_related("campaign", "creator")
    serializer_class = DeliverableSerializer
    filterset_class = DeliverableFilterSet
    permission_classes = [IsStaffOrApiKey]

    def get_queryset(self):
        return deliverables_visible_to(self.request.user, super().get_queryset()).order_by("-id")

    def create(self, request, *args, **kwargs):
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        if not campaigns_visible_to(
            request.user, Campaign.objects.filter(pk=fields["campaign"].pk)
        ).exists():
            raise NotFoundError("No such campaign.")
        deliverable = deliverable_create(created_by=request.user, **fields)
        return Response(self.get_serializer(deliverable).data, status=status.HTTP_201_CREATED)


def _comment_count(user):
    comments = comments_visible_to(user, Comment.objects.filter(task=OuterRef("pk")))
    counted = comments.order_by().values("task").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


class TaskViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Content tasks (the Kanban). A creator's login sees its own tasks only. Columns change
    only through `move`, which the moves table (workflow/moves.py) allows or refuses with the
    rule's message (`move_refused`)."""

    queryset = ContentTask.objects.select_related("creator").prefetch_related(
        "target_accounts", "published_posts"
    )
    serializer_class = TaskSerializer
    filterset_class = ContentTaskFilterSet
    permission_classes = [IsStaffOrApiKey]
    http_method_names = ["get", "post", "patch", "head", "options"]
    action_permissions = {
        "move": _VIEW_TASK,
        "assets": _VIEW_TASK,
        "captions": _VIEW_TASK,
        "caption_diff": _VIEW_TASK,
        "comments": _VIEW_TASK,
        "timeline": _VIEW_TASK,
        "review_links": ["workflow.view_reviewlink"],
        "ai_captions": ["workflow.add_captionversion"],
        "quality_check": _VIEW_TASK,
        "summary": _VIEW_TASK,
    }

    def get_queryset(self):
        user = self.request.user
        qs = tasks_visible_to(user, super().get_queryset())
        return qs.annotate(comment_count=_comment_count(user)).order_by("column", "position", "id")

    def _answer(self, task, code=status.HTTP_200_OK):
        task = self.get_queryset().get(pk=task.pk)
        return Response(
            TaskSerializer(task, context=self.get_serializer_context()).data, status=code
        )

    def create(self, request, *args, **kwargs):
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        fields.pop("position", None)
        task = task_create(created_by=request.user, **fields)
        return self._answer(task, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        task = self.get_object()
        data = self.get_serializer(task, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        task_update(task, target_accounts=fields.pop("target_accounts", None), **fields)
        return self._answer(task)

    def _need(self, perm: str) -> None:
        if not self.request.user.has_perm(perm):
            raise PermissionDenied("Your role does not allow this.")

    def _hands_in(self, task) -> None:
        if Capacity.CREATOR not in capacities_of(self.request.user, task):
            raise PermissionDenied("Only the task's creator or an editor hands in drafts.")

    @extend_schema(request=MoveSerializer, responses=TaskSerializer)
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        """Move the task to another column (or reorder it: the same column, a `position`).
        Approved → Scheduled takes `scheduled_at` (or `publish_now`)."""
        task = self.get_object()
        data = MoveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        task_move(task=task, actor=request.user, via="api", **data.validated_data)
        return self._answer(task)

    @extend_schema(methods=["GET"], responses=AssetSerializer(many=True))
    @extend_schema(
        methods=["POST"], request=AssetAddSerializer, responses=AssetSerializer(many=True)
    )
    @action(detail=True, methods=["get", "post"], parser_classes=[JSONParser, MultiPartParser])
    def assets(self, request, pk=None):
        """The drafts, newest version first; POST hands in a new version: `media` ids from the
        library, or one `file` (multipart)."""
        task = self.get_object()
        if request.method == "POST":
            self._need("workflow.add_asset")
            self._hands_in(task)
            data = AssetAddSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            media = self._media(data.validated_data)
            task_assets_add(
                task=task,
                media=media,
                submitted_by=request.user,
                kind=data.validated_data.get("kind"),
            )
        rows = Asset.objects.filter(task=task).select_related("media").order_by("-version", "id")
        code = status.HTTP_201_CREATED if request.method == "POST" else status.HTTP_200_OK
        return Response(AssetSerializer(rows, many=True).data, status=code)

    def _media(self, data) -> list[MediaAsset]:
        user = self.request.user
        if data.get("file") is not None:
            self._need("publishing.add_mediaasset")
            asset, _ = media_asset_create(file=data["file"], user=user)
            return [asset]
        ids = data.get("media") or []
        found = {m.pk: m for m in media_visible_to(user, MediaAsset.objects.filter(pk__in=ids))}
        missing = [i for i in ids if i not in found]
        if missing or not ids:
            raise DomainError(
                "Send `media` (ids of your media in the library) or a `file`.",
                fields={
                    "media": [
                        f"Unknown: {', '.join(map(str, missing))}." if missing else "Required."
                    ]
                },
            )
        return [found[i] for i in ids]

    @extend_schema(methods=["GET"], responses=CaptionSerializer(many=True))
    @extend_schema(methods=["POST"], request=CaptionSerializer, responses=CaptionSerializer)
    @action(detail=True, methods=["get", "post"])
    def captions(self, request, pk=None):
        """Caption versions, newest first; POST adds a version."""
        task = self.get_object()
        if request.method == "POST":
            self._need("workflow.add_captionversion")
            self._hands_in(task)
            data = CaptionSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            caption = task_caption_add(task=task, author=request.user, **data.validated_data)
            return Response(CaptionSerializer(caption).data, status=status.HTTP_201_CREATED)
        rows = CaptionVersion.objects.filter(task=task).order_by("-number")
        return Response(CaptionSerializer(rows, many=True).data)

    @extend_schema(
        parameters=[
            OpenApiParameter("old", int, description="Version number (default: the one before)"),
            OpenApiParameter("new", int, description="Version number (default: the latest)"),
        ],
        responses=CaptionDiffSerializer,
    )
    @action(detail=True, methods=["get"], url_path="caption-diff", url_name="caption-diff")
    def caption_diff(self, request, pk=None):
        """Word-level diff between two caption versions."""
        task = self.get_object()
        numbers = {}
        for name in ("old", "new"):
            value = request.query_params.get(name)
            if value is not None:
                if not value.isdigit():
                    raise DomainError(
                        f"`{name}` is a version number.", fields={name: ["A number."]}
                    )
                numbers[name] = int(value)
        if len(numbers) == 1:
            raise DomainError("Send both `old` and `new`, or neither.")
        diff = caption_versions_diff(task, **numbers)
        if diff is None:
            raise NotFoundError("There are not two such caption versions to compare.")
        return Response(CaptionDiffSerializer(diff).data)

    @extend_schema(methods=["GET"], responses=CommentSerializer(many=True))
    @extend_schema(methods=["POST"], request=CommentSerializer, responses=CommentSerializer)
    @action(detail=True, methods=["get", "post"])
    def comments(self, request, pk=None):
        """Comments, oldest first (internal ones only for staff); POST adds one."""
        task = self.get_object()
        user = request.user
        if request.method == "POST":
            self._need("workflow.add_comment")
            data = CommentSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            comment = task_comment_add(
                task=task,
                author=user,
                may_write_internal=user.is_staff and not is_creator_login(user),
                **data.validated_data,
            )
            return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)
        rows = comments_visible_to(user, Comment.objects.filter(task=task)).order_by(
            "created_at", "id"
        )
        return Response(CommentSerializer(rows, many=True).data)

    @extend_schema(
        request=AICaptionsRequestSerializer,
        responses={201: AICaptionsSerializer, 503: AI_UNAVAILABLE},
    )
    @action(detail=True, methods=["post"], url_path="ai-captions", url_name="ai-captions")
    def ai_captions(self, request, pk=None):
        """AI captions for the task's platform and tone, each saved as a new AI-generated
        caption version (a human version is never changed). 503 when the AI is not
        configured or not answering (the message says why)."""
        task = self.get_object()
        self._hands_in(task)
        data = AICaptionsRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        versions, suggestions = task_captions_generate(
            task=task, user=request.user, **data.validated_data
        )
        return Response(
            {
                "versions": CaptionSerializer(versions, many=True).data,
                "suggestions": suggestions,
            },
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(methods=["GET"], responses={200: CaptionCheckSerializer})
    @extend_schema(
        methods=["POST"], request=None, responses={201: CaptionCheckSerializer, 503: AI_UNAVAILABLE}
    )
    @action(
        detail=True, methods=["get", "post"], url_path="quality-check", url_name="quality-check"
    )
    def quality_check(self, request, pk=None):
        """The AI quality check of the latest caption version (advisory: never blocks a move);
        GET the stored one (404 when never checked), POST to check now (staff only)."""
        task = self.get_object()
        if request.method == "POST":
            if is_creator_login(request.user):
                raise PermissionDenied("The quality check is run by staff.")
            check = task_caption_check(task=task, user=request.user)
            return Response(CaptionCheckSerializer(check).data, status=status.HTTP_201_CREATED)
        check = task_caption_check_latest(task)
        if check is None:
            raise NotFoundError("The latest caption has not been checked.")
        return Response(CaptionCheckSerializer(check).data)

    @extend_schema(request=None, responses={200: ThreadSummarySerializer, 503: AI_UNAVAILABLE})
    @action(detail=True, methods=["post"])
    def summary(self, request, pk=None):
        """AI summary of the comments you may see (internal ones for staff only) into
        decisions and open requests, each citing the comment ids it rests on."""
        task = self.get_object()
        return Response(
            ThreadSummarySerializer(task_thread_summary(task=task, user=request.user)).data
        )

    @extend_schema(responses=TaskMoveSerializer(many=True))
    @action(detail=True, methods=["get"])
    def timeline(self, request, pk=None):
        """Every move of the task: who, when, from, to, note."""
        return Response(TaskMoveSerializer(task_timeline(self.get_object()), many=True).data)

    @extend_schema(methods=["GET"], responses=ReviewLinkSerializer(many=True))
    @extend_schema(
        methods=["POST"], request=ReviewLinkCreateSerializer, responses=ReviewLinkSerializer
    )
    @action(detail=True, methods=["get", "post"], url_path="review-links", url_name="review-links")
    def review_links(self, request, pk=None):
        """The task's client review links; POST creates one (its `url` is in this answer only)."""
        task = self.get_object()
        if request.method == "POST":
            self._need("workflow.add_reviewlink")
            data = ReviewLinkCreateSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            fields = dict(data.validated_data)
            fields.pop("task", None)
            fields.pop("campaign", None)
            return _created_link(request, task=task, **fields)
        rows = ReviewLink.objects.filter(task=task).order_by("-id")
        return Response(ReviewLinkSerializer(rows, many=True).data)


def _created_link(request, **fields) -> Response:
    link, token = review_link_create(created_by=request.user, **fields)
    url = request.build_absolute_uri(reverse("workflow-review", args=[token]))
    data = ReviewLinkSerializer(link, context={"urls": {link.pk: url}}).data
    return Response(data, status=status.HTTP_201_CREATED)


class ReviewLinkViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Client review links: for one task or for a campaign's submitted tasks; expiring and
    revocable. The token is in the creating answer's `url` only (stored hashed)."""

    queryset = ReviewLink.objects.all()
    serializer_class = ReviewLinkSerializer
    permission_classes = [IsStaffOrApiKey]

    def get_queryset(self):
        user = self.request.user
        tasks = tasks_visible_to(user, ContentTask.objects.all()).values("pk")
        campaigns = campaigns_visible_to(user, Campaign.objects.all()).values("pk")
        qs = super().get_queryset()
        return (qs.filter(task__in=tasks) | qs.filter(campaign__in=campaigns)).order_by("-id")

    @extend_schema(request=ReviewLinkCreateSerializer, responses={201: ReviewLinkSerializer})
    def create(self, request, *args, **kwargs):
        data = ReviewLinkCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        user = request.user
        if fields.get("task"):
            fields["task"] = tasks_visible_to(
                user, ContentTask.objects.filter(pk=fields["task"])
            ).first()
            if fields["task"] is None:
                raise DomainError("No such task.", fields={"task": ["Unknown."]})
        if fields.get("campaign"):
            fields["campaign"] = campaigns_visible_to(
                user, Campaign.objects.filter(pk=fields["campaign"])
            ).first()
            if fields["campaign"] is None:
                raise DomainError("No such campaign.", fields={"campaign": ["Unknown."]})
        return _created_link(request, **fields)

    @extend_schema(request=None, responses=ReviewLinkSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        """Revoke the link: its page answers "revoked" from now on, never the content."""
        link = self.get_object()
        review_link_revoke(link, by=request.user)
        link.refresh_from_db()
        return Response(ReviewLinkSerializer(link).data)
