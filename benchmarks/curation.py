"""What a change of the curation file costs, on a generated corpus: the build after adding rules (kg
builds the graph again from nothing when its rules change) against a build from nothing with those rules,
and whether the two give the same graph; then the build after removing them.

    python benchmarks/curation.py --pages 1400

Steps, each timed: a build from nothing without rules; an update after adding a `same` group and a
`distinct` rule (on the most printed name, split by organisation); a build from nothing with those rules
(compared quad by quad with the update); an update after removing them (compared with the first build).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from kg.building.builder import build
from kg.building.pagefiles import find_pages
from kg.model.curation import load
from kg.reading.parse import parse_files
from kg.store.generations import KgStore

HERE = Path(__file__).parent


def digest(store: Path) -> tuple[int, str]:
    """How many quads the store holds, and a hash of their sorted text: equal stores, equal hashes."""
    kg = KgStore.open_read(store)
    quads = sorted(str(q) for q in kg.store.quads_for_pattern(None, None, None, None))
    return len(quads), hashlib.sha256("\n".join(quads).encode()).hexdigest()


def timed(label: str, *args, **kwargs) -> float:
    started = time.perf_counter()
    report = build(*args, **kwargs)
    seconds = time.perf_counter() - started
    print(f"{label:<44} {seconds:8.1f} s  pages written {report.pages_written:>5}", flush=True)
    return seconds


def main() -> None:
    os.environ["SOURCE_DATE_EPOCH"] = "1795478400"  # one build time: unchanged pages keep theirs
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=1400)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    from datetime import date

    as_of = date(2026, 11, 24)
    with tempfile.TemporaryDirectory(prefix="kg-curation-bench-") as tmp:
        work = Path(tmp)
        pages = work / "pages"
        subprocess.run(
            [
                sys.executable,
                str(HERE / "corpus.py"),
                "--pages",
                str(args.pages),
                "--seed",
                str(args.seed),
                "--out",
                str(pages),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        printed: Counter[str] = Counter()
        orgs: Counter[str] = Counter()
        for parsed in parse_files(find_pages([pages]), as_of):
            for listing in parsed.listings:
                printed.update(listing.authors)
                orgs.update(listing.orgs)
        name, listings = printed.most_common(1)[0]
        top = [o for o, _ in orgs.most_common(4)]
        variants = [n for n, _ in printed.most_common(50) if n != name][:2]
        rules_file = work / "kg-curation.toml"
        rules_file.write_text(
            f'[[same]]\nnames = ["{variants[0]}", "{variants[1]}"]\n\n'
            f'[[distinct]]\nname = "{name}"\nby = "org"\ngroups = [["{top[0]}", "{top[1]}"], ["{top[2]}", "{top[3]}"]]\n',
            encoding="utf-8",
        )
        rules = load(rules_file)
        print(
            f"{args.pages} pages; split {name!r} ({listings} listings) by org; join {variants[0]!r} and {variants[1]!r}"
        )
        store, fresh = work / "store", work / "fresh"
        timed("build from nothing, no rules", [pages], store, as_of=as_of)
        plain = digest(store)
        timed("update after adding the rules", [pages], store, as_of=as_of, rules=rules)
        timed("build from nothing with the rules", [pages], fresh, as_of=as_of, rules=rules)
        print(f"{'update = fresh build (quads, hash)':<44} {digest(store) == digest(fresh)}")
        timed("update after removing the rules", [pages], store, as_of=as_of)
        print(f"{'removed = never added (quads, hash)':<44} {digest(store) == plain}")


if __name__ == "__main__":
    main()
