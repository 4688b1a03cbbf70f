"""Roles: Django groups with permissions. Defined here once; installed by a data migration and
kept complete after every `migrate` (new models give the Owner their permissions).

A permission is "app_label.codename"; "app_label.*" means every permission of the app,
"app_label.view_*" every view permission.
"""

OWNER, MANAGER, FINANCE, EDITOR, ANALYST = "Owner", "Manager", "Finance", "Editor", "Analyst"
# A creator's own login (specs/workflow.md): scoped to its own accounts, tasks and campaigns
# (access.py); the moves it may make follow from being the task's creator (workflow/moves.py).
CREATOR = "Creator"

# Permissions that are not a model's add/change/delete/view: (app_label, model, codename, name).
CUSTOM_PERMISSIONS = [
    ("posts", "post", "decide_trial_post", "Can approve or reject trial reels"),
    ("posts", "post", "view_all_post", "Can see every post (not only their own)"),
    ("creators", "account", "view_all_account", "Can see every account (not only their own)"),
    (
        "finance",
        "financeitem",
        "view_personal_financeitem",
        "Can see payees' personal data (phone, payment details)",
    ),
    # A key acts with its user's rights: creating one for someone else is an Owner's power.
    (
        "settings_app",
        "apikey",
        "manage_all_apikey",
        "Can see, create and revoke other users' API keys",
    ),
]

_SETTINGS_READ = [
    "settings_app.view_client",
    "settings_app.view_editor",
    "settings_app.view_board",
    "settings_app.view_category",
    "settings_app.view_subcategory",
]
_WORK_READ = [
    "posts.view_post",
    "posts.view_postsnapshot",
    "posts.view_all_post",
    "creators.view_account",
    "creators.view_accountsnapshot",
    "creators.view_all_account",
    "analytics.view_dailyaccountmetric",
]
# Publishing (specs/publishing.md): Managers and Owners schedule for every account, Editors for
# the accounts they edit (publishing.queries.connections_schedulable_by), Analysts read.
_PUBLISHING_EDIT = [
    "publishing.view_socialconnection",
    "publishing.view_mediaasset",
    "publishing.add_mediaasset",
    "publishing.view_scheduledpost",
    "publishing.add_scheduledpost",
    "publishing.change_scheduledpost",
    "publishing.view_scheduledpostmedia",
    "publishing.view_publishtarget",
    "publishing.view_publishattempt",
    "publishing.view_postingslot",
    "publishing.add_postingslot",
    "publishing.change_postingslot",
    "publishing.delete_postingslot",
]
_FINANCE_READ = [
    "finance.view_financeitem",
    "finance.view_payoutstatement",
    "finance.view_statementevent",
]

# Workflow (specs/workflow.md): who may make which move is workflow/moves.py; these are the
# capacities it reads.
_WORKFLOW_WORK = [
    "workflow.view_campaign",
    "workflow.view_deliverable",
    "workflow.view_contenttask",
    "workflow.change_contenttask",
    "workflow.submit_contenttask",
    "workflow.view_taskmove",
    "workflow.view_asset",
    "workflow.add_asset",
    "workflow.view_captionversion",
    "workflow.add_captionversion",
    "workflow.view_comment",
    "workflow.add_comment",
]

# Reports (specs/analytics.md): who sees which is analytics.reports.queries (an editor its own
# and its creators', a creator's login its own creator's).
_REPORTS_MAKE = [
    "analytics.view_report",
    "analytics.add_report",
    "analytics.delete_report",
    "analytics.view_reportschedule",
    "analytics.add_reportschedule",
    "analytics.change_reportschedule",
    "analytics.delete_reportschedule",
]

ROLES: dict[str, list[str]] = {
    OWNER: ["*"],
    MANAGER: [
        "posts.*",
        "creators.*",
        "analytics.view_dailyaccountmetric",
        "publishing.*",
        "workflow.*",
        *_REPORTS_MAKE,
        *_SETTINGS_READ,
        "settings_app.add_board",
        "settings_app.change_board",
        "operations.*",
        "analytics.view_*",
        "core.view_auditentry",
        *_FINANCE_READ,
        "finance.view_personal_financeitem",
        "settings_app.view_apikey",
        "settings_app.add_apikey",
        "settings_app.change_apikey",
    ],
    FINANCE: [
        "finance.*",
        "operations.view_*",
        "core.view_auditentry",
        *_WORK_READ,
        *_SETTINGS_READ,
        "settings_app.view_apikey",
        "settings_app.add_apikey",
        "settings_app.change_apikey",
    ],
    # Scoped: without view_all_* an editor sees only their own accounts and posts (access.py).
    EDITOR: [
        "posts.view_post",
        "posts.add_post",
        "posts.change_post",
        "posts.view_postsnapshot",
        "creators.view_account",
        "creators.change_account",
        "creators.view_accountsnapshot",
        # The analytics page, scoped to their own accounts (analytics.queries).
        "analytics.view_dailyaccountmetric",
        *_PUBLISHING_EDIT,
        *_WORKFLOW_WORK,
        "analytics.view_report",
        "analytics.add_report",
        *_SETTINGS_READ,
        "settings_app.view_apikey",
        "settings_app.add_apikey",
        "settings_app.change_apikey",
    ],
    # Read-only; finance figures without the payees' personal data.
    ANALYST: [
        "operations.view_*",
        "analytics.view_*",
        "publishing.view_*",
        "workflow.view_*",
        *_WORK_READ,
        *_SETTINGS_READ,
        *_FINANCE_READ,
        "settings_app.view_apikey",
        "settings_app.add_apikey",
        "settings_app.change_apikey",
    ],
    # Scoped to the creator's own rows (access.py); no settings, finance or other people.
    CREATOR: [
        "creators.view_account",
        "creators.view_accountsnapshot",
        "creators.view_creator",
        "posts.view_post",
        "posts.view_postsnapshot",
        "publishing.view_mediaasset",
        "publishing.add_mediaasset",
        "analytics.view_report",
        *[
            p
            for p in _WORKFLOW_WORK
            if p not in ("workflow.submit_contenttask", "workflow.change_contenttask")
        ],
    ],
}


def roles_sync(*, Group, Permission, ContentType) -> None:
    """Create the custom permissions and the role groups, and give each its permissions.

    Takes the model classes so the data migration can pass its historical ones. Idempotent;
    a role only ever gains permissions here (an owner's manual additions are kept).
    """
    for app_label, model, codename, name in CUSTOM_PERMISSIONS:
        content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
        Permission.objects.get_or_create(
            content_type=content_type, codename=codename, defaults={"name": name}
        )
    everything = Permission.objects.select_related("content_type")
    by_name = {f"{p.content_type.app_label}.{p.codename}": p for p in everything}
    for role, names in ROLES.items():
        group, _ = Group.objects.get_or_create(name=role)
        wanted = set()
        for name in names:
            if name == "*":
                wanted.update(by_name.values())
            elif name.endswith("*"):  # "app.*", "app.view_*"
                prefix = name[:-1]
                wanted.update(p for key, p in by_name.items() if key.startswith(prefix))
            elif name in by_name:
                wanted.add(by_name[name])
        group.permissions.add(*wanted)
