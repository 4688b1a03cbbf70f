"""The demo agency's reference rows: clients, editors, boards, the taxonomy, finance items."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from finance.models import FinanceItem
from settings_app.models import Board, Category, Client, Editor, Subcategory

from .data import BOARDS, CLIENTS, DEMO_SUFFIX, EDITORS, FINANCE_ITEMS, TAXONOMY, DemoSummary


def clients_ensure(summary: DemoSummary) -> dict[str, Client]:
    clients = {}
    for niche, name in CLIENTS.items():
        client, created = Client.objects.get_or_create(
            name=name + DEMO_SUFFIX, defaults={"notes": f"Demo client ({niche})."}
        )
        summary.add("clients", created)
        clients[niche] = client
    return clients


def editors_ensure(summary: DemoSummary) -> list[Editor]:
    editors = []
    for name in EDITORS:
        editor, created = Editor.objects.get_or_create(name=name + DEMO_SUFFIX)
        summary.add("editors", created)
        editors.append(editor)
    return editors


def boards_ensure(summary: DemoSummary) -> dict[str, Board]:
    boards = {}
    for slug, name in BOARDS.items():
        board = (
            Board.objects.filter(name__iexact=name).first()
            or Board.objects.filter(slug=slug).first()
        )
        if board is None:
            board = Board.objects.create(name=name, slug=slug)
            summary.add("boards", 1)
        boards[slug] = board
    return boards


def taxonomy_ensure(summary: DemoSummary) -> list[Category]:
    if not Category.objects.exists():
        for name, subcategories in TAXONOMY.items():
            category, created = Category.objects.get_or_create(name=name)
            summary.add("categories", created)
            for sub in subcategories:
                _, created = Subcategory.objects.get_or_create(category=category, name=sub)
                summary.add("subcategories", created)
    return list(Category.objects.prefetch_related("subcategories").order_by("name"))


def finance_items_ensure(summary: DemoSummary) -> list[FinanceItem]:
    items = []
    for payee, method, base, volume, rate in FINANCE_ITEMS:
        name = payee + DEMO_SUFFIX
        item = FinanceItem.objects.filter(payee_name=name).first()
        if item is None:
            item = FinanceItem.objects.create(
                code=_free_finance_code(),
                payee_name=name,
                payment_method=method,
                base_monthly_pay=Decimal(base),
                expected_monthly_posting_volume=volume,
                rate_per_1k_views=Decimal(rate) if rate else None,
                started_date=date(2024, 1, 1),
                notes="Demo finance item.",
            )
            summary.add("finance items", 1)
        items.append(item)
    return items


def _free_finance_code() -> str:
    # FIN-0001… on an empty database; never takes the code of a real item.
    used = set(FinanceItem.objects.filter(code__startswith="FIN-").values_list("code", flat=True))
    number = 1
    while f"FIN-{number:04d}" in used:
        number += 1
    return f"FIN-{number:04d}"
