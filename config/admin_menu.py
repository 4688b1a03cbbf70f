"""The admin's workspace menu, declared once: the order of the modules, and the custom pages
listed first under their module. An entry names its page's URL and the permissions the page
checks (by name, so this list imports no app): a user sees only the pages they can open."""

from core.admin_site import MenuEntry

# The back office's modules, in the order staff use them; other apps (auth, jobs) follow.
APP_ORDER = (
    "posts",
    "creators",
    "workflow",
    "publishing",
    "finance",
    "analytics",
    "operations",
    "settings_app",
)

MENU = (
    MenuEntry(
        "workflow", "Content board", "workflow_contenttask_board", ("workflow.view_contenttask",)
    ),
    MenuEntry(
        "analytics", "Analytics", "analytics_dashboard", ("analytics.view_dailyaccountmetric",)
    ),
    # Every role may ask: the tools answer only from the rows the asker may see.
    MenuEntry("posts", "Ask the workspace", "analytics_ask", ("posts.view_post",)),
    MenuEntry("posts", "Trial reels board", "posts_trial_board", ("posts.view_post",)),
    # Totals over every post: not for roles that see only their own.
    MenuEntry("posts", "Boards", "posts_boards", ("posts.view_post", "posts.view_all_post")),
    MenuEntry(
        "finance", "Payments board", "finance_payments_board", ("finance.view_payoutstatement",)
    ),
    MenuEntry("publishing", "Calendar", "publishing_calendar", ("publishing.view_scheduledpost",)),
    MenuEntry("publishing", "Composer", "publishing_composer", ("publishing.add_scheduledpost",)),
    MenuEntry(
        "publishing", "Import posts (CSV)", "publishing_import", ("publishing.add_scheduledpost",)
    ),
    MenuEntry(
        "publishing", "Media library", "publishing_media_library", ("publishing.view_mediaasset",)
    ),
    MenuEntry(
        "publishing",
        "Connections",
        "publishing_connections",
        ("publishing.view_socialconnection",),
    ),
    # Best time to post: every role that sees posts (over the posts it may see).
    MenuEntry("posts", "Best time to post", "analytics_best_time", ("posts.view_post",)),
    MenuEntry("analytics", "Audience", "analytics_audience", ("analytics.view_audiencesnapshot",)),
    MenuEntry("analytics", "Brand mentions", "analytics_mentions", ("analytics.view_mention",)),
    MenuEntry(
        "analytics", "Generate a report", "analytics_report_generate", ("analytics.add_report",)
    ),
    MenuEntry(
        "operations", "Operations dashboard", "operations_dashboard", ("operations.view_jobrun",)
    ),
)
