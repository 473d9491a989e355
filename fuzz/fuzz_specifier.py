"""Coverage-guided fuzzing of the resource-specifier parser and glob matcher with atheris.

    pip install atheris
    python fuzz/fuzz_specifier.py -max_total_time=300

A SpecifierError (with a position inside the text) is the only failure a parse may raise;
a parsed specifier formats back to text that parses to the same specifier.
"""

from __future__ import annotations

import sys
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout's auditor

with atheris.instrument_imports():
    from auditor.launchdarkly import SpecifierError, action_covers, parse_specifier


def test_one_input(data: bytes) -> None:
    provider = atheris.FuzzedDataProvider(data)
    text = provider.ConsumeUnicodeNoSurrogates(200)
    try:
        parsed = parse_specifier(text)
    except SpecifierError as error:
        assert 0 <= error.position <= len(text)
    else:
        assert parse_specifier(str(parsed)) == parsed
    action_covers(text, provider.ConsumeUnicodeNoSurrogates(2000))


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
