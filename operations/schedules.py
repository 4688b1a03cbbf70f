"""The schedules of the jobs of operations.jobs: every periodic job of CreatorOps, declared once.

Apart from the jobs so that the boards' reads (operations.queries) can name the jobs without
importing every app's services.
"""

from django_q.models import Schedule

OURS = "operations.jobs."

# name -> django-q2 Schedule fields. Every periodic job of CreatorOps is declared here.
SCHEDULES: dict[str, dict] = {
    "refresh_post_stats": {
        "func": f"{OURS}refresh_post_stats",
        "schedule_type": Schedule.MINUTES,
        "minutes": 10,  # each post is due by its age (REFRESH_CADENCE); this picks them up
    },
    "refresh_account_stats": {
        "func": f"{OURS}refresh_account_stats",
        "schedule_type": Schedule.HOURLY,  # each account is due daily (ACCOUNT_REFRESH_HOURS)
        "minutes": None,
    },
    "detect_new_posts": {
        "func": f"{OURS}detect_new_posts",
        "schedule_type": Schedule.MINUTES,
        "minutes": 30,
    },
    "classify_posts": {
        "func": f"{OURS}classify_posts",
        "schedule_type": Schedule.MINUTES,
        "minutes": 5,
    },
    # The refresh jobs recompute the accounts they touched; this catches everything else
    # (calendar windows rolling over, posts edited by hand).
    "recompute_account_metrics": {
        "func": f"{OURS}recompute_account_metrics",
        "schedule_type": Schedule.DAILY,
        "minutes": None,
    },
    "process_creator_payments": {
        "func": f"{OURS}process_creator_payments",
        "schedule_type": Schedule.DAILY,
        "minutes": None,
    },
    # Snapshots older than SNAPSHOT_FULL_DAYS thinned to one per local day.
    "thin_snapshots": {
        "func": f"{OURS}thin_snapshots",
        "schedule_type": Schedule.DAILY,
        "minutes": None,
    },
    # Analytics: yesterday's daily account rollups, and the last days repaired.
    "rollup_daily_metrics": {
        "func": f"{OURS}rollup_daily_metrics",
        "schedule_type": Schedule.DAILY,
        "minutes": None,
    },
    # Publishing: due targets and reconciliations each minute; the sweep reports missed ones.
    "publish_due_targets": {
        "func": f"{OURS}publish_due_targets",
        "schedule_type": Schedule.MINUTES,
        "minutes": 1,
    },
    "sweep_missed_targets": {
        "func": f"{OURS}sweep_missed_targets",
        "schedule_type": Schedule.MINUTES,
        "minutes": 5,
    },
    # Publishing connections: tokens that would expire before the next run are refreshed;
    # expired Facebook Login tokens go to needs_reauth.
    "refresh_connection_tokens": {
        "func": f"{OURS}refresh_connection_tokens",
        "schedule_type": Schedule.DAILY,
        "minutes": None,
    },
    # Idempotency-Key answers older than their TTL (24 h): the table stays small.
    "purge_idempotency_records": {
        "func": f"{OURS}purge_idempotency_records",
        "schedule_type": Schedule.DAILY,
        "minutes": None,
    },
    # People's notifications by e-mail and Slack (in-app ones are written with their event).
    # Workflow: content tasks due within 24 h or overdue, each reminded once per due time.
    "remind_due_tasks": {
        "func": f"{OURS}remind_due_tasks",
        "schedule_type": Schedule.MINUTES,
        "minutes": 15,
    },
    "deliver_notifications": {
        "func": f"{OURS}deliver_notifications",
        "schedule_type": Schedule.MINUTES,
        "minutes": 1,
    },
    # Direct uploads to S3 never confirmed, past MEDIA_UPLOAD_EXPIRY_SECONDS: object and row.
    "cleanup_media_uploads": {
        "func": f"{OURS}cleanup_media_uploads",
        "schedule_type": Schedule.HOURLY,
        "minutes": None,
    },
    # Analytics: the due weekly and monthly reports of the clients' schedules (one per period).
    "create_scheduled_reports": {
        "func": f"{OURS}create_scheduled_reports",
        "schedule_type": Schedule.DAILY,
        "minutes": None,
    },
    # Operations: the worker's pulse (health endpoint), alerts, the daily digest.
    "heartbeat": {
        "func": f"{OURS}heartbeat",
        "schedule_type": Schedule.MINUTES,
        "minutes": 1,
    },
    # Runs left "running" by a dead worker: closed as failed, their job queued again (the
    # Redis broker loses the task of a killed worker; see JOB_LEASE_SECONDS).
    "recover_abandoned_runs": {
        "func": f"{OURS}recover_abandoned_runs",
        "schedule_type": Schedule.MINUTES,
        "minutes": 1,
    },
    "send_alerts": {
        "func": f"{OURS}send_alerts",
        "schedule_type": Schedule.MINUTES,
        "minutes": 5,
    },
    # Analytics: connected accounts' audience demographics once a local day; brand mentions
    # in tracked posts (and their AI sentiment when configured) every hour.
    "fetch_audiences": {
        "func": f"{OURS}fetch_audiences",
        "schedule_type": Schedule.DAILY,
        "minutes": None,
    },
    "find_mentions": {
        "func": f"{OURS}find_mentions",
        "schedule_type": Schedule.HOURLY,
        "minutes": None,
    },
    # The best-time heat map's stored first-window views of posts whose window closed.
    "settle_best_time": {
        "func": f"{OURS}settle_best_time",
        "schedule_type": Schedule.HOURLY,
        "minutes": None,
    },
    "daily_digest": {
        "func": f"{OURS}daily_digest",
        "schedule_type": Schedule.DAILY,  # at the time of day the schedule was first installed
        "minutes": None,
    },
}

# The jobs on the operations dashboard and the health endpoint (the every-minute ones record
# no JobRun, or one only when they did something: one a minute would drown the others; the
# heartbeat has its own check).
EVERY_MINUTE_JOBS = ("heartbeat", "recover_abandoned_runs", "deliver_notifications")
MONITORED_JOBS: tuple[str, ...] = tuple(name for name in SCHEDULES if name not in EVERY_MINUTE_JOBS)
