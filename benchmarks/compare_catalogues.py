"""Two builds' outputs compared file by file through their catalogues (SHA-256 of every artifact file).

    python benchmarks/compare_catalogues.py BEFORE/output/catalogue.json AFTER/output/catalogue.json

For a refactor that must not change output bytes: build the example with each revision (same
``--today``) and compare. Keys may differ (they hash the renderers' source); the files must not.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path


def files(path: Path) -> dict[tuple[str, str], str]:
    records = json.loads(path.read_text(encoding="utf-8"))["records"]
    return {(r["id"], f["name"]): f["sha256"] for r in records for f in r["files"]}


def main() -> None:
    before, after = files(Path(sys.argv[1])), files(Path(sys.argv[2]))
    same = [k for k in before if after.get(k) == before[k]]
    different = [k for k in before if k in after and after[k] != before[k]]
    print(
        f"files: {len(before)} before, {len(after)} after; identical {len(same)}; different {len(different)}; "
        f"only before {len(before.keys() - after.keys())}; only after {len(after.keys() - before.keys())}"
    )
    print("different, by file name:", dict(Counter(name for _, name in different)))


if __name__ == "__main__":
    main()
