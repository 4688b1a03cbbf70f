from . import admin_besttime  # noqa: F401  (best time, audience and mentions pages)
