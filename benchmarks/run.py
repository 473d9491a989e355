"""Time auditor against baselines measured in the same run, and print every figure as a ratio.

    python benchmarks/run.py --sizes 1000 10000 100000   # the full table (slow: many minutes)
    python benchmarks/run.py --quick                     # 1,000 destinations: works, agrees

Whole processes are timed (median of --repeat runs after one warm-up, the commands of one
size taking turns so that a busy moment hits them alike) and their peak RSS read from
os.wait4. Baselines: (a) `json.load` of the file, (b) the naive floor in naive.py, (c) for
start-up, `python -c "import click, yaml"`. These machines are shared and noisy, so only the
ratios to baselines of the same run mean anything.

Both shapes of generate.py are measured. The scaling check evaluates each built-in rule alone,
in process, at the two largest sizes of each shape, and compares the whole process's `check`
times too: when 10x the destinations costs more than 11x the time, the run fails (exit 1)
after printing (and writing) the table.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
PY = sys.executable
SHAPES = ("shared-roles", "per-destination-roles")
LIMIT = 11.0
"""The most time 10x the destinations may cost, as a multiple."""

Row = tuple[str, str, str]


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


def measure(
    commands: dict[str, list[str]], repeat: int, *, warm: bool = True
) -> dict[str, tuple[float, int, bytes]]:
    """Median wall time, largest peak RSS and last stdout of each command, taking turns."""
    for cmd in commands.values() if warm else ():
        run_once(cmd)  # warm-up: file cache, bytecode
    runs: dict[str, list[tuple[float, int, bytes]]] = {name: [] for name in commands}
    for _ in range(repeat):
        for name, cmd in commands.items():
            runs[name].append(run_once(cmd))
    return {
        name: (statistics.median(r[0] for r in got), max(r[1] for r in got), got[-1][2])
        for name, got in runs.items()
    }


def auditor(*args: str) -> list[str]:
    """`auditor ARGS` with limits raised for the largest size measured (100,000 destinations,
    197 MB; the default 50 MB allows 25,000): the benchmarks measure work, not refusals."""
    command, *rest = args
    limit = ["--max-input-size", "1GB"] if command in ("check", "diff") else []
    return [PY, "-m", "auditor", command, *limit, *rest]


def generate(size: int, shape: str, path: Path, *, later: bool = False) -> None:
    cmd = [PY, str(HERE / "generate.py"), "--items", str(size), "--seed", "1", "--shape", shape]
    subprocess.run([*cmd, *(["--later"] if later else []), "-o", str(path)], check=True)


def agree(naive_out: bytes, report: Path) -> dict[str, int]:
    """Check that auditor and the naive floor count the same findings for their two rules."""
    naive = json.loads(naive_out)
    # Counted in a child: read here, the report would grow this process, and every command
    # started after it would report this process's peak RSS as its own (a forked child's
    # ru_maxrss counts the memory it had before exec).
    count = (
        "import collections, json, sys; findings = json.load(open(sys.argv[1]))['findings'];"
        "print(json.dumps(collections.Counter(f['rule_id'] for f in findings)))"
    )
    counted = json.loads(
        subprocess.run([PY, "-c", count, str(report)], check=True, capture_output=True).stdout
    )
    ours = {rule: counted.get(rule, 0) for rule in naive}
    if ours != naive:
        raise SystemExit(f"auditor and the naive floor disagree: {ours} != {naive}")
    return ours


def throughput(
    size: int, shape: str, repeat: int, work: Path, *, diff: bool = True
) -> tuple[list[Row], float]:
    """The rows for one size and shape, and `check`'s median wall time.

    The last timed run of the naive floor and of `check` also give the agreement check.
    """
    path = work / f"{shape}-{size}.json"
    later = work / f"{shape}-{size}-later.json"
    generate(size, shape, path)
    report = work / f"report-{shape}-{size}.json"
    big = ("--max-input-size", "2GB")  # the largest exports pass the 200 MB default
    commands = {
        "load": [PY, "-c", f"import json; json.load(open({str(path)!r}))"],
        "naive": [PY, str(HERE / "naive.py"), str(path)],
        "check": auditor("check", str(path), *big, "--fail-on", "never", "-f", f"json:{report}"),
    }
    if diff:
        generate(size, shape, later, later=True)
        commands["diff"] = auditor(
            "diff", str(path), str(later), *big, "--fail-on", "never", "-f", f"json:{report}.d"
        )
    got = measure(commands, repeat, warm=repeat > 1)
    counts = agree(got["naive"][2], report)
    (load_t, load_m, _), (naive_t, naive_m, _) = got["load"], got["naive"]
    check_t, check_m, _ = got["check"]
    mb = path.stat().st_size / 1e6
    label = f"{shape}, {size:,} destinations ({mb:.0f} MB)"
    rows = [
        (label, "`json.load` of the file (a)", f"1.00x ({load_t:.2f} s, {load_m / 2**20:.0f} MiB)"),
        (label, "naive floor: `json.load` + loop (b)", _ratio(naive_t, load_t, naive_m)),
        (label, "`auditor check`, all rules, JSON out", _ratio(check_t, load_t, check_m)),
        (label, "**`auditor check` / naive floor: wall**", f"**{check_t / naive_t:.2f}x**"),
        (label, "`auditor check` / naive floor: peak RSS", f"{check_m / naive_m:.2f}x"),
    ]
    if diff:
        diff_t, diff_m, _ = got["diff"]
        rows += [
            (label, "`auditor diff` of two snapshots", _ratio(diff_t, load_t, diff_m)),
            (label, "`auditor diff` / naive floor on one: wall", f"{diff_t / naive_t:.2f}x"),
        ]
    rows.append((label, "counts agree with the naive floor", json.dumps(counts)))
    return rows, check_t


def _ratio(t: float, base: float, mem: int) -> str:
    return f"{t / base:.2f}x ({t:.2f} s, {mem / 2**20:.0f} MiB)"


def startup(repeat: int) -> list[Row]:
    got = measure(
        {
            "base": [PY, "-c", "import click, yaml"],
            "check": auditor("check", "examples/destinations.json", "--fail-on", "never"),
            "help": auditor("--help"),
        },
        repeat,
    )
    base_t, check_t, help_t = got["base"][0], got["check"][0], got["help"][0]
    label = "start-up"
    return [
        (label, '`python -c "import click, yaml"` (c)', f"1.00x ({base_t * 1000:.0f} ms)"),
        (label, "`auditor check examples/destinations.json`", f"{check_t / base_t:.2f}x"),
        (label, "`auditor --help`", f"{help_t / base_t:.2f}x"),
    ]


def _best_of(repeat: int, work: Callable[[], object]) -> float:
    """The least CPU time of `repeat` runs: on a shared machine, waiting for a core is not
    the rule's cost, and interference only ever adds time."""
    best = float("inf")
    for _ in range(repeat):
        _cold()
        gc.collect()
        start = time.process_time()
        work()
        best = min(best, time.process_time() - start)
    return best


def _cold() -> None:
    """Empty auditor's memo caches, so a repeated run pays what a first run pays.

    A warm cache would flatter the smaller size most (10,000 destinations' specifiers fit in
    the parse caches, 100,000 do not), and the scaling check would compare unlike runs.
    """
    for name, module in list(sys.modules.items()):
        if name.startswith("auditor."):
            for value in list(vars(module).values()):
                if callable(getattr(value, "cache_clear", None)):
                    value.cache_clear()


def scaling(shape: str, small: int, large: int) -> tuple[list[Row], list[str]]:
    """Evaluation time of each built-in rule alone at two sizes (the whole run is timed whole)."""
    from auditor.engine import evaluate
    from auditor.launchdarkly.document import build_document
    from auditor.rulebook.ruleset import compile_rule, load_rules
    from benchmarks.generate import generate as make

    rules = [compile_rule(r) for r in load_rules()]
    docs = {n: build_document(make(n, 1, shape=shape)).destinations for n in (small, large)}
    gc.freeze()  # the documents stay: the collector need not walk them again and again
    gc.disable()
    label = f"scaling {shape}, {small:,} -> {large:,}"
    rows: list[Row] = []
    failed: list[str] = []
    for name, chosen in ((r.rule.id, [r]) for r in rules):
        # The same number of runs at both sizes, so noise weighs on both alike.
        times = {n: _best_of(2, lambda n=n, c=chosen: evaluate(c, docs[n])) for n in docs}
        ratio = times[large] / max(times[small], 1e-9)
        verdict = "" if ratio <= LIMIT * large / small / 10 else " (over the limit)"
        if verdict:
            failed.append(f"{shape}: {name} {ratio:.1f}x")
        rows.append((label, name, f"{ratio:.1f}x time{verdict}"))
    gc.enable()
    gc.unfreeze()
    return rows, failed


def many_globs(size: int) -> list[Row]:
    """One statement with `size` glob resources over `size` destinations (issue 16's case)."""
    from auditor.launchdarkly.index import DestinationIndex, reach
    from auditor.launchdarkly.statements import Policy
    from auditor.models import Destination

    index = DestinationIndex(
        Destination(
            id=f"{n:024x}",
            name=f"d{n}",
            kind="kinesis",
            on=True,
            config={},
            project=f"team-q{n}-x",
            environment="production",
            pointer=f"/items/{n}",
            index=n,
            raw={},
        )
        for n in range(size)
    )
    globs = tuple(f"proj/*q{n}*:env/*:destination/*" for n in range(size))
    start = time.perf_counter()
    found = reach(Policy(effect="allow", resources=globs, actions=("*",)), index)
    took = time.perf_counter() - start
    label = f"{size:,} glob resources in one statement over {size:,} destinations"
    return [(label, "reach, in process", f"{took:.2f} s ({found.count:,} reached)")]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--shapes", nargs="+", choices=SHAPES, default=list(SHAPES))
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="1,000 destinations, one run each")
    parser.add_argument("--no-scaling", action="store_true")
    parser.add_argument("--no-throughput", action="store_true", help="only start-up and scaling")
    parser.add_argument("--no-startup", action="store_true")
    parser.add_argument(
        "--diff-sizes", type=int, nargs="*", help="sizes at which to time `diff` [all]"
    )
    parser.add_argument(
        "--write", metavar="README", help="also put the table into README between its markers"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.repeat, args.no_scaling = [1000], 1, True
    rows: list[Row] = []
    failed: list[str] = []
    sizes = sorted(args.sizes)
    with tempfile.TemporaryDirectory() as tmp:
        for shape in args.shapes if not args.no_throughput else ():
            checks = {}
            for size in sizes:
                diff = args.diff_sizes is None or size in args.diff_sizes
                found, checks[size] = throughput(size, shape, args.repeat, Path(tmp), diff=diff)
                rows += _shown(found)
            if len(sizes) >= 2 and not args.quick:
                small, large = sizes[-2], sizes[-1]
                ratio = checks[large] / checks[small]
                label = f"scaling {shape}, {small:,} -> {large:,}"
                rows += _shown([(label, "`auditor check`, whole process", f"{ratio:.1f}x time")])
                if ratio > LIMIT * large / small / 10:
                    failed.append(f"{shape}: whole process {ratio:.1f}x")
    if not args.no_startup:
        rows += _shown(startup(max(args.repeat, 5)))
    if not args.no_scaling and len(sizes) >= 2:
        for shape in args.shapes:
            found, over = scaling(shape, sizes[-2], sizes[-1])
            rows += _shown(found)
            failed += over
        rows += _shown(many_globs(20000))
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    command = " ".join(argv or sys.argv[1:])
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    table = "\n".join(
        [
            f"Measured on {machine}, {time.strftime('%Y-%m-%d')}, `run.py {command}` "
            f"(load average at the end: {load}):",
            "",
            "| work | measure | result |",
            "| --- | --- | --- |",
            *("| " + " | ".join(row) + " |" for row in rows),
        ]
    )
    print(table)
    if args.write:
        write_between_markers(Path(args.write), table)
    if failed:
        raise SystemExit(
            f"scaling check failed (10x the destinations, over {LIMIT}x the time): "
            + "; ".join(failed)
        )


def _shown(rows: list[Row]) -> list[Row]:
    """Print rows as they are measured (a long run shows its progress), then keep them."""
    for row in rows:
        print("| " + " | ".join(row) + " |", file=sys.stderr, flush=True)
    return rows


def write_between_markers(
    path: Path, table: str, name: str = "results", heading: str | None = None
) -> None:
    """Put `table` between `<!-- BEGIN name -->` and `<!-- END name -->` in `path`; where they
    are missing, add them at the end (under `## heading` when given)."""
    begin, end = f"<!-- BEGIN {name} -->", f"<!-- END {name} -->"
    text = path.read_text(encoding="utf-8")
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        text = f"{head}{begin}\n{table}\n{rest[rest.index(end) :]}"
    elif heading:
        text += f"\n## {heading}\n\n{begin}\n{table}\n{end}\n"
    else:
        text += f"{begin}\n{table}\n{end}"
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
