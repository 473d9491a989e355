"""The built wheel carries rules/, schemas/ and reports/ and works outside the checkout."""

from __future__ import annotations

import shutil
import subprocess
import sys
import venv
from pathlib import Path

from conftest import EXAMPLE, ROOT


def test_wheel_installs_and_audits_from_another_directory(tmp_path: Path):
    dist = tmp_path / "dist"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(dist),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = dist.glob("*.whl")
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--no-deps", str(wheel)],
        check=True,
        capture_output=True,
    )
    # The runtime dependencies come from this interpreter's site-packages, offline, through a
    # .pth file added after the install (so pip cannot see an auditor there): those paths go
    # after the venv's own, so the installed wheel shadows any other auditor.
    venv_site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    outer = [p for p in sys.path if p.endswith("site-packages")]
    (Path(venv_site) / "outer-deps.pth").write_text("\n".join(outer) + "\n")
    work = tmp_path / "elsewhere"
    work.mkdir()
    shutil.copy(EXAMPLE, work / "destinations.json")

    def in_venv(code: str) -> list[str]:
        """What `code`, run by the venv's python from `work`, prints, split on whitespace."""
        run = subprocess.run(
            [str(python), "-c", code], cwd=work, capture_output=True, text=True, check=True
        )
        return run.stdout.split()

    where = in_venv("import auditor.io.paths as p; print(p.__file__); print(p.data_root())")
    assert where[0].startswith(str(env_dir)), where
    assert where[1].startswith(str(env_dir)) and where[1].endswith("auditor/_data"), where
    result = subprocess.run(
        [str(env_dir / "bin" / "auditor"), "check", "destinations.json", "-f", "json"],
        cwd=work,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1, result.stderr
    assert '"rule_id": "destination-disabled"' in result.stdout
    assert '"source": "builtin:destination-disabled.yaml"' in result.stdout
    # The wheel carries the built-in rules' prebuilt data, and it matches the rule files it
    # carries: an installed auditor reads it instead of parsing them.
    prebuilt = in_venv(
        "from auditor.rulebook import rulecache, ruleset\n"
        "def refuse(*args, **kwargs): raise SystemExit('a built-in rule file was parsed')\n"
        "ruleset.load_yaml = refuse\n"
        "print(rulecache.PREBUILT, len(ruleset.load_rules()))"
    )
    assert prebuilt[0].startswith(str(env_dir)), prebuilt
    assert int(prebuilt[1]) >= 20, prebuilt
