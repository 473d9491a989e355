"""Pre-change review: the diff of two audits, change files applied in memory, and review.

May import `audit`, `engine`, `gate`, `launchdarkly`, `io`, `models` and `errors`.
"""
