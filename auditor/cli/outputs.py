"""A command's outputs: checked against its inputs before any work, then written as a set.

Before the audit: each output path must be writable, no output may be the same file as an
input of the run (the baseline excepted: writing the new report over it is the documented
refresh), no two outputs may share a file, and at most one may go to stdout. After it: the
rendered outputs are written by `io.writing.write_set`, stdout through click, where a
closed pipe is remembered instead of raised, so the run can still record its history.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from typing import Any

from auditor.errors import UsageError
from auditor.io.targets import STDOUT, Named, check_outputs, is_stdout, target


class Stdout:
    """Writes to stdout; `closed` once its reader has gone (`... | head`)."""

    def __init__(self) -> None:
        self.closed = False

    def write(self, data: bytes) -> None:
        if self.closed:
            return
        try:
            sys.stdout.flush()
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
        except BrokenPipeError:
            self.closed = True


def role(name: str, path: str) -> str:
    """How an error names an output: `-f json:out.json`, `-f text`, `--template-output OUT`."""
    if name == "template":
        return "--template" if path == STDOUT else f"--template-output {path}"
    return f"-f {name}" if path == STDOUT else f"-f {name}:{path}"


def precheck(outputs: Sequence[Named], inputs: Iterable[Named]) -> None:
    """Refuse, before any work, every output that can never be written or would destroy."""
    check_outputs(outputs, [i for i in inputs if i.path])
    for output in outputs:
        if not is_stdout(output.path):
            target(output.path)


def rule_inputs(rule_paths: Sequence[str], builtin: bool) -> list[Named]:
    """The rule files a run reads (an output over one of them is refused)."""
    from auditor.rulebook.ruleset import rule_files

    try:
        files = rule_files(rule_paths, builtin=builtin)
    except Exception:  # a missing rule path fails later, with its own message
        return []
    return [Named(path=str(path), role="rule file") for path, _ in files]


def write(rendered: Sequence[tuple[str, str | bytes]], stdout: Stdout) -> None:
    """Write every (path, text) as one set; `-` is stdout."""
    from auditor.io.writing import Output, write_set

    outputs = [
        Output(path=STDOUT if is_stdout(path) else path, data=_bytes(text))
        for path, text in rendered
    ]
    write_set(outputs, stdout=stdout.write)


def _bytes(text: str | bytes) -> bytes:
    return text.encode("utf-8") if isinstance(text, str) else text


def precheck_check(
    config: Any,
    outputs: list[tuple[str, str]],
    input_path: str | None,
    save: str | None,
    template_path: str | None,
    evidence: str | None,
) -> None:
    """`check`'s every output location, before any work; none over an input, none twice."""
    from auditor.io.snapshot import meta_path
    from auditor.io.targets import target

    named = [Named(path=path, role=role(name, path)) for name, path in outputs]
    if save:
        named.append(Named(path=save, role="--save"))
        if target(save).kind == "file":
            named.append(Named(path=str(meta_path(save)), role="--save's .meta.json"))
    inputs = [
        Named(path=input_path or "", role="export"),
        Named(path=config.path or "", role="config file"),
        Named(path=config.waivers or "", role="waivers file"),
        Named(path=config.history or "", role="history database"),
        Named(path=template_path or "", role="template"),
        *rule_inputs(config.rule_paths, config.builtin_rules),
    ]
    precheck(named, inputs)
    if config.history:
        target(config.history)
    if evidence is not None:
        from auditor.periodic.workflow import check_pack_location

        check_pack_location(evidence, [o.path for o in named])


def with_template(
    config: Any, template_path: str | None, template_output: str | None
) -> list[tuple[str, str]]:
    """The outputs, plus the user's template (checked now, before any work) when given.

    Its output goes to --template-output, or to stdout in place of the default text report
    (beside the outputs chosen with -f or in the config file).
    """
    from auditor.config import DEFAULT
    from auditor.outputs import TEMPLATE
    from auditor.outputs.templating import load_user_template

    outputs = list(config.outputs)
    if template_path is None:
        if template_output is not None:
            raise UsageError("--template-output needs --template PATH, the template to render")
        return outputs
    load_user_template(template_path)
    if template_output is None and config.origin("outputs") == DEFAULT:
        outputs = []
    return [*outputs, (TEMPLATE.name, template_output or "-")]
