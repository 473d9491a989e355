"""Rule files and their tooling: load, validate and compile rules; document them; run their
examples and `*.test.yaml` files.

May import `engine`, `language`, `launchdarkly`, `io`, `models` and `errors`.
"""
