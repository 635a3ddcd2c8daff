"""Views and API views read through selectors (DESIGN rule 1, issue 13 point 5).

A view parses input, calls ONE service or selector and renders. Queries written inline in views drift
apart (the same `CaseMaterial` query was written nine times, scoped differently) and escape the one
scoping mechanism, so this test reads every view module's syntax tree and fails on any ORM query in it:
a model manager (`X.objects`), a queryset-building call (`.filter(`, `.order_by(`, `.first()`, …) or a
`get_object_or_404`. Put the read in the app's `selectors.py` (typed, scoped by the user, a docstring
saying why) and call it.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "tongban"

VIEW_GLOBS = ("*/views.py", "*/views/*.py", "*/staff_views/*.py", "*/api.py", "*/api_*.py", "*/*_views.py")

# Calls that build or run a query. Names that plain Python also uses for something else (`get`,
# `count`, `update`, `values`, `none`) are left out: the `.objects` rule and these catch what matters.
QUERY_METHODS = frozenset(
    {
        "aggregate",
        "alias",
        "all",
        "annotate",
        "bulk_create",
        "defer",
        "distinct",
        "exclude",
        "exists",
        "extra",
        "filter",
        "first",
        "get_or_create",
        "in_bulk",
        "last",
        "only",
        "order_by",
        "prefetch_related",
        "raw",
        "select_for_update",
        "select_related",
        "update_or_create",
        "values_list",
        "visible_to",
    }
)
SHORTCUTS = frozenset({"get_object_or_404", "get_list_or_404"})

# (module, enclosing function) → why it may stay. Keep this short.
ALLOWED = {
    # A serializer method in the API module reads the links that `hall.selectors.ticket_list(...,
    # with_case_links=True)` prefetched: `.all()` on a prefetched relation runs no query.
    ("hall/api.py", "TicketSerializer.get_case_numbers"): "reads a prefetched relation",
}


def view_modules() -> list[Path]:
    found = {p for pattern in VIEW_GLOBS for p in SRC.glob(pattern)}
    return sorted(p for p in found if not p.name.endswith("_urls.py") and "tests" not in p.parts)


def _qualname(stack: list[ast.AST]) -> str:
    return ".".join(
        n.name for n in stack if isinstance(n, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
    )


def inline_queries(path: Path) -> list[tuple[str, int, str]]:
    """(enclosing function, line, what) for every ORM query written in the module."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    hits: list[tuple[str, int, str]] = []

    def visit(node: ast.AST, stack: list[ast.AST]) -> None:
        what = None
        if isinstance(node, ast.Attribute) and node.attr == "objects":
            what = ".objects"
        elif isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr in QUERY_METHODS:
                what = f".{func.attr}()"
            elif isinstance(func, ast.Name) and func.id in SHORTCUTS:
                what = f"{func.id}()"
        if what:
            hits.append((_qualname(stack), node.lineno, what))
        inner = (
            [*stack, node]
            if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
            else stack
        )
        for child in ast.iter_child_nodes(node):
            visit(child, inner)

    visit(tree, [])
    return hits


def test_the_scan_finds_view_modules():
    names = {str(p.relative_to(SRC)) for p in view_modules()}
    assert {"cases/views.py", "cases/api.py", "cases/staff_views/case.py", "hall/kiosk_views.py"} <= names


def test_the_scan_sees_an_inline_query(tmp_path):
    module = tmp_path / "views.py"
    module.write_text(
        "def page(request, pk):\n"
        "    case = Case.objects.filter(pk=pk).first()\n"
        "    return case.steps.select_related('department')\n"
    )
    whats = {what for _, _, what in inline_queries(module)}
    assert whats == {".objects", ".filter()", ".first()", ".select_related()"}


def test_views_do_not_query_the_orm_directly():
    offenders = []
    used = set()
    for path in view_modules():
        module = str(path.relative_to(SRC))
        for function, line, what in inline_queries(path):
            if (module, function) in ALLOWED:
                used.add((module, function))
                continue
            offenders.append(f"{module}:{line} {function or '<module>'}: {what}")
    assert not offenders, "move these reads into the app's selectors.py:\n" + "\n".join(offenders)
    assert used == set(ALLOWED), f"allow-list entries no longer needed: {set(ALLOWED) - used}"
