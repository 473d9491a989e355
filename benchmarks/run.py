"""Time auditor against baselines measured in the same run, and print every figure as a ratio.

    python benchmarks/run.py --sizes 1000 10000 100000   # the full table (slow: minutes)
    python benchmarks/run.py --quick                     # 1,000 destinations: works, agrees

Whole processes are timed (median of --repeat runs after one warm-up) and their peak RSS read
from os.wait4. Baselines: (a) `json.load` of the file, (b) the naive floor in naive.py, (c) for
start-up, `python -c "import click, yaml"`. These machines are shared and noisy, so only the
ratios to baselines of the same run mean anything.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
PY = sys.executable


def run_once(cmd: list[str]) -> tuple[float, int, bytes]:
    """Wall seconds, peak RSS in bytes and stdout of one process."""
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.DEVNULL, cwd=ROOT)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        return wall, usage.ru_maxrss * 1024, out.read()


def measure(cmd: list[str], repeat: int) -> tuple[float, int]:
    """Median wall time and the largest peak RSS over `repeat` runs after a warm-up."""
    run_once(cmd)
    runs = [run_once(cmd) for _ in range(repeat)]
    return statistics.median(r[0] for r in runs), max(r[1] for r in runs)


def auditor(*args: str) -> list[str]:
    """`auditor ARGS` with limits raised for the largest size measured (100,000 destinations,
    197 MB; the default 50 MB allows 25,000): the benchmarks measure work, not refusals."""
    command, *rest = args
    limit = ["--max-input-size", "1GB"] if command in ("check", "diff") else []
    return [PY, "-m", "auditor", command, *limit, *rest]


def agree(path: Path, report: Path) -> dict[str, int]:
    """Check that auditor and the naive floor count the same findings for their two rules."""
    naive = json.loads(run_once([PY, str(HERE / "naive.py"), str(path)])[2])
    run_once(auditor("check", str(path), "--fail-on", "never", "-f", f"json:{report}"))
    findings = json.loads(report.read_text())["findings"]
    ours = {rule: sum(1 for f in findings if f["rule_id"] == rule) for rule in naive}
    if ours != naive:
        raise SystemExit(f"auditor and the naive floor disagree: {ours} != {naive}")
    return ours


def throughput(size: int, repeat: int, work: Path) -> list[tuple[str, str, str]]:
    path = work / f"export-{size}.json"
    subprocess.run(
        [PY, str(HERE / "generate.py"), "--items", str(size), "--seed", "1", "-o", str(path)],
        check=True,
    )
    report = work / f"report-{size}.json"
    counts = agree(path, report)
    load_t, load_m = measure([PY, "-c", f"import json; json.load(open({str(path)!r}))"], repeat)
    naive_t, naive_m = measure([PY, str(HERE / "naive.py"), str(path)], repeat)
    check = auditor("check", str(path), "--fail-on", "never", "-f", f"json:{report}")
    check_t, check_m = measure(check, repeat)
    later = work / f"export-{size}-later.json"
    generate = [PY, str(HERE / "generate.py"), "--items", str(size), "--seed", "1"]
    subprocess.run([*generate, "--later", "-o", str(later)], check=True)
    diff = auditor("diff", str(path), str(later), "--fail-on", "never", "-f", f"json:{report}")
    diff_t, diff_m = measure(diff, repeat)
    mb = path.stat().st_size / 1e6
    label = f"{size:,} destinations ({mb:.0f} MB)"
    return [
        (label, "`json.load` of the file (a)", f"1.00x ({load_t:.2f} s, {load_m / 2**20:.0f} MiB)"),
        (label, "naive floor: `json.load` + loop (b)", _ratio(naive_t, load_t, naive_m)),
        (label, "`auditor check`, all rules, JSON out", _ratio(check_t, load_t, check_m)),
        (label, "`auditor check` / naive floor: wall", f"{check_t / naive_t:.2f}x"),
        (label, "`auditor check` / naive floor: peak RSS", f"{check_m / naive_m:.2f}x"),
        (label, "`auditor diff` of two snapshots", _ratio(diff_t, load_t, diff_m)),
        (label, "`auditor diff` / naive floor on one: wall", f"{diff_t / naive_t:.2f}x"),
        (label, "counts agree with the naive floor", json.dumps(counts)),
    ]


def _ratio(t: float, base: float, mem: int) -> str:
    return f"{t / base:.2f}x ({t:.2f} s, {mem / 2**20:.0f} MiB)"


def startup(repeat: int) -> list[tuple[str, str, str]]:
    base_t, _ = measure([PY, "-c", "import click, yaml"], repeat)
    check_t, _ = measure(
        auditor("check", "examples/destinations.json", "--fail-on", "never"), repeat
    )
    help_t, _ = measure(auditor("--help"), repeat)
    label = "start-up"
    return [
        (label, '`python -c "import click, yaml"` (c)', f"1.00x ({base_t * 1000:.0f} ms)"),
        (label, "`auditor check examples/destinations.json`", f"{check_t / base_t:.2f}x"),
        (label, "`auditor --help`", f"{help_t / base_t:.2f}x"),
    ]


def scaling(small: int, large: int) -> list[tuple[str, str, str]]:
    """Per-rule evaluation time at two sizes, in process: large/small vs the size ratio."""
    from auditor.engine import evaluate
    from auditor.launchdarkly.document import build_document
    from auditor.rulebook.ruleset import compile_rule, load_rules
    from benchmarks.generate import generate

    rules = [compile_rule(r) for r in load_rules()]
    docs = {n: build_document(generate(n, 1)).destinations for n in (small, large)}
    rows = []
    for rule in rules:
        times = {}
        for n, destinations in docs.items():
            start = time.perf_counter()
            evaluate([rule], destinations)
            times[n] = time.perf_counter() - start
        ratio = times[large] / max(times[small], 1e-9)
        rows.append((f"scaling {small:,} -> {large:,}", rule.rule.id, f"{ratio:.1f}x time"))
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="1,000 destinations, one run each")
    parser.add_argument("--no-scaling", action="store_true")
    parser.add_argument(
        "--write", metavar="README", help="also put the table into README between its markers"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.repeat, args.no_scaling = [1000], 1, True
    rows: list[tuple[str, str, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            rows += throughput(size, args.repeat, Path(tmp))
    rows += startup(max(args.repeat, 5))
    if not args.no_scaling and len(args.sizes) >= 2:
        rows += scaling(sorted(args.sizes)[-2], sorted(args.sizes)[-1])
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    command = " ".join(argv or sys.argv[1:])
    table = "\n".join(
        [
            f"Measured on {machine}, {time.strftime('%Y-%m-%d')}, `run.py {command}`:",
            "",
            "| work | measure | result |",
            "| --- | --- | --- |",
            *("| " + " | ".join(row) + " |" for row in rows),
        ]
    )
    print(table)
    if args.write:
        _write_between_markers(Path(args.write), table)


def _write_between_markers(path: Path, table: str) -> None:
    begin, end = "<!-- BEGIN results -->", "<!-- END results -->"
    text = path.read_text(encoding="utf-8")
    head, _, rest = text.partition(begin)
    _, _, tail = rest.partition(end)
    path.write_text(f"{head}{begin}\n{table}\n{end}{tail}", encoding="utf-8")


if __name__ == "__main__":
    main()
