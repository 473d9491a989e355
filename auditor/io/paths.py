"""The only place that knows where rules/, schemas/, reports/ and starter/ live."""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent
CONFIG_NAMES = ("auditor.yaml", "auditor.yml")
"""The config file looked for in the working folder and its parents, up to the repository."""
CONFIG_NAME = CONFIG_NAMES[0]


@cache
def data_root() -> Path:
    """The directory holding rules/, schemas/ and reports/.

    A built wheel carries them inside the package as `auditor/_data/`; an editable install
    or a plain checkout has them at the top of the repository.
    """
    bundled = _PACKAGE / "_data"
    if (bundled / "schemas").is_dir():
        return bundled
    return _PACKAGE.parent


def rules_dir() -> Path:
    return data_root() / "rules"


def schemas_dir() -> Path:
    return data_root() / "schemas"


def reports_dir() -> Path:
    return data_root() / "reports"


def starter_dir() -> Path:
    """The files `auditor init` writes."""
    return data_root() / "starter"


def schema_path(name: str) -> Path:
    return schemas_dir() / name
