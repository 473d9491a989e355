"""Review a Terraform plan: apply its LaunchDarkly changes to a snapshot in memory, compare.

Each resource change is mapped onto the snapshot the way the provider would change
LaunchDarkly (schema: `docs/resources/*.md` of launchdarkly/terraform-provider-launchdarkly,
https://registry.terraform.io/providers/launchdarkly/launchdarkly/latest/docs). A replace is
a delete and a create; every delete goes first, then the updates, then the creates, so the
result is the state a successful apply leaves. Destinations are mapped by
`terraform_destination`, roles, teams, members and tokens by `terraform_account`; resources
of other types are only counted.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections import Counter
from dataclasses import replace
from typing import Any

from auditor.audit import AuditOptions
from auditor.changes import terraform_account, terraform_destination
from auditor.changes.diff import DestinationChange, DiffResult, run_diff
from auditor.changes.plan import Plan
from auditor.changes.workspace import PlanReview, Workspace, steps
from auditor.launchdarkly.document import build_document, parse_json
from auditor.models import Source

_ORDER = {
    "launchdarkly_custom_role": 0,
    "launchdarkly_team_member": 1,
    "launchdarkly_team": 2,
    "launchdarkly_team_role_mapping": 3,
    "launchdarkly_access_token": 4,
    "launchdarkly_destination": 5,
}
"""Within a step, roles before those who hold them, members before the teams that list them."""


def run_plan_review(snapshot: Source, plan: Plan, options: AuditOptions) -> DiffResult:
    """Audit `snapshot` as it is and as the plan would leave it, and compare."""
    before = parse_json(snapshot.data)
    build_document(before)  # the snapshot's shape is checked before the plan is applied
    after, review = apply_plan(before, plan)
    data = json.dumps(after, ensure_ascii=False).encode("utf-8")
    changed = Source(
        path=f"{snapshot.path} + {plan.path}",
        sha256=hashlib.sha256(data).hexdigest(),
        data=data,
    )
    result = run_diff(snapshot, changed, options, change_path=plan.path)
    return replace(result, plan=review, destinations=_without_hidden(result, review))


def _without_hidden(result: DiffResult, review: PlanReview) -> tuple[DestinationChange, ...]:
    """Field changes of fields the plan marks sensitive, with no value on either side: even
    the snapshot's value is the one Terraform hides."""
    out = []
    for c in result.destinations:
        hidden = review.sensitive_fields.get(c.destination.id, frozenset())
        fields = tuple(
            replace(f, shown=False, before=None, after=None) if f.field in hidden else f
            for f in c.fields
        )
        out.append(replace(c, fields=fields))
    return tuple(out)


def apply_plan(document: dict[str, Any], plan: Plan) -> tuple[dict[str, Any], PlanReview]:
    """A new document with the plan's LaunchDarkly changes applied; `document` is kept."""
    account = document.get("_account")
    ws = Workspace(
        plan=plan,
        items=copy.deepcopy(document["items"]),
        account=copy.deepcopy(account) if isinstance(account, dict) else None,
    )
    mapped = [rc for rc in plan.changes if rc.mapped]
    for rc in mapped:
        if rc.action == "forget":
            ws.note(rc, "Terraform stops managing it; LaunchDarkly keeps it as it is")
        if not steps(rc.action):
            ws.done(rc)
    for step in ("delete", "update", "create"):
        for rc in sorted(mapped, key=lambda rc: (_ORDER[rc.type], rc.position)):
            if step in steps(rc.action):
                if rc.type == "launchdarkly_destination":
                    terraform_destination.apply(ws, rc, step)
                else:
                    terraform_account.apply(ws, rc, step)
    if ws.account is not None:
        terraform_account.finish(ws)
    out = {**document, "items": ws.items}
    if ws.account is not None:
        out["_account"] = ws.account
    ignored = Counter(rc.type for rc in plan.changes if not rc.mapped and rc.action != "no-op")
    review = PlanReview(
        path=plan.path,
        format_version=plan.format_version,
        terraform_version=plan.terraform_version,
        complete=plan.complete,
        deferred=plan.deferred,
        resources=tuple(ws.reviews[k] for k in sorted(ws.reviews)),
        ignored=tuple(sorted(ignored.items())),
        addresses=dict(ws.addresses),
        sensitive_fields=dict(ws.sensitive_fields),
    )
    return out, review
