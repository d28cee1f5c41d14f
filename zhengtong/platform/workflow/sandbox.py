"""The script engine for conditions and script tasks: expressions only, no Python.

SpiffWorkflow's default engine hands script text to ``eval``/``exec``; a process uploaded
by an administrator would then run arbitrary code on the server. Here an expression is
evaluated by ``simpleeval`` (no imports, no attribute access to dunders, no file system), and
a script task may only be a list of assignments ``name = expression``.
"""

from __future__ import annotations

import ast
from typing import Any

from simpleeval import EvalWithCompoundTypes, InvalidExpression
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

SAFE_FUNCTIONS = {
    "len": len, "min": min, "max": max, "sum": sum, "abs": abs, "round": round, "sorted": sorted,
    "str": str, "int": int, "float": float, "bool": bool, "any": any, "all": all,
}


class SandboxError(Exception):
    """An expression or script that is not allowed or does not evaluate."""


def evaluate(expression: str, names: dict[str, Any]) -> Any:
    evaluator = EvalWithCompoundTypes(names=dict(names), functions=SAFE_FUNCTIONS)
    try:
        return evaluator.eval(expression)
    except (InvalidExpression, SyntaxError, TypeError, ValueError, KeyError, IndexError, ZeroDivisionError) as exc:
        raise SandboxError(f"{expression!r}: {exc}") from exc


def assignments(script: str) -> list[tuple[str, str]]:
    """Split a script into ``(name, expression)`` pairs; anything else is refused."""
    try:
        tree = ast.parse(script)
    except SyntaxError as exc:
        raise SandboxError(f"not a valid script: {exc}") from exc
    pairs = []
    for statement in tree.body:
        if not (isinstance(statement, ast.Assign) and len(statement.targets) == 1 and isinstance(statement.targets[0], ast.Name)):
            raise SandboxError(f"line {statement.lineno}: only 'name = expression' assignments are allowed")
        name = statement.targets[0].id
        if name.startswith("_"):
            raise SandboxError(f"line {statement.lineno}: names may not start with '_'")
        pairs.append((name, ast.get_source_segment(script, statement.value) or ""))
    return pairs


class SandboxEnvironment(BasePythonScriptEngineEnvironment):  # type: ignore[misc]
    def evaluate(self, expression: str, context: dict[str, Any], external_context: dict[str, Any] | None = None) -> Any:
        return evaluate(expression, {**context, **(external_context or {})})

    def execute(self, script: str, context: dict[str, Any], external_context: dict[str, Any] | None = None) -> bool:
        for name, expression in assignments(script):
            context[name] = evaluate(expression, {**context, **(external_context or {})})
        return True

    def call_service(self, context: dict[str, Any], **kwargs: Any) -> Any:
        raise SandboxError("service tasks are not available")


def script_engine() -> PythonScriptEngine:
    return PythonScriptEngine(environment=SandboxEnvironment())
