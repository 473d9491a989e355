"""What every operator module shares: the operator registry, MISSING, notes and errors.

Operator modules (`access_operators`, `policy_operators`, `target_operators` and the
built-ins in `conditions`) register here with `@operator`; `conditions` compiles rules
against the registry. Nothing here imports the compiler, so there is no import cycle.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any


class _Missing:
    __slots__ = ()

    def __repr__(self) -> str:
        return "<missing>"


MISSING: Any = _Missing()

Test = Callable[[Any, Any], bool]
"""A compiled condition: (value, context) -> holds. The context is the engine's, opaque here."""


def note(ctx: Any, line: str | Callable[[], str]) -> None:
    """Add a line of reasoning to the context's trail, when a finding is being explained.

    Pass a callable to build the text only then: evaluation without a trail stays cheap.
    """
    trail = getattr(ctx, "trail", None)
    if trail is not None:
        trail.append(line() if callable(line) else line)


NOT_CONFIGURED = "not_configured"
NOT_APPLICABLE = "not_applicable"


def unchecked(ctx: Any, reason: str, detail: str) -> None:
    """Say that an operator passed without checking anything, and why.

    `reason` is NOT_CONFIGURED (an opt-in check lacks its params for this subject) or
    NOT_APPLICABLE (there is nothing for it to check); `detail` says it in words. The engine
    counts such a pass as "not evaluated", never as a pass, in every report.
    """
    skipped = getattr(ctx, "skipped", None)
    if skipped is not None:
        skipped.append((reason, detail))


class ConditionError(Exception):
    """A condition that cannot be compiled; `where` is the path of keys inside the rule.

    `at` is the node to point at when it differs from `where` (an unknown operator is reported
    on the condition that holds it, located at the operator's own key).
    """

    def __init__(
        self, where: Sequence[str | int], message: str, *, at: Sequence[str | int] | None = None
    ) -> None:
        super().__init__(message)
        self.where = tuple(where)
        self.at = self.where if at is None else tuple(at)
        self.message = message


OperatorCompiler = Callable[[Any, Mapping[str, Any], tuple[str | int, ...]], Test]
OPERATORS: dict[str, OperatorCompiler] = {}


NOTING: set[str] = set()
"""Operators that note reasoning (see `note`): only rules using them need an explanation."""
SKIPPING: set[str] = set()
"""Operators that may pass without checking (see `unchecked`): their rules' coverage is traced."""


def operator(
    name: str, *, notes: bool = False, skips: bool = False
) -> Callable[[OperatorCompiler], OperatorCompiler]:
    def register(fn: OperatorCompiler) -> OperatorCompiler:
        OPERATORS[name] = fn
        if notes:
            NOTING.add(name)
        if skips:
            SKIPPING.add(name)
        return fn

    return register
