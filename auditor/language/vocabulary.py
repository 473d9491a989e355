"""What every operator module shares: the operator registry, MISSING, notes and errors.

Operator modules (`access_operators`, `policy_operators`, `target_operators` and the
built-ins in `conditions`) register here with `@operator`; `conditions` compiles rules
against the registry. Nothing here imports the compiler, so there is no import cycle.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from auditor.launchdarkly.inventory import Inventory
from auditor.models import Destination


class _Missing:
    __slots__ = ()

    def __repr__(self) -> str:
        return "<missing>"


MISSING: Any = _Missing()

Test = Callable[[Any, Any], bool]
"""A compiled condition: (value, context) -> holds. The context is the engine's, opaque here."""


def destination_and_inventory(value: Any, ctx: Any) -> tuple[Destination, Inventory] | None:
    """The destination being judged and the inventory around it, when the run has both and
    the operand's path reached a value."""
    destination = getattr(ctx, "destination", None)
    inventory = getattr(ctx, "inventory", None)
    if value is MISSING or destination is None or not isinstance(inventory, Inventory):
        return None
    return destination, inventory


def note(ctx: Any, line: str | Callable[[], str], *, redacted: bool = False) -> None:
    """Add a line of reasoning to the context's trail, when a finding is being explained.

    Pass a callable to build the text only then: evaluation without a trail stays cheap.
    Inside a field whose value must not be shown (see `hiding`), a line is kept only when
    `redacted` says it names the field instead of quoting the value (`quoted` does that);
    any other line there becomes a line that names the field alone.
    """
    trail = getattr(ctx, "trail", None)
    if trail is None:
        return
    field = _HIDDEN.get()
    if field is not None and not redacted:
        trail.append(f"a condition on `{field}` was checked; its value is not shown")
        return
    trail.append(line() if callable(line) else line)


_HIDDEN: ContextVar[str | None] = ContextVar("hidden_field", default=None)


@contextmanager
def hiding(field: str | None) -> Iterator[None]:
    """While explaining, the value operators look at is that of `field`, which must not be
    shown (a secret, or any config field of a kind auditor does not know); None: it may be."""
    token = _HIDDEN.set(field)
    try:
        yield
    finally:
        _HIDDEN.reset(token)


def hidden_field() -> str | None:
    """The field whose value must not be shown in the current explanation, if any."""
    return _HIDDEN.get()


def quoted(value: Any) -> str:
    """How an explanation names a value: `` `value` ``, or the field it came from when its
    value must not be shown (explanations name fields, never the values of secrets)."""
    field = _HIDDEN.get()
    return f"`{value}`" if field is None else f"the value of `{field}` (not shown)"


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
