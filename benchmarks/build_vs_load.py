"""The build against the load: `kg build` from nothing beside `oxigraph load` of the same quads.

    python benchmarks/build_vs_load.py --pages 1000 --pages 5000 --work /tmp/bench

For each size it generates the corpus (benchmarks/corpus.py, deterministic by seed), then measures, each
command run from the shell as a user would:
- `kg build --format json`: wall time, peak memory (PSS of the build and its workers), the phases;
- the store on disk after it: the generation's database, its support database, its summary;
- `oxigraph load` of the same quads (`kg export --inferred --format nquads`): wall time, peak memory,
  the size of the store it makes, and its size once it has been opened for writing and read once
  (RocksDB then compacts what the bulk loader wrote); and the ratios build / load, store / load store;
- a one-page update (one page's last line changed, that page alone given to `kg build`), and the same
  kind of change given with the whole folder (every other page unchanged);
- a one-page update that prints a name otherwise (a listing's first author with their first given name
  as an initial): who is who is decided again where the name reaches.
The figures are printed as a Markdown table; nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import time
from pathlib import Path

import pyoxigraph as ox
from corpus import add_corpus_arguments, work_folder
from run import AS_OF, build_from_nothing, check, timed, timed_update, tool


def size_mb(path: Path) -> float:
    if path.is_file():
        return path.stat().st_size / 2**20
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20


def store_parts(store: Path) -> dict[str, float]:
    """MB of the live generation's database, its support database, its summary and its file records."""
    live = (store / "CURRENT").read_text().strip()
    parts = {
        "generation_mb": 0.0,
        "support_mb": 0.0,
        "summary_mb": 0.0,
        "records_mb": 0.0,
        "store_mb": size_mb(store),
    }
    for entry in store.iterdir():
        if not entry.name.startswith(live):
            continue
        if entry.name.endswith(".support"):
            parts["support_mb"] += size_mb(entry)
        elif entry.name.endswith(".summary"):
            parts["summary_mb"] += size_mb(entry)
        elif entry.name.endswith(".files"):
            parts["records_mb"] += size_mb(entry)
        elif entry.is_dir():
            parts["generation_mb"] += size_mb(entry)
    return parts


def measure(pages: int, seed: int, work: Path) -> dict:
    corpus, store, build_s, build_peak, summary = build_from_nothing(pages, seed, work)
    kg = tool("kg")
    figures = {"pages": pages, "build_s": build_s, "build_peak_mb": build_peak / 2**20}
    figures["phases"] = summary.get("seconds", {})
    figures.update(store_parts(store))
    quads = work / f"export-{pages}.nq"
    check(
        timed([kg, "export", "--store", str(store), "--inferred", "--format", "nquads", "-o", str(quads)])[2]
    )
    with open(quads, "rb") as lines:
        figures["quads"] = sum(1 for _ in lines)
    loaded = work / f"oxigraph-{pages}"
    shutil.rmtree(loaded, ignore_errors=True)
    load_s, load_peak, result = timed(
        [tool("oxigraph"), "load", "--location", str(loaded), "--file", str(quads)]
    )
    check(result)
    figures.update(load_s=load_s, load_peak_mb=load_peak / 2**20, load_store_mb=size_mb(loaded))
    figures["ratio"] = build_s / load_s
    figures["store_ratio"] = figures["store_mb"] / figures["load_store_mb"]
    figures["load_store_opened_mb"] = size_once_opened(loaded)
    shutil.rmtree(loaded, ignore_errors=True)
    quads.unlink()
    page = sorted(corpus.iterdir())[0]
    update_s, update_peak = timed_update(
        page, page.read_text(encoding="utf-8").rstrip("\n") + " Revised.\n", store
    )
    figures.update(update_s=update_s, update_peak_mb=update_peak / 2**20)
    # the same change given with the whole folder, as after scraping again: every other page is unchanged
    folder_s, _ = timed_update(
        page, page.read_text(encoding="utf-8").rstrip("\n") + " Revised again.\n", store, given=corpus
    )
    figures.update(folder_update_s=folder_s)
    page, renamed = next(
        (p, AUTHOR_LINE.sub(lambda found: f"{found[1][0]}. {found[2]}", text, count=1))
        for p in sorted(corpus.iterdir())
        if AUTHOR_LINE.search(text := p.read_text(encoding="utf-8"))
    )
    name_s, _ = timed_update(page, renamed, store)
    back_s, _, result = timed([kg, "build", str(page), "--store", str(store), "--as-of", AS_OF, "-q"])
    check(result, ok=(0, 1))
    figures.update(name_update_s=name_s, name_back_s=back_s)
    return figures


# a listing's author line: names of two or three capitalised words, comma-separated
AUTHOR_LINE = re.compile(
    r"^([A-Z]\w+) ((?:\w+ )?\w+)(?=(?:, \w+(?: \w+){1,2})+(?: et al\.)?(?: · .*)?$)", re.M
)


def size_once_opened(location: Path) -> float:
    """MB of a store once opened for writing and read from, when its size has settled."""
    store = ox.Store(str(location))
    next(iter(store.quads_for_pattern(None, None, None, None)), None)
    sizes = [size_mb(location)]
    while len(sizes) < 4 or sizes[-1] != sizes[-4]:  # unchanged for 3 s
        time.sleep(1)
        sizes.append(size_mb(location))
    del store
    return sizes[-1]


ROWS = (
    ("`kg build` from nothing (s)", "build_s", "{:.1f}"),
    ("`oxigraph load` of the same quads (s)", "load_s", "{:.1f}"),
    ("build / load", "ratio", "{:.2f}x"),
    ("quads", "quads", "{:,}"),
    ("build peak memory, PSS (MB)", "build_peak_mb", "{:,.0f}"),
    ("load peak memory, PSS (MB)", "load_peak_mb", "{:,.0f}"),
    ("store on disk (MB)", "store_mb", "{:,.0f}"),
    ("  generation / support / summary / file records (MB)", None, None),
    ("`oxigraph load` store (MB)", "load_store_mb", "{:,.0f}"),
    ("store / load store", "store_ratio", "{:.2f}x"),
    ("`oxigraph load` store once opened for writing (MB)", "load_store_opened_mb", "{:,.0f}"),
    ("one-page update (s)", "update_s", "{:.2f}"),
    ("one-page update peak memory (MB)", "update_peak_mb", "{:,.0f}"),
    ("one-page update, the whole folder given (s)", "folder_update_s", "{:.2f}"),
    ("one-page update printing a name otherwise (s)", "name_update_s", "{:.2f}"),
    ("  and printing it back (s)", "name_back_s", "{:.2f}"),
)


def table(results: list[dict]) -> str:
    lines = ["| figure | " + " | ".join(f"{r['pages']:,} pages" for r in results) + " |"]
    lines.append("|---|" + "---:|" * len(results))
    for label, key, fmt in ROWS:
        if key is None:
            cells = [
                f"{r['generation_mb']:,.0f} / {r['support_mb']:,.0f} / {r['summary_mb']:,.1f}"
                f" / {r['records_mb']:,.1f}"
                for r in results
            ]
        else:
            cells = [fmt.format(r[key]) for r in results]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    phases = sorted({k for r in results for k in r["phases"]})
    for phase in phases:
        cells = [f"{r['phases'].get(phase, float('nan')):.1f}" for r in results]
        lines.append(f"| phase `{phase}` (s, `--format json`) | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_corpus_arguments(parser, "1000, 5000")
    args = parser.parse_args(argv)
    work = work_folder(args.work, "kg-build-load-")
    results = []
    for pages in args.pages or [1000, 5000]:
        print(f"measuring {pages} pages in {work} ...", file=sys.stderr, flush=True)
        results.append(measure(pages, args.seed, work))
        print(json.dumps(results[-1]), file=sys.stderr, flush=True)
    print(table(results))
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
