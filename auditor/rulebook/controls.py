"""The compliance frameworks rules map to, with their controls' official titles.

The titles live in reports/controls.yaml with their sources. A report shows a framework for
every `compliance:` key of the rules in play: the known ones (SOC 2, ISO/IEC 27001, GDPR) in
the file's order with titles, any other key after them, by name, without titles.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Any

from auditor.io.paths import reports_dir
from auditor.models import Control, Framework, Rule
from auditor.rulebook.rulecache import builtin_file

CATALOGUE = "controls.yaml"


@cache
def catalogue() -> tuple[Framework, ...]:
    """Every framework of reports/controls.yaml, with all its controls, in the file's order."""
    return builtin_file(reports_dir() / CATALOGUE, _frameworks)


def _frameworks(data: Any) -> tuple[Framework, ...]:
    return tuple(
        Framework(
            key=entry["key"],
            name=entry["name"],
            source=entry["source"],
            controls={
                str(control): Control(id=str(control), title=" ".join(str(title).split()))
                for control, title in entry["controls"].items()
            },
        )
        for entry in data["frameworks"]
    )


def frameworks_for(rules: Iterable[Rule]) -> tuple[Framework, ...]:
    """The frameworks `rules` map to, each with only the controls they name (titled if known).

    Known frameworks come first in the catalogue's order, then unknown keys alphabetically.
    """
    named: dict[str, set[str]] = {}
    for rule in rules:
        for key, controls in rule.compliance.items():
            named.setdefault(key, set()).update(controls)
    known = {f.key: f for f in catalogue()}
    order = [k for k in known if k in named] + sorted(k for k in named if k not in known)
    out = []
    for key in order:
        base = known.get(key)
        shown = {
            c: base.controls[c] if base and c in base.controls else Control(id=c, title="")
            for c in named[key]
        }
        out.append(
            Framework(
                key=key,
                name=base.name if base else key,
                source=base.source if base else "",
                controls=shown,
            )
        )
    return tuple(out)
