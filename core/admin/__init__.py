"""Shared admin machinery, one module per concern: `display` (columns and formatting),
`changelist` (big tables filtered through FilterSets), `adding` (add and bulk-add through
services), `audit` (the audit trail), and `pages` (custom admin pages). The site
itself and its menu machinery are in core.admin_site."""

# Registers AuditEntryAdmin when the admin autodiscovers `core.admin`.
from core.admin import audit  # noqa: F401
