"""auditor: compliance and audit policy checker for LaunchDarkly Data Export destinations."""

__version__ = "0.1.0"
