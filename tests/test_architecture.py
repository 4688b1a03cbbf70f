"""The import directions of DESIGN.md's layout, checked on every module of app code.

Reads each module with `ast` and collects every reference to another app: imports (at module
top or inside a function), `importlib.import_module("…")`, `apps.get_model("app", …)`, the
reverse look-up `_meta.get_field(…).related_model`, and raw SQL naming another app's table (any
string literal holding a `db_table` of `django.apps.apps.get_models()`). Fails naming
`module:line app -> app` for each arrow the layout does not allow, and for each import cycle
between modules (a cycle hidden behind a function-level import is still a cycle).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.apps import apps

ROOT = Path(__file__).resolve().parent.parent

# DESIGN.md, "Layout": app -> the apps it may import (core is everyone's). `config` is the
# composition root and may import anything: it is not checked. The arrows are closed
# transitively below (a lower app reached through a listed arrow is allowed).
LAYOUT: dict[str, set[str]] = {
    "core": set(),
    "notifications": {"core"},
    "settings_app": {"notifications", "core"},
    "platforms": {"core"},  # a library: no app models
    "ai": {"core"},  # a library: no app models
    "posts": {"settings_app", "platforms", "ai", "core"},
    "creators": {"posts", "settings_app", "platforms", "core"},
    "finance": {"creators", "posts", "settings_app", "core"},
    "publishing": {"creators", "posts", "settings_app", "platforms", "core"},
    "workflow": {"publishing", "creators", "posts", "settings_app", "notifications", "core"},
    "analytics": {"workflow", "finance", "creators", "posts", "settings_app", "core"},
    "operations": {
        "analytics",
        "workflow",
        "publishing",
        "finance",
        "creators",
        "posts",
        "ai",
        "platforms",
        "settings_app",
        "notifications",
        "core",
    },  # everything: it observes
}

# Known violations, each to be removed by the issue named, keyed by (module, kind, target).
# None today: an arrow DESIGN.md does not allow is fixed, not listed.
KNOWN: dict[tuple[str, str, str], str] = {}


def closed(layout: dict[str, set[str]]) -> dict[str, set[str]]:
    """Each app's allowed targets, transitively."""
    result = {app: set(targets) for app, targets in layout.items()}
    changed = True
    while changed:
        changed = False
        for targets in result.values():
            reached = set().union(*(result.get(t, set()) for t in targets)) - targets
            if reached:
                targets |= reached
                changed = True
    return result


@dataclass(frozen=True)
class Ref:
    """One reference of `module` (at `line`) to another module or app."""

    module: str
    line: int
    kind: str  # import, import_module, get_model, related_model, sql
    target: str  # a dotted module for imports, else an app label

    @property
    def target_app(self) -> str:
        return self.target.split(".")[0]


def modules(root: Path, app_names: Iterable[str]) -> Iterator[tuple[str, Path]]:
    """(dotted name, path) of every module of the apps under `root`, migrations skipped."""
    for app in app_names:
        for path in sorted((root / app).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            if "migrations" in parts:
                continue
            if parts[-1] == "__init__":
                parts = parts[:-1]
            yield ".".join(parts), path


def _absolute(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def _strings(node: ast.AST) -> Iterator[tuple[int, str]]:
    for child in ast.walk(node):
        if isinstance(child, ast.Constant) and isinstance(child.value, str):
            yield child.lineno, child.value


def _first_string(call: ast.Call) -> str | None:
    if call.args and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str):
        return call.args[0].value
    return None


def references(module: str, path: Path, tables: dict[str, str]) -> Iterator[Ref]:
    """Every reference of one module, wherever it is written (module top or function)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    is_package = path.name == "__init__.py"
    table_pattern = (
        re.compile(
            r"\b(" + "|".join(map(re.escape, sorted(tables, key=len, reverse=True))) + r")\b"
        )
        if tables
        else None
    )
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Ref(module, node.lineno, "import", alias.name)
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(module, is_package, node)
            for alias in node.names:
                # `from pkg import module` names a module; `from module import name` does not.
                yield Ref(
                    module, node.lineno, "import", f"{base}.{alias.name}" if base else alias.name
                )
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute | ast.Name):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id
            text = _first_string(node)
            if name == "import_module" and text:
                yield Ref(module, node.lineno, "import_module", text)
            elif name == "get_model" and text:
                yield Ref(module, node.lineno, "get_model", text.split(".")[0])
        elif (
            isinstance(node, ast.Attribute)
            and node.attr == "related_model"
            and isinstance(node.value, ast.Call)
            and isinstance(node.value.func, ast.Attribute)
            and node.value.func.attr == "get_field"
        ):
            # `Model._meta.get_field("x").related_model`: reaching a model without importing
            # it. Which app it reaches is not known statically; any such look-up is refused.
            yield Ref(module, node.lineno, "related_model", "?")
    if table_pattern is not None:
        for line, text in _strings(tree):
            for match in table_pattern.finditer(text):
                yield Ref(module, line, "sql", tables[match.group(1)])


def app_tables() -> dict[str, str]:
    """db_table -> app label, for every model (auto-created M2M tables included)."""
    return {
        model._meta.db_table: model._meta.app_label
        for model in apps.get_models(include_auto_created=True)
    }


def violations(
    root: Path,
    layout: dict[str, set[str]],
    *,
    tables: dict[str, str],
    known: dict[tuple[str, str, str], str] | None = None,
) -> list[str]:
    """`module:line app -> app (kind)` for every forbidden reference, and every import cycle."""
    allowed = closed(layout)
    known = known or {}
    found: list[str] = []
    graph: dict[str, set[str]] = {}
    names = dict(modules(root, layout))
    for module, path in names.items():
        app = module.split(".")[0]
        own_tables = {t: a for t, a in tables.items() if a != app}
        graph[module] = set()
        for ref in references(module, path, own_tables):
            target_app = ref.target_app
            if ref.kind == "related_model":
                # Any such look-up is refused; a known one is listed with the app it reaches.
                if not any(k[:2] == (module, ref.kind) for k in known):
                    found.append(f"{module}:{ref.line} {app} -> ? (related_model look-up)")
                continue
            if ref.kind == "import":
                target = _known_module(ref.target, names)
                if target and target != module:
                    graph[module].add(target)
            if target_app not in layout or target_app == app:
                continue  # stdlib, Django, third-party, config, or the app itself
            if target_app in allowed[app]:
                continue
            if (module, ref.kind, target_app) in known:
                continue
            found.append(f"{module}:{ref.line} {app} -> {target_app} ({ref.kind})")
    found.extend(f"import cycle: {' -> '.join(cycle)}" for cycle in cycles(graph))
    return found


def _known_module(dotted: str, names: dict[str, Path]) -> str | None:
    """The module of app code a dotted import name is (or is in), if any."""
    while dotted:
        if dotted in names:
            return dotted
        dotted = dotted.rpartition(".")[0]
    return None


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle per strongly connected component of more than one module (Tarjan).

    A package's `__init__` importing its own modules is not a cycle (`pkg.mod` importing
    `pkg` for a name defined in `pkg/__init__.py` would be)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt.startswith(node + ".") or node.startswith(nxt + "."):
                continue  # a package and its own modules
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return components


# --- The test on the real code ----------------------------------------------------------------


def test_app_code_imports_only_what_the_layout_allows():
    layout = {app: targets for app, targets in LAYOUT.items() if (ROOT / app).is_dir()}

    assert violations(ROOT, layout, tables=app_tables(), known=KNOWN) == []


# --- The checker catches what it should -------------------------------------------------------

SMALL_LAYOUT = {"core": set(), "posts": {"core"}, "creators": {"posts"}, "finance": {"creators"}}
SMALL_TABLES = {"finance_financeitem": "finance", "creators_account": "creators"}


def tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    for app in SMALL_LAYOUT:
        (tmp_path / app).mkdir(exist_ok=True)
        (tmp_path / app / "__init__.py").touch()
    return tmp_path


def check(tmp_path: Path, files: dict[str, str], known=None) -> list[str]:
    return violations(tree(tmp_path, files), SMALL_LAYOUT, tables=SMALL_TABLES, known=known)


def test_an_allowed_import_and_a_transitive_one_pass(tmp_path):
    files = {
        "finance/services.py": "from creators.models import Account\nfrom posts import models\n",
        "creators/metrics.py": "from posts.metrics import rate\nfrom core import windows\n",
        "posts/metrics.py": "import json\nfrom django.db import models\n",
        "posts/migrations/0001_initial.py": "from finance.models import FinanceItem\n",
    }

    assert check(tmp_path, files) == []


def test_a_lower_app_importing_a_higher_one_is_named_with_its_line(tmp_path):
    files = {"posts/services.py": "import json\n\nfrom finance.models import FinanceItem\n"}

    assert check(tmp_path, files) == ["posts.services:3 posts -> finance (import)"]


def test_a_function_level_import_is_seen(tmp_path):
    files = {
        "creators/queries.py": "def items():\n    from finance import queries\n    return 1\n",
        "core/windows.py": "def f():\n    import posts.models\n",
    }

    assert check(tmp_path, files) == [
        "core.windows:2 core -> posts (import)",
        "creators.queries:2 creators -> finance (import)",
    ]


def test_import_module_and_get_model_strings_are_seen(tmp_path):
    files = {
        "posts/a.py": (
            "import importlib\nfrom django.apps import apps\n"
            'x = importlib.import_module("creators.services")\n'
            'y = apps.get_model("finance", "FinanceItem")\n'
            'z = apps.get_model("creators.Account")\n'
        )
    }

    assert check(tmp_path, files) == [
        "posts.a:3 posts -> creators (import_module)",
        "posts.a:4 posts -> finance (get_model)",
        "posts.a:5 posts -> creators (get_model)",
    ]


def test_a_related_model_look_up_is_refused(tmp_path):
    files = {
        "creators/metrics.py": (
            "from .models import Account\n"
            'Item = Account._meta.get_field("finance_item").related_model\n'
        )
    }

    assert check(tmp_path, files) == ["creators.metrics:2 creators -> ? (related_model look-up)"]


def test_raw_sql_naming_a_table_of_a_higher_app_is_seen(tmp_path):
    files = {
        "creators/metrics.py": 'SQL = f"""\nSELECT 1 FROM finance_financeitem fi\n"""\n',
        "finance/queries.py": 'SQL = "SELECT id FROM creators_account"\n',
    }

    assert check(tmp_path, files) == ["creators.metrics:1 creators -> finance (sql)"]


def test_a_cycle_behind_a_function_level_import_is_seen(tmp_path):
    files = {
        "finance/queries.py": "def f():\n    from .services import figures\n",
        "finance/services.py": "from .queries import month_of\n",
    }

    assert check(tmp_path, files) == [
        "import cycle: finance.queries -> finance.services",
    ]


def test_a_known_violation_is_skipped_only_where_it_is_listed(tmp_path):
    files = {
        "posts/services.py": "from creators.models import Account\n",
        "posts/queries.py": "from creators.models import Account\n",
    }
    known = {("posts.services", "import", "creators"): "issue 0"}

    assert check(tmp_path, files, known) == ["posts.queries:1 posts -> creators (import)"]


@pytest.mark.parametrize(
    ("layout", "app", "reached"),
    [
        (LAYOUT, "finance", {"creators", "posts", "settings_app", "platforms", "ai"}),
        (LAYOUT, "platforms", {"core"}),
        (LAYOUT, "ai", {"core"}),
    ],
)
def test_the_layout_is_closed_transitively(layout, app, reached):
    assert reached <= closed(layout)[app]
    assert "operations" not in closed(layout)[app]
