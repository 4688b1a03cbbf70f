"""What a report or an insight card is about: a client, a creator or a campaign, as its accounts
and its counted posts (`creators.metrics.definitions.counted_posts`)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from creators.metrics.definitions import counted_posts
from creators.models import Account, Creator
from posts.models import Post
from settings_app.models import Client
from workflow.models import Campaign

from ..choices import ScopeKind
from ..queries import scope_accounts


class ScopeNotFound(ValueError):
    """The scope named does not exist."""


@dataclass(frozen=True)
class Scope:
    kind: str
    id: int
    name: str
    client_name: str  # the cover's client ("" for a creator without one)

    def accounts(self) -> QuerySet[Account]:
        """The scope's accounts, as the analytics API resolves them (no role: the report's
        author was checked when it was asked for)."""
        return scope_accounts(scope=self.kind, scope_id=self.id)

    def posts(self, *, account_ids: list[int] | None = None) -> QuerySet[Post]:
        """The scope's counted posts; on `account_ids` only, when given (a list read first:
        the statements then plan from the posts' statistics, not from `creators_account`'s)."""
        if self.kind == ScopeKind.CAMPAIGN:
            posts = Post.objects.filter(
                pk__in=Post.objects.filter(content_tasks__campaign_id=self.id).values("pk")
            )
            if account_ids is not None:
                posts = posts.filter(account_id__in=account_ids)
        elif account_ids is not None:
            posts = Post.objects.filter(account_id__in=account_ids)
        else:
            posts = Post.objects.filter(account_id__in=self.accounts().values("pk"))
        return posts.filter(counted_posts())


def scope_get(kind: str, scope_id: int) -> Scope:
    """The scope `kind` / `scope_id`, or ScopeNotFound."""
    if kind == ScopeKind.CLIENT:
        client = Client.objects.filter(pk=scope_id).values_list("name", flat=True).first()
        if client is None:
            raise ScopeNotFound(f"No client with id {scope_id}.")
        return Scope(kind, scope_id, client, client)
    if kind == ScopeKind.CREATOR:
        name = Creator.objects.filter(pk=scope_id).values_list("display_name", flat=True).first()
        if name is None:
            raise ScopeNotFound(f"No creator with id {scope_id}.")
        return Scope(kind, scope_id, name, "")
    if kind == ScopeKind.CAMPAIGN:
        row = Campaign.objects.filter(pk=scope_id).values_list("name", "client__name").first()
        if row is None:
            raise ScopeNotFound(f"No campaign with id {scope_id}.")
        return Scope(kind, scope_id, row[0], row[1] or "")
    raise ScopeNotFound(f"Unknown scope kind {kind!r}; use client, creator or campaign.")
