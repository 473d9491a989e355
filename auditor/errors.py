"""The one error hierarchy: every failure a user can cause, with its message, hint and exit code."""

from __future__ import annotations

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_INPUT = 3
EXIT_API = 4
EXIT_INTERRUPTED = 130
"""128 + SIGINT, as a shell reports a command stopped by Ctrl-C."""
EXIT_TERMINATED = 143
"""128 + SIGTERM."""
EXIT_PIPE = 141
"""128 + SIGPIPE: stdout's reader went away (`auditor ... | head`); nothing is printed."""


class AuditorError(Exception):
    """A failure with a one-line message for the user; the CLI prints it and exits."""

    exit_code: int = EXIT_USAGE

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class UsageError(AuditorError):
    """Bad command-line use, or a file auditor was pointed at that cannot be used."""

    exit_code = EXIT_USAGE


class SettingError(UsageError):
    """A setting (select, ignore, severity, params) that does not fit the loaded rules.

    `where` is the setting's key path (`("params", "rule-id")`) and `at` the node to point at,
    so the configuration layer can name the file, line and column the value came from.
    """

    def __init__(
        self,
        where: tuple[str | int, ...],
        problem: str,
        *,
        at: tuple[str | int, ...] | None = None,
        hint: str | None = None,
    ) -> None:
        field = ".".join(str(part) for part in where)
        super().__init__(f"{field}: {problem}" if field else problem, hint=hint)
        self.where = where
        self.at = where if at is None else at
        self.problem = problem


class RuleError(AuditorError):
    """A rule file (or config, waiver, baseline, template) that cannot be loaded."""

    exit_code = EXIT_USAGE


class OutputError(AuditorError):
    """An output that cannot be written."""

    exit_code = EXIT_USAGE


class InputError(AuditorError):
    """The export is not JSON, or not the shape of a destinations document."""

    exit_code = EXIT_INPUT


class ApiError(AuditorError):
    """The LaunchDarkly API could not be read: network, auth, rate limit after retries."""

    exit_code = EXIT_API
    status: int | None = None
    """The HTTP status the API answered with, when it answered with an error."""
