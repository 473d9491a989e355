"""The rule language: the closed operator vocabulary, compiled once to plain callables.

`vocabulary` is the registry every operator module fills; `conditions` compiles `when` and
`assert` mappings against it. May import `launchdarkly`, `io`, `models` and `errors`.
"""
