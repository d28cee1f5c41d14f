"""The audit trail's core does not depend on ``access``: ``access`` writes its own records through it.

Only the audit administrator's permission-checked reading (``auditor``, and the pages and API built
on it) may import ``access``. Read statically, lazy imports inside functions included; imports for
type checkers only (``if TYPE_CHECKING:``) are not run, so they do not count.
"""

from __future__ import annotations

import ast
from pathlib import Path

import zhengtong

ROOT = Path(zhengtong.__file__).resolve().parent
CORE = ["models", "services", "canonical", "signing", "verification", "context", "middleware", "exports", "filters"]


def _imports(module: str) -> set[str]:
    path = ROOT.parent.joinpath(*module.split("."))
    source = path.with_suffix(".py") if path.with_suffix(".py").exists() else path / "__init__.py"
    found = set()
    for node in _run_time_nodes(ast.parse(source.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {name for name in found if name.startswith("zhengtong") and _exists(name)}


def _run_time_nodes(tree: ast.AST):
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            yield from (child for branch in node.orelse for child in ast.walk(branch))
            continue
        yield node
        yield from _run_time_nodes(node)


def _exists(module: str) -> bool:
    path = ROOT.parent.joinpath(*module.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def _reach(start: list[str]) -> dict[str, str]:
    """Every zhengtong module reachable from ``start``, with the module that imports it."""
    seen: dict[str, str] = {}
    todo = list(start)
    while todo:
        module = todo.pop()
        for imported in _imports(module):
            if imported not in seen and imported not in start:
                seen[imported] = module
                todo.append(imported)
    return seen


def test_the_audit_core_never_imports_access():
    reached = _reach([f"zhengtong.platform.audit.{name}" for name in CORE])
    assert "zhengtong.platform.ledger.merkle" in reached  # the scan follows the core's imports
    offending = {module: via for module, via in reached.items() if module.startswith("zhengtong.platform.access")}
    assert offending == {}, f"the audit core reaches access: {offending}"


def test_the_scan_would_see_it():
    assert any(module.startswith("zhengtong.platform.access") for module in _reach(["zhengtong.platform.audit.auditor"]))
