"""The scope picker of the analytics pages: the clients, creators, campaigns, boards, editors
and accounts a user may choose, only those their role lets them see (the visibility helpers
the API's scope uses), and the check that a chosen scope is one of them."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from creators.models import Account, Creator
from settings_app.access import accounts_visible_to, campaigns_visible_to, creators_visible_to
from settings_app.models import Board, Client, Editor
from workflow.models import Campaign

PICKER_LIMIT = 500  # options of one kind: a longer list is no use in a select

LABELS = {
    "client": "Clients",
    "creator": "Creators",
    "campaign": "Campaigns",
    "board": "Boards",
    "editor": "Editors",
    "account": "Accounts",
}


def scope_options(user, scope: str) -> QuerySet:
    """The `scope` objects `user` may pick: creators and campaigns as their helpers say;
    clients, boards and editors with an account the user sees; the accounts they see."""
    accounts = accounts_visible_to(user, Account.objects.all())
    if scope == "account":
        return accounts
    if scope == "creator":
        return creators_visible_to(user, Creator.objects.all())
    if scope == "campaign":
        return campaigns_visible_to(user, Campaign.objects.all())
    model, link = {
        "client": (Client, "client"),
        "board": (Board, "boards"),
        "editor": (Editor, "editor"),
    }[scope]
    return model.objects.filter(Exists(accounts.filter(**{link: OuterRef("pk")})))


def scope_visible(user, scope: str, scope_id: int) -> bool:
    """Whether `user` may pick that scope (one query)."""
    return scope_options(user, scope).filter(pk=scope_id).exists()


def scope_groups(user, *, chosen: tuple[str | None, int | None] = (None, None)) -> list[dict]:
    """The picker's option groups, `{"key", "label", "options": [(id, text)]}`: one per kind,
    the accounts one group per client (a long list stays readable), at most PICKER_LIMIT of
    each kind (the chosen one always kept)."""
    groups = []
    for scope in ("client", "creator", "campaign", "board", "editor"):
        qs = scope_options(user, scope)
        name = {"creator": "display_name"}.get(scope, "name")
        rows = list(qs.order_by(name, "pk").values_list("pk", name)[:PICKER_LIMIT])
        groups.append({"key": scope, "label": LABELS[scope], "options": rows})
    accounts = (
        scope_options(user, "account")
        .select_related("client")
        .order_by("client__name", "username", "pk")
    )
    rows = list(accounts.only("pk", "username", "platform", "client__name")[:PICKER_LIMIT])
    if chosen[0] == "account" and chosen[1] not in {a.pk for a in rows}:
        rows += list(accounts.filter(pk=chosen[1]))
    by_client: dict[str, list] = {}
    for account in rows:  # at most PICKER_LIMIT + 1
        client = account.client.name if account.client_id else "no client"
        by_client.setdefault(client, []).append((account.pk, str(account)))
    for client, options in by_client.items():
        groups.append({"key": "account", "label": f"Accounts · {client}", "options": options})
    for group in groups[:5]:
        if group["key"] == chosen[0] and chosen[1] not in {pk for pk, _ in group["options"]}:
            group["options"] += list(
                scope_options(user, group["key"])
                .filter(pk=chosen[1])
                .values_list("pk", "display_name" if group["key"] == "creator" else "name")
            )
    return groups


def scope_options_html(groups: list[dict], chosen: tuple[str | None, int | None]) -> SafeString:
    """The picker's `<optgroup>`s of `scope_groups`, `chosen` ("client", 3) selected, escaped:
    built here rather than by a template loop over up to 3 000 options (that loop was a
    quarter of the analytics page's template rendering)."""

    def options(group: dict) -> SafeString:
        return format_html_join(
            "",
            '<option value="{}:{}"{}>{}</option>',
            (
                (group["key"], pk, " selected" if (group["key"], pk) == chosen else "", text)
                for pk, text in group["options"]
            ),
        )

    return format_html_join(
        "",
        "{}",
        (
            (format_html('<optgroup label="{}">{}</optgroup>', group["label"], options(group)),)
            for group in groups
            if group["options"]
        ),
    )
