"""Periodic audits: the SQLite history and its schema, trends, evidence packs and their
manifests, and the order in which a periodic `check` does them around the outputs.

May import `outputs`, `launchdarkly`, `io`, `models` and `errors`.
"""
