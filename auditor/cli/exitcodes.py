"""The exit codes each command's --help lists: its own, no more."""

from __future__ import annotations

_CHECK = """\b
Exit codes:
  0  audit ran; no open finding at or above --fail-on (or of a --hard-fail-on rule)
  1  audit ran; open findings at or above --fail-on (or of a --hard-fail-on rule)
  2  usage error, or a bad config, rule, waiver, baseline or template file; an output
     that cannot be written or would overwrite an input; or the --history database
     could not be read or written, or the --evidence pack written (reports come first)
  3  the input is not JSON, or fails the destinations schema
  4  the API could not be read: network, auth, rate limit after retries
"""
EXIT_CODES_HELP = _CHECK
"""`check`'s codes."""
GENERAL_EXIT_CODES = (
    _CHECK.rstrip("\n")
    + """
  130  interrupted (SIGINT, Ctrl-C); 143 for SIGTERM; no output is left half-written
  141  stdout was closed (`auditor ... | head`): the run ends quietly
Each command's --help lists its own codes.
"""
)
"""The whole contract, for `auditor --help`."""
FETCH_EXIT_CODES = """\b
Exit codes:
  0  the snapshot was saved (or written to stdout)
  2  usage error, or the output cannot be written
  4  the API could not be read: network, auth, rate limit after retries
"""
VALIDATE_EXIT_CODES = """\b
Exit codes:
  0  INPUT is valid
  2  usage error: INPUT cannot be read
  3  INPUT is not JSON, or fails the destinations schema (each problem is listed)
"""
EXPLAIN_EXIT_CODES = """\b
Exit codes:
  0  the finding was explained
  2  usage error: no finding matches, or several do (they are listed); a bad config or
     rule file
  3  INPUT is not JSON
"""
