"""The job kernel shared by the apps' background work: claims, work reports, backoff.

The apps' services claim their rows here and return plain reports; the job layer
(operations.jobs) opens a JobRun, calls them and records the reports: counts, and the items
that failed past the limit (dead letters). No app model is known here.
"""

import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connections, transaction
from django.db.models import Field, Model, Q, QuerySet
from django.utils import timezone


@dataclass
class ItemFailure:
    """One object a job failed on, past the retry limit: it becomes a dead letter."""

    obj: Any
    error: str
    attempts: int
    label: str = ""
    url: str = ""


@dataclass
class WorkReport:
    """What a batch of a job did. `ok_objects` succeeded or were settled (e.g. found deleted):
    their open dead letters are resolved. `failed` counts every object that failed this time;
    `dead_letters` are those past the limit."""

    kind: str
    ok: int = 0
    failed: int = 0
    created: int = 0  # new objects the work made (e.g. posts found by detection)
    ok_objects: list = field(default_factory=list)
    dead_letters: list[ItemFailure] = field(default_factory=list)
    batches: int = 0
    errors: Counter = field(default_factory=Counter)  # error text -> items that failed with it
    # platform -> {"ok": n, "failed": n}, for the work whose failure rate is watched (refreshes)
    by_platform: dict[str, Counter] = field(default_factory=dict)

    def add_counts(self, other: "WorkReport") -> None:
        self.ok += other.ok
        self.failed += other.failed
        self.created += other.created
        self.batches += other.batches
        self.errors.update(other.errors)
        for platform, counts in other.by_platform.items():
            self.by_platform.setdefault(platform, Counter()).update(counts)

    def note_errors(self, error: str, count: int = 1) -> None:
        """Keep `error` for the run's summary (`count` items failed with it)."""
        if count:
            self.errors[error_key(error)] += count

    def item_ok(self, obj: Any) -> None:
        """`obj` went well (or was settled): counted, and its open dead letter resolved."""
        self.ok += 1
        self.ok_objects.append(obj)
        self._count_platform(obj, "ok")

    def item_failed(self, obj: Any, *, error: str, attempts: int, limit: int | None = None) -> None:
        """`obj` failed with `error` (its `attempts`-th failure in a row): counted, its error
        kept for the run's summary, and past `limit` (default REFRESH_MAX_FAILURES) a dead
        letter."""
        self.failed += 1
        self.note_errors(error)
        self._count_platform(obj, "failed")
        if attempts >= (settings.REFRESH_MAX_FAILURES if limit is None else limit):
            self.dead_letters.append(item_failure(obj, error=error, attempts=attempts))

    def _count_platform(self, obj: Any, outcome: str) -> None:
        platform = getattr(obj, "platform", "")
        if platform:
            self.by_platform.setdefault(str(platform), Counter())[outcome] += 1

    def error_summary(self, *, most: int = 5) -> str:
        """The run's failures in a few lines: each distinct error with how many items had it."""
        return errors_summary(self.errors, failed=self.failed, most=most)


def error_key(error: str) -> str:
    # One line per distinct error: the first line, bounded.
    return (error.strip().splitlines() or [""])[0][:300]


def errors_summary(errors: Counter, *, failed: int, most: int = 5) -> str:
    """ "3 items failed: RateLimited: … (2); ProviderError: … (1)": the `most` commonest."""
    if not failed:
        return ""
    parts = [f"{text} ({count})" for text, count in errors.most_common(most)]
    if len(errors) > most:
        parts.append(f"{len(errors) - most} other errors")
    noun = "item" if failed == 1 else "items"
    return f"{failed} {noun} failed: " + "; ".join(parts) if parts else f"{failed} {noun} failed."


def error_text(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:2000]


def item_failure(obj: Any, *, error: str, attempts: int) -> ItemFailure:
    """The dead letter of `obj` (a row with a `url`), labelled with the row itself."""
    return ItemFailure(
        obj=obj, error=error, attempts=attempts, label=str(obj)[:300], url=getattr(obj, "url", "")
    )


def job_backoff(*, failures: int, error: BaseException | None = None) -> timedelta:
    """How long a failed item waits: a rate limit's `retry_after` when it says, else
    exponential (REFRESH_BACKOFF_SECONDS * 2^(failures-1), capped)."""
    retry_after = getattr(error, "retry_after", None)
    if retry_after:
        return timedelta(seconds=float(retry_after))
    base, cap = settings.REFRESH_BACKOFF_SECONDS, settings.REFRESH_BACKOFF_MAX_SECONDS
    return timedelta(seconds=min(base * 2 ** max(failures - 1, 0), cap))


def rows_claim(
    queryset: QuerySet,
    *,
    now: datetime,
    limit: int,
    order_by: Sequence,
    claim_field: str = "",
    free: Q | None = None,
    changes: dict[str, Any] | None = None,
) -> list[int]:
    """Claim up to `limit` rows of `queryset` for this worker; return their ids.

    Either `claim_field`: the rows are taken until now + the claim TTL, and a row is free when
    that field is empty or past; a claim that is never released (the worker died) expires and
    the rows are taken again. Or `free` (what a row must still be to be taken) and `changes`
    (what taking it writes), for work whose claim is a state (e.g. `processing`).

    Rows another worker is claiming right now are skipped (SKIP LOCKED where the database has
    it; SQLite's immediate transactions serialize claimers), and the UPDATE only takes rows
    still free (compare-and-set)."""
    if claim_field:
        if connections[queryset.db].vendor == "postgresql":
            pk = queryset.model._meta.pk
            rows = _claim_in_one_statement(
                queryset,
                claim_field=claim_field,
                now=now,
                limit=limit,
                order_by=order_by,
                returning=[pk],
            )
            return sorted(row[0] for row in rows)
        free = _free(claim_field, now)
        changes = {claim_field: _claimed_until(now)}
    elif free is None or changes is None:
        raise TypeError("rows_claim needs claim_field, or both free and changes.")
    connection = connections[queryset.db]
    with transaction.atomic(using=queryset.db):
        candidates = queryset.filter(free).order_by(*order_by)
        if connection.features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True, of=("self",))
        ids = list(candidates.values_list("pk", flat=True)[:limit])
        if ids:
            queryset.model._default_manager.filter(free, pk__in=ids).update(**changes)
    return ids


def _free(claim_field: str, now: datetime) -> Q:
    return Q(**{f"{claim_field}__isnull": True}) | Q(**{f"{claim_field}__lte": now})


def _claimed_until(now: datetime) -> datetime:
    return now + timedelta(seconds=settings.REFRESH_CLAIM_TTL_SECONDS)


def _claim_in_one_statement(
    queryset: QuerySet,
    *,
    claim_field: str,
    now: datetime,
    limit: int,
    order_by: Sequence,
    returning: Sequence[Field],
) -> list[tuple]:
    """PostgreSQL: `UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED LIMIT n) RETURNING
    <returning>`: one statement, so one round trip and no transaction of its own."""
    connection = connections[queryset.db]
    meta = queryset.model._meta
    field = meta.get_field(claim_field)
    candidates = queryset.filter(_free(claim_field, now)).order_by(*order_by)
    try:
        # Django compiles FOR UPDATE only inside a transaction; the UPDATE around it is atomic.
        sql, params = candidates.values("pk")[:limit].query.sql_with_params()
    except EmptyResultSet:  # nothing to claim (e.g. no ids)
        return []
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    columns = ", ".join(quote(f.column) for f in returning)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {quote(field.column)} = %s WHERE {quote(meta.pk.column)} IN "
            f"({sql} FOR UPDATE OF {table} SKIP LOCKED) RETURNING {columns}",
            [field.get_db_prep_save(_claimed_until(now), connection), *params],
        )
        return cursor.fetchall()


def objects_claim(
    queryset: QuerySet,
    *,
    claim_field: str,
    now: datetime,
    limit: int,
    order_by: Sequence,
    fields: Sequence[str] = (),
) -> list[Model]:
    """rows_claim with `claim_field`, then the claimed rows themselves, by id: with `fields`,
    only those (and the primary key) are loaded and the others deferred (reading one costs a
    query). On PostgreSQL the claim returns the rows: one statement."""
    model = queryset.model
    if connections[queryset.db].vendor != "postgresql":
        ids = rows_claim(queryset, claim_field=claim_field, now=now, limit=limit, order_by=order_by)
        claimed = model._default_manager.filter(pk__in=ids).order_by("pk")
        return list(claimed.only(*fields) if fields else claimed)
    meta = model._meta
    wanted = {meta.get_field(name).attname for name in fields}
    loaded = [f for f in meta.concrete_fields if not wanted or f.primary_key or f.attname in wanted]
    rows = _claim_in_one_statement(
        queryset,
        claim_field=claim_field,
        now=now,
        limit=limit,
        order_by=order_by,
        returning=loaded,
    )
    return sorted(_objects_from_rows(queryset, loaded, rows), key=lambda obj: obj.pk)


def _objects_from_rows(queryset: QuerySet, fields: Sequence[Field], rows: list[tuple]):
    """Model instances of `rows` (values of `fields`, in the model's order), converted as a
    query's rows are (e.g. JSON text to a dict)."""
    connection = connections[queryset.db]
    compiler = connection.ops.compiler("SQLCompiler")(queryset.query, connection, queryset.db)
    converters = compiler.get_converters([f.get_col(f.model._meta.db_table) for f in fields])
    if converters:
        rows = compiler.apply_converters(rows, converters)
    names = [f.attname for f in fields]
    return [queryset.model.from_db(queryset.db, names, row) for row in rows]


def objects_claim_ids(
    queryset: QuerySet,
    *,
    ids: Iterable[int],
    claim_field: str,
    now: datetime,
    fields: Sequence[str] = (),
) -> list[Model]:
    """Claim these rows of `queryset` now, due or not (e.g. just added); rows another worker
    holds are skipped. Returns the claimed rows, by id (`fields`: as in objects_claim)."""
    ids = list(ids)
    return objects_claim(
        queryset.filter(pk__in=ids),
        claim_field=claim_field,
        now=now,
        limit=len(ids),
        order_by=["id"],
        fields=fields,
    )


def work_pass(
    *,
    kind: str,
    claim: Callable[[datetime, int], list],
    process: Callable[..., WorkReport],
    now: datetime | None,
    batch_size: int,
    time_budget: float | None,
    on_batch: Callable[[WorkReport], None] | None,
) -> WorkReport:
    """One pass of a job: claim a batch, `process(objects=…, now=…)` it, until nothing is left
    to claim or `time_budget` seconds have passed. `now` fixes the moment (tests); by default
    each batch takes the current time. Returns the pass's counts."""
    deadline = None if time_budget is None else time.monotonic() + time_budget
    total = WorkReport(kind=kind)
    while deadline is None or time.monotonic() < deadline:
        batch_now = now or timezone.now()
        objects = claim(batch_now, batch_size)
        if not objects:
            break
        report = process(objects, now=batch_now)
        if on_batch is not None:
            on_batch(report)
        total.add_counts(report)
    return total
