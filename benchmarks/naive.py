"""The naive floor: `json.load` and a plain loop for two built-in rules, as the rules define them.

    python benchmarks/naive.py export.json   # prints the two counts as JSON

- destination-disabled: a destination with `on` not true.
- wildcard-resource-grant: per destination, each distinct statement cited in `_access.allowed`
  with effect `allow` and a `*` in a resource key of one of its `resources` (tag filters after
  `;` do not count).
"""

from __future__ import annotations

import json
import sys


def wildcard(specifier: str) -> bool:
    for segment in specifier.split(":"):
        resource = segment.split(";", 1)[0]
        key = resource.split("/", 1)[1] if "/" in resource else resource
        if "*" in key or "?" in key or "[" in key:
            return True
    return False


def main(path: str) -> None:
    with open(path, encoding="utf-8") as handle:
        document = json.load(handle)
    disabled = wildcards = 0
    for item in document["items"]:
        if item["on"] is not True:
            disabled += 1
        seen = set()
        for entry in item.get("_access", {}).get("allowed", ()):
            reason = entry["reason"]
            key = json.dumps(reason, sort_keys=True)
            if key in seen or reason["effect"] != "allow":
                continue
            seen.add(key)
            if any(wildcard(r) for r in reason.get("resources", ())):
                wildcards += 1
    print(json.dumps({"destination-disabled": disabled, "wildcard-resource-grant": wildcards}))


if __name__ == "__main__":
    main(sys.argv[1])
