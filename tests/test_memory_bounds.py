"""Peak memory within the documented bound, checked under `resource.setrlimit`, not timed.

The bound (auditor/io/limits.py, docs): 250 MB + 10 times the input + 44 times the size
limit. Each run is a real process whose address space is capped at the bound: past it,
Python raises MemoryError and the run fails, so a passing test means the bound held.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
from pathlib import Path

import pytest

BASE = 250_000_000
"""The interpreter, its libraries and the rules: what the smallest audit needs, with room."""
PER_LIMIT_BYTE = 44

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_AS as Linux counts it")


def run_bounded(cwd: Path, limit: int, *args: str) -> subprocess.CompletedProcess[bytes]:
    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    return subprocess.run(
        [sys.executable, "-m", "auditor", *args],
        cwd=cwd,
        capture_output=True,
        preexec_fn=cap,
        timeout=600,
        check=False,
    )


def bound(input_size: int, size_limit: int = 50_000_000) -> int:
    return BASE + 10 * input_size + PER_LIMIT_BYTE * size_limit


def test_a_million_tiny_items_are_refused_within_the_bound(tmp_path: Path) -> None:
    """500,000 items of 45 bytes (24 MB) used to take 4 GB; now they are counted and refused."""
    items = ",".join(f'{{"_id":"{i}","name":"n","kind":"k","on":true}}' for i in range(500_000))
    path = tmp_path / "tiny.json"
    path.write_text(f'{{"items":[{items}]}}')
    size = path.stat().st_size
    result = run_bounded(tmp_path, BASE + 10 * size, "check", str(path), "-f", "json:r.json")
    assert result.returncode == 3, result.stderr[-2000:]
    assert result.stderr.decode() == (
        "Error: the export has 500,000 destinations, more than the 25,000 that"
        " --max-input-size 50 MB allows\n"
        "Hint: each destination and policy statement costs memory however small it is;"
        " raise --max-input-size to allow more\n"
    )


def test_a_huge_name_is_cut_and_stays_within_the_bound(tmp_path: Path) -> None:
    """One 40 MB name used to take 2 GB and make a 500 MB HTML report."""
    name = "n" * 40_000_000
    item = {
        "_id": "d1",
        "_links": {"self": {"href": "/api/v2/destinations/p/production/d1"}},
        "name": name,
        "kind": "kinesis",
        "on": False,
        "config": {"region": "r" * 5000, "roleArn": "arn", "streamName": "s"},
    }
    path = tmp_path / "name.json"
    path.write_text(json.dumps({"items": [item]}))
    formats = ("json", "html", "text", "markdown", "csv", "sarif", "junit")
    outputs = [arg for fmt in formats for arg in ("-f", f"{fmt}:out.{fmt}")]
    result = run_bounded(tmp_path, bound(path.stat().st_size), "check", str(path), *outputs)
    assert result.returncode == 1, result.stderr[-2000:]
    for fmt in formats:
        assert (tmp_path / f"out.{fmt}").stat().st_size < 1_000_000, fmt
    report = json.loads((tmp_path / "out.json").read_text())
    assert report["summary"]["shortened"] >= 2  # the name, and every message that quotes it
    shown = report["findings"][0]["destination"]["name"]
    assert shown == "n" * 1000 + "…[cut at 1,000 of 40,000,000 characters]"
    text = (tmp_path / "out.text").read_text()
    assert "long strings cut, each marked …[cut...]" in text.splitlines()[-1]
    assert (
        "long strings (names, messages, config values) cut"
        in (tmp_path / "out.markdown").read_text()
    )


def test_the_worst_shapes_at_the_count_limits_stay_within_the_bound(tmp_path: Path) -> None:
    """As many destinations and statements as the limit allows, each making findings."""
    size_limit = 1_000_000  # 500 destinations, 1,600 statements
    items = []
    for d in range(500):
        grants = [
            {
                "action": "updateOn",
                "reason": {
                    "effect": "allow",
                    "resources": [f"proj/p{d}x{i}*:env/*:destination/*"],
                    "actions": ["*"],
                },
            }
            for i in range(3)
        ]
        items.append(
            {"_id": f"d{d}", "name": "n", "kind": "k", "on": True,
             "_access": {"allowed": grants, "denied": []}}
        )  # fmt: skip
    path = tmp_path / "worst.json"
    path.write_text(json.dumps({"items": items}))
    limit = bound(path.stat().st_size, size_limit)
    args = ("check", str(path), "--max-input-size", "1MB", "-f", "json:r.json", "-f", "html:r.html")
    result = run_bounded(tmp_path, limit, *args)
    assert result.returncode == 1, result.stderr[-2000:]
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["summary"]["destinations"] == 500
    assert report["summary"]["findings"] >= 500 + 3 * 1500
