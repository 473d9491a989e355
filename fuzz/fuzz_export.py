"""Coverage-guided fuzzing of the export parser with atheris (optional; not run in CI).

    pip install atheris
    python fuzz/fuzz_export.py -max_total_time=300 fuzz/corpus-export

Any exception but auditor's own errors (InputError: not JSON, not an export) is a bug.
"""

from __future__ import annotations

import sys
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout's auditor

with atheris.instrument_imports():
    from auditor.errors import AuditorError
    from auditor.launchdarkly.document import load_document


def test_one_input(data: bytes) -> None:
    try:
        document = load_document(data)
    except AuditorError:
        return
    for destination in document.destinations:
        assert isinstance(destination.id, str)


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
