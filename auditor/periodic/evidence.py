"""The evidence pack of one `check` run: what an external auditor needs to verify it.

The pack is a new directory holding the input with config secrets redacted, the rule,
config, waivers and baseline files that shaped the audit, its JSON, HTML and SARIF reports,
`evidence.json` (tool version, command line, hashes, the effective settings) and
`MANIFEST.sha256` over all of it. It is built in a temporary directory beside its target and
renamed into place, so it is there complete or not at all.

The redacted input keeps every field: each secret is replaced by a marker that auditor reads
back as "present, masked" or "present, was clear text" (`redact.evidence_item`), so
`auditor check` on it, with the pack's rules and settings, makes the same findings with the
same fingerprints (`auditor evidence verify --reaudit` checks it).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from auditor.errors import AuditorError, OutputError
from auditor.io import fsprobe
from auditor.io.paths import rules_dir
from auditor.io.pseudonyms import anonymised
from auditor.launchdarkly.masking import MASKED_MARKER
from auditor.launchdarkly.redact import CLEAR_MARKER, evidence_item
from auditor.models import AuditResult, Rule, Source
from auditor.periodic.manifest import write_tree

EVIDENCE_VERSION = 1
EVIDENCE_FORMATS = {"json": "report.json", "html": "report.html", "sarif": "report.sarif"}
"""The reports a pack holds, by format: each one that the output registry offers."""
REDACTED = "***"
_SECRET_FLAGS = ("--api-key", "--api-token", "--token", "--access-token")
_TOKEN = re.compile(r"(?i)\b(?:api|sdk|mob)-[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}\b")
README = f"""\
Evidence pack of one `auditor check` run.

evidence.json     tool version, command line, source and rule hashes, verdict
input/            the audited export, every field kept but each config secret
                  replaced by "{MASKED_MARKER}" (it was obfuscated) or
                  "{CLEAR_MARKER}" (it was in clear text); evidence.json
                  gives the SHA-256 of the original bytes
rules/            the rule files loaded (evidence.json says which ran); config/,
                  waivers/, baseline/ when used
reports/          the reports of the run
MANIFEST.sha256   the SHA-256 of every other file

Verify, inside this directory:  sha256sum -c MANIFEST.sha256
or, anywhere:                   auditor evidence verify THIS_DIRECTORY
re-audit and compare findings:  auditor evidence verify --reaudit THIS_DIRECTORY
"""


@dataclass(frozen=True, kw_only=True, slots=True)
class EvidenceRequest:
    """Where to write a pack, and what of the run's context goes into it."""

    directory: str
    argv: tuple[str, ...]
    secrets: tuple[str, ...] = ()
    """Values never to write (the API token), scrubbed from the command line."""
    config_file: str | None = None
    waivers: str | None = None
    """The waivers file the audit applied (`--waivers` or the config's `waivers:`)."""
    baseline: str | None = None


def scrub_argv(argv: Sequence[str], secrets: Sequence[str] = ()) -> list[str]:
    """The command line with any `--api-key`-like value and any token-shaped text masked."""
    out: list[str] = []
    hide_next = False
    for arg in argv:
        if hide_next:
            out.append(REDACTED)
            hide_next = False
            continue
        flag, eq, _ = arg.partition("=")
        if flag in _SECRET_FLAGS:
            out.append(f"{flag}={REDACTED}" if eq else arg)
            hide_next = not eq
            continue
        for secret in secrets:
            if secret:
                arg = arg.replace(secret, REDACTED)
        out.append(_TOKEN.sub(REDACTED, arg))
    return out


def redacted_snapshot(data: bytes, *, anonymise: bool = False) -> Any:
    """The export with every secret replaced by its marker (`evidence_item`), and with
    `anonymise` the account's member emails by their hashes; None if not an export."""
    from auditor.launchdarkly.document import parse_json

    try:
        doc = parse_json(data)
    except AuditorError:
        return None
    if not isinstance(doc, dict) or not isinstance(doc.get("items"), list):
        return None
    snapshot = {**doc, "items": [evidence_item(item) for item in doc["items"]]}
    if anonymise and isinstance(doc.get("_account"), dict):
        snapshot["_account"] = anonymised(doc["_account"])
    return snapshot


def write_pack(request: EvidenceRequest, result: AuditResult, source: Source) -> str:
    """Build the pack and move it to `request.directory`; return MANIFEST.sha256's SHA-256."""
    target = Path(request.directory)
    if fsprobe.exists(target) and (not fsprobe.is_dir(target) or fsprobe.entries(target)):
        raise OutputError(
            f"{request.directory}: exists and is not an empty directory; "
            "an evidence pack goes to a new (or empty) directory"
        )
    return write_tree(target, pack_files(request, result, source))


def pack_files(request: EvidenceRequest, result: AuditResult, source: Source) -> dict[str, bytes]:
    """Every file of the pack but the manifest, by POSIX path inside the pack."""
    from auditor.outputs import FORMATS, render

    files: dict[str, bytes] = {"README.txt": README.encode("utf-8")}
    snapshot = redacted_snapshot(source.data, anonymise=result.access.anonymised)
    if snapshot is not None:
        files["input/destinations.json"] = _json(snapshot)
    rules = []
    ran = {r.id for r in result.rules}
    loaded = (*result.rules, *result.deselected, *result.outside_framework)
    for rule in sorted(loaded, key=lambda r: r.id):
        name = None
        if rule.file_sha256:  # a rule made in code (no file) is named, with no file to copy
            name, files[name] = _rule_file(rule)
        sha256 = rule.file_sha256 or None
        rules.append(
            {
                "id": rule.id,
                "source": rule.source,
                "sha256": sha256,
                "file": name,
                "ran": rule.id in ran,
                "severity": rule.severity.label,  # after --severity overrides
                "params": dict(rule.params),  # after the config's params
            }
        )
    extras = {
        key: _copy(files, key, path)
        for key, path in (
            ("config", request.config_file),
            ("waivers", request.waivers),
            ("baseline", request.baseline),
        )
    }
    reports = []
    for fmt, name in EVIDENCE_FORMATS.items():
        if fmt in FORMATS:
            files[f"reports/{name}"] = render(fmt, result).encode("utf-8")
            reports.append({"format": fmt, "file": f"reports/{name}"})
    meta = {
        "evidence_version": EVIDENCE_VERSION,
        "tool": {"name": "auditor", "version": result.tool_version},
        "generated_at": result.generated_at,
        "command_line": scrub_argv(request.argv, request.secrets),
        "source": {
            "path": result.source_path,
            "sha256": result.source_sha256,
            "snapshot": "input/destinations.json" if snapshot is not None else None,
            "redaction": (
                f"every field kept; config values other than the known, non-secret fields of "
                f"known kinds replaced by {MASKED_MARKER!r} (obfuscated) or {CLEAR_MARKER!r} "
                "(clear text), numbers by 0"
            ),
        },
        "ruleset_sha256": result.ruleset_sha256,
        "rules": rules,
        "rules_deselected": sorted(r.id for r in result.deselected),
        "settings": {
            "framework": result.framework,
            "fail_on": result.gate.fail_on,
            "hard_fail_on": list(result.gate.hard_fail_on),
            "soft_fail_on": list(result.gate.soft_fail_on),
            "now": result.generated_at,
            "anonymise_members": result.access.anonymised,
        },
        **extras,
        "reports": reports,
        "verdict": {"passed": result.passed, "fail_on": result.fail_on},
    }
    files["evidence.json"] = _json(meta)
    return files


def _json(value: Any) -> bytes:
    return (json.dumps(value, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _read(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        reason = exc.strerror or exc
        problem = f"cannot read the {what} for the evidence pack: {reason}"
        raise OutputError(f"{path}: {problem}") from None


def _rule_file(rule: Rule) -> tuple[str, bytes]:
    builtin = rule.source.removeprefix("builtin:")
    path = rules_dir() / builtin if builtin != rule.source else Path(rule.source)
    data = _read(path, "rule file")
    if hashlib.sha256(data).hexdigest() != rule.file_sha256:
        raise OutputError(f"{path}: the rule file changed while the audit ran")
    return f"rules/{rule.id}{path.suffix}", data


def _copy(files: dict[str, bytes], key: str, path: str | None) -> dict[str, str] | None:
    """Put the file at `path` under `key/` in the pack; its entry for evidence.json."""
    if path is None:
        return None
    data = _read(Path(path), f"{key} file")
    name = f"{key}/{_safe_name(Path(path).name)}"
    files[name] = data
    return {"path": path, "sha256": hashlib.sha256(data).hexdigest(), "file": name}


def _safe_name(name: str) -> str:
    """A file name that needs no escaping in MANIFEST.sha256 and no quoting in a shell."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]", "_", name).lstrip(".")
    return cleaned or "file"
