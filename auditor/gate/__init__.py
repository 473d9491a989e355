"""What fails a run: the fail-on policy with hard and soft fails, waivers and baselines.

May import `io`, `models` and `errors`.
"""
