"""Who sees which rows: one query per model, used by the API, the admin, exports and the docs.

Roles with `view_all_*` see everything; others (editors) see the accounts and posts where they
are the editor (`Editor.user`), the posts they are assigned to or added themselves. A creator's
login (the Creator role) sees the accounts of its own `Creator` (`Account.creator.user`), their
posts, its own content tasks and the campaigns it has a task or deliverable in.

Functions take querysets and field paths, never the higher apps' models (DESIGN.md).
"""

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Q, QuerySet

from .services import MANAGE_ALL_KEYS

PERSONAL_FINANCE_FIELDS = ("phone_number", "payment_details", "payment_method")
# The payees' personal data, per model ("app_label.model"): shown, filtered, sorted, searched and
# exported only for users who `can_see_finance_personal_data`, in the API and the admin alike.
PERSONAL_FIELDS = {
    "finance.financeitem": PERSONAL_FINANCE_FIELDS,
    # How a statement was paid is as personal as the payee's own payment details.
    "finance.payoutstatement": ("payment_method", "payment_reference"),
    "finance.statementevent": ("payment_method", "payment_reference"),
}


def _sees_all(user, perm: str) -> bool:
    return bool(user and user.is_active and user.has_perm(perm))


def own_creator_id(user) -> int | None:
    """The id of the Creator whose login `user` is, or None (cached on the user object)."""
    if not (user and user.is_authenticated):
        return None
    try:
        return user.creator.pk
    except ObjectDoesNotExist:  # a miss is cached too: one query per request at most
        return None


def posts_visible_to(user, qs: QuerySet, *, through: str = "") -> QuerySet:
    """The posts of `qs` that `user` may see; with `through` ("post__"), the rows of `qs` whose
    post they may see."""
    if _sees_all(user, "posts.view_all_post"):
        return qs
    if not (user and user.is_authenticated):
        return qs.none()
    mine = Q(**{f"{through}editor__user": user})
    mine |= Q(**{f"{through}assignee": user}) | Q(**{f"{through}added_by": user})
    creator_id = own_creator_id(user)
    if creator_id is not None:  # a creator's login: the posts of its accounts too
        mine |= Q(**{f"{through}account__creator_id": creator_id})
    return qs.filter(mine)


def accounts_visible_to(user, qs: QuerySet, *, through: str = "") -> QuerySet:
    """The accounts of `qs` that `user` may see; with `through` ("account__"), the rows of `qs`
    whose account they may see."""
    if _sees_all(user, "creators.view_all_account"):
        return qs
    if not (user and user.is_authenticated):
        return qs.none()
    # Accounts have no assignee: the account's editor, or the creator who owns it.
    return qs.filter(Q(**{f"{through}editor__user": user}) | Q(**{f"{through}creator__user": user}))


def can_see_finance_personal_data(user) -> bool:
    """Payees' phone numbers and payment details: owners, finance and managers only."""
    return _sees_all(user, "finance.view_personal_financeitem")


def personal_fields_hidden_from(user, model) -> frozenset[str]:
    """The fields of `model` (a model class or "app_label.model") whose values `user` may not
    see, nor filter, sort or search by."""
    label = model if isinstance(model, str) else model._meta.label_lower
    if can_see_finance_personal_data(user):
        return frozenset()
    return frozenset(PERSONAL_FIELDS.get(label, ()))


def snapshots_visible_to(user, qs: QuerySet) -> QuerySet:
    """Post or account snapshots of `qs` whose post or account `user` may see."""
    if qs.model._meta.model_name == "postsnapshot":
        return posts_visible_to(user, qs, through="post__")
    return accounts_visible_to(user, qs, through="account__")


def api_keys_visible_to(user, qs: QuerySet) -> QuerySet:
    """The API keys of `qs` that `user` may see and revoke: their own; Owners every key."""
    if _sees_all(user, MANAGE_ALL_KEYS):
        return qs
    if not (user and user.is_authenticated):
        return qs.none()
    return qs.filter(user=user)


def is_creator_login(user) -> bool:
    """A creator's own login: sees only its own rows, never internal comments."""
    return own_creator_id(user) is not None and not user.has_perm("workflow.view_all_contenttask")


def creators_visible_to(user, qs: QuerySet) -> QuerySet:
    """The creators (people) of `qs` `user` may see: staff who see every account all of them,
    a creator's login only itself, editors the creators of the accounts they edit."""
    if _sees_all(user, "creators.view_all_account"):
        return qs
    if not (user and user.is_authenticated):
        return qs.none()
    return qs.filter(Q(user=user) | Q(accounts__editor__user=user)).distinct()


def tasks_visible_to(user, qs: QuerySet, *, through: str = "") -> QuerySet:
    """The content tasks of `qs` `user` may see: every task with `view_all_contenttask`;
    else the tasks of their own creator (a creator's login) and the tasks assigned to them."""
    if _sees_all(user, "workflow.view_all_contenttask"):
        return qs
    if not (user and user.is_authenticated):
        return qs.none()
    mine = Q(**{f"{through}assignee": user})
    creator_id = own_creator_id(user)
    if creator_id is not None:
        mine |= Q(**{f"{through}creator_id": creator_id})
    return qs.filter(mine)


def campaigns_visible_to(user, qs: QuerySet) -> QuerySet:
    """The campaigns of `qs` `user` may see: all with `view_all_contenttask`; else the
    campaigns they are part of (a deliverable or a task of theirs)."""
    if _sees_all(user, "workflow.view_all_contenttask"):
        return qs
    if not (user and user.is_authenticated):
        return qs.none()
    part_of = Q(deliverables__creator__user=user) | Q(tasks__creator__user=user)
    part_of |= Q(tasks__assignee=user)
    return qs.filter(pk__in=qs.model.objects.filter(part_of).values("pk"))


def deliverables_visible_to(user, qs: QuerySet) -> QuerySet:
    """The deliverables of `qs` `user` may see: those of the campaigns they see; a creator's
    login only its own (never what other creators promised)."""
    if _sees_all(user, "workflow.view_all_contenttask"):
        return qs
    if not (user and user.is_authenticated):
        return qs.none()
    part_of = Q(campaign__deliverables__creator__user=user) | Q(campaign__tasks__creator__user=user)
    part_of |= Q(campaign__tasks__assignee=user)
    qs = qs.filter(pk__in=qs.model.objects.filter(part_of).values("pk"))
    if is_creator_login(user):
        qs = qs.filter(creator_id=own_creator_id(user))
    return qs


def progress_creator_of(user) -> int | None:
    """Whose campaign progress `user` sees: a creator's login only its own row (the creator's
    id), everybody else every creator's (None)."""
    return own_creator_id(user) if is_creator_login(user) else None


def comments_visible_to(user, qs: QuerySet) -> QuerySet:
    """Comments of tasks `user` sees; internal ones only for staff (never a creator's login)."""
    qs = tasks_visible_to(user, qs, through="task__")
    if is_creator_login(user) or not (user and user.is_staff):
        qs = qs.filter(visibility="shared")
    return qs
