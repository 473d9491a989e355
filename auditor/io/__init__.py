"""Reading and writing: files, stdin, strict JSON, YAML with marks, limits, atomic writes,
the LaunchDarkly API client and snapshots, JSON Pointer positions, where the data files live.

May import only `auditor.models` and `auditor.errors`.
"""
