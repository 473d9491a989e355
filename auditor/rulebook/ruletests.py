"""`auditor rules test`: every rule's examples and every `*.test.yaml` file, as outcomes."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from auditor.errors import UsageError
from auditor.io import fsprobe
from auditor.io.yamlfile import YamlDoc, load_yaml
from auditor.models import Rule
from auditor.rulebook.examples import run_examples
from auditor.rulebook.ruleset import RULE_SUFFIXES, compile_rule, is_test_file, rule_files
from auditor.rulebook.testfile import run_test_file


@dataclass(frozen=True, kw_only=True, slots=True)
class RuleOutcome:
    """What a rule's examples showed: located failures, and the kinds of example it lacks."""

    rule_id: str
    examples: int
    failures: tuple[str, ...]
    lacking: tuple[str, ...]


@dataclass(frozen=True, kw_only=True, slots=True)
class FileOutcome:
    """What one test file showed: its located failures."""

    path: str
    failures: tuple[str, ...]


@dataclass(frozen=True, kw_only=True, slots=True)
class TestReport:
    """The outcome of every rule's examples and every test file."""

    rules: tuple[RuleOutcome, ...]
    files: tuple[FileOutcome, ...]

    def failed(self, *, strict: bool = False) -> bool:
        """Whether an example or a test failed (or, when `strict`, an example is lacking)."""
        return any(r.failures or (strict and r.lacking) for r in self.rules) or any(
            f.failures for f in self.files
        )


def run_rule_tests(
    written: Sequence[Rule],
    configured: Sequence[Rule],
    *,
    rule_paths: Sequence[str],
    builtin: bool,
    test_paths: Sequence[str] = (),
) -> TestReport:
    """Run the examples of the rules as written, and the test files on the configured rules.

    Test files are `test_paths` (files, or directories holding `*.test.yaml`), or when none
    is given, the `*.test.yaml` files beside the rule files.
    """
    files = rule_files(rule_paths, builtin=builtin)
    by_source = {source: path for path, source in files}
    rules = tuple(_rule_outcome(rule, by_source.get(rule.source)) for rule in written)
    tests = _test_files(test_paths) if test_paths else _beside([p for p, _ in files])
    outcomes = tuple(FileOutcome(path=str(t), failures=run_test_file(t, configured)) for t in tests)
    return TestReport(rules=rules, files=outcomes)


def _rule_outcome(rule: Rule, path: Path | None) -> RuleOutcome:
    outcomes = run_examples(compile_rule(rule))
    doc: YamlDoc | None = None
    failures = []
    for outcome in outcomes:
        if outcome.ok:
            continue
        if doc is None and path is not None:
            doc = load_yaml(path)
        where = ("examples", outcome.expected, outcome.index)
        if outcome.detail == "finding":
            problem = "expected no finding, got one"
        elif outcome.detail == "no finding":
            problem = "expected a finding, got none"
        else:
            problem = outcome.detail
        failures.append(str(doc.error(where, problem)) if doc else f"{rule.source}: {problem}")
    lacking = tuple(
        kind
        for kind, examples in (("pass", rule.examples_pass), ("fail", rule.examples_fail))
        if not examples
    )
    return RuleOutcome(
        rule_id=rule.id, examples=len(outcomes), failures=tuple(failures), lacking=lacking
    )


def is_rule_file(path: str) -> bool:
    """A YAML file that is not a test file: a rule."""
    candidate = Path(path)
    return (
        fsprobe.is_file(candidate)
        and candidate.suffix in RULE_SUFFIXES
        and not is_test_file(candidate)
    )


def holds_rules(path: str) -> bool:
    """A rule file, or a folder with at least one rule file in it."""
    if fsprobe.is_dir(path):
        return any(is_rule_file(str(p)) for p in fsprobe.entries(Path(path)))
    return is_rule_file(path)


def _test_files(paths: Iterable[str]) -> list[Path]:
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if fsprobe.is_dir(path):
            found += sorted(
                p for p in fsprobe.entries(path) if is_test_file(p) and fsprobe.is_file(p)
            )
        elif fsprobe.is_file(path):
            found.append(path)
        else:
            raise UsageError(f"{raw}: no such test file or directory")
    return found


def _beside(rule_paths: Iterable[Path]) -> list[Path]:
    """The test files in the directories of the rule files, each once, in order."""
    directories = {p.parent.resolve(): p.parent for p in rule_paths}
    return [
        candidate
        for directory in directories.values()
        for candidate in sorted(fsprobe.entries(directory))
        if is_test_file(candidate) and fsprobe.is_file(candidate)
    ]


def render_text(report: TestReport, *, strict: bool = False) -> str:
    """One line per rule and test file, their failures indented, and a summary."""
    lines = []
    for rule in report.rules:
        lacking = " and ".join(rule.lacking)
        status = "FAIL" if rule.failures or (strict and rule.lacking) else "PASS"
        status = "WARN" if status == "PASS" and rule.lacking else status
        note = f"; no {lacking} example" if lacking else ""
        lines.append(f"{status}  {rule.rule_id} ({_plural(rule.examples, 'example')}{note})")
        lines += [f"      {failure}" for failure in rule.failures]
    for test in report.files:
        lines.append(f"{'FAIL' if test.failures else 'PASS'}  {test.path}")
        lines += [f"      {failure}" for failure in test.failures]
    failed_rules = sum(1 for r in report.rules if r.failures)
    lacking_rules = sum(1 for r in report.rules if r.lacking)
    failed_files = sum(1 for f in report.files if f.failures)
    lines.append("")
    lines.append(
        f"{_plural(len(report.rules), 'rule')}: {failed_rules} failed, "
        f"{lacking_rules} lacking a pass or fail example; "
        f"{_plural(len(report.files), 'test file')}: {failed_files} failed"
    )
    return "\n".join(lines) + "\n"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
