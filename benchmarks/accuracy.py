"""How exactly kg reads real pages: titles and author lists, against an expected file.

    python benchmarks/accuracy.py ../shared/realdata/pages ../shared/realdata/expected.json
    python benchmarks/accuracy.py --pool ../shared/realdata/papers.jsonl     # every paper, fused as in layout B

Runs `kg parse --format json` on the pages (as a user would, in a subprocess) and sorts every expected
listing into one of four outcomes:

- exact: the title, the names shown (in order) and the ` et al.` flag are as expected;
- warned: read wrong, but a diagnostic names one of the listing's lines (or kg gave the other reading);
- silent: read wrong with no word at its lines;
- rejected: kg kept no listing at that file and line.

It prints the counts per layout, for the whole run and for the layout-B pages alone (a run without the
profiles that teach kg names and titles), then the worst examples: silent first, then rejected, then
warned. The expected file is a JSON list of objects with at least `file` (a base name), `line` (the
listing's first line), `layout`, `title`, `authors` and `truncated`, as in ../shared/realdata/expected.json.

`--pool papers.jsonl` measures the splitter over a whole pool of papers instead: every paper is fused into
a layout-B line (title, at most three names, ` et al.`, sometimes orgs), 40 to a page, and read back.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DIAGNOSTIC = re.compile(r"^(?P<file>.*):(?P<line>\d+): (?P<severity>warning|error): (?P<message>.*)$")
OUTCOMES = ("exact", "warned", "silent", "rejected")
AS_OF = "2026-11-24"


def run_parse(paths: list[Path], as_of: str) -> tuple[list[dict], list[dict], float]:
    """`kg parse --format json` on the paths: (listings, diagnostics, seconds)."""
    command = [sys.executable, "-m", "kg", "parse", "--format", "json", "--as-of", as_of, *map(str, paths)]
    started = time.perf_counter()
    done = subprocess.run(
        command, capture_output=True, text=True, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}
    )
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 1):
        sys.exit(f"kg parse failed ({done.returncode}):\n{done.stderr[-2000:]}")
    listings = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    diagnostics = [m.groupdict() for m in map(DIAGNOSTIC.match, done.stderr.splitlines()) if m]
    return listings, diagnostics, seconds


def listing_lines(expected: list[dict]) -> dict[tuple[str, int], range]:
    """The lines each expected listing spans: to the line before the next listing of its file."""
    by_file = defaultdict(list)
    for e in expected:
        by_file[e["file"]].append(e["line"])
    spans = {}
    for name, starts in by_file.items():
        starts.sort()
        for start, end in zip(starts, [*starts[1:], starts[-1] + 8], strict=True):
            spans[(name, start)] = range(start, end)
    return spans


def judge(expected: list[dict], listings: list[dict], diagnostics: list[dict]) -> list[dict]:
    """Every expected listing with its outcome and what kg read."""
    got = {(Path(x["file"]).name, x["line"]): x for x in listings}
    flagged = defaultdict(set)
    for d in diagnostics:
        flagged[Path(d["file"]).name].add(int(d["line"]))
    spans = listing_lines(expected)
    judged = []
    for e in expected:
        key = (e["file"], e["line"])
        read = got.get(key)
        warned = read is not None and bool(
            read.get("doubt") or any(line in flagged[e["file"]] for line in spans[key])
        )
        if read is None:
            outcome = "rejected"
        elif (read["title"], read["authors"], read["truncated"]) == (
            e["title"],
            e["authors"],
            e["truncated"],
        ):
            outcome = "exact"
        elif warned:
            outcome = "warned"
        else:
            outcome = "silent"
        judged.append({**e, "outcome": outcome, "read": read, "doubted": warned})
    return judged


def table(judged: list[dict]) -> str:
    rows = [("layout", "listings", *OUTCOMES, "exact %")]
    for layout in [*sorted({j["layout"] for j in judged}), "all"]:
        chosen = [j for j in judged if layout in ("all", j["layout"])]
        counts = Counter(j["outcome"] for j in chosen)
        share = 100 * counts["exact"] / len(chosen) if chosen else 0.0
        rows.append((layout, str(len(chosen)), *(str(counts[o]) for o in OUTCOMES), f"{share:.1f}"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = [
        "  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True)))
        for r in rows
    ]
    doubted = sum(1 for j in judged if j["outcome"] == "exact" and j["doubted"])
    return "\n".join(lines) + f"\n(read exactly, yet with a warning at their lines: {doubted})"


def examples(judged: list[dict], count: int) -> str:
    order = {"silent": 0, "rejected": 1, "warned": 2}
    worst = sorted(
        (j for j in judged if j["outcome"] != "exact"),
        key=lambda j: (order[j["outcome"]], j["file"], j["line"]),
    )
    lines = []
    for j in worst[:count]:
        lines.append(f"{j['outcome']:8} {j['file']}:{j['line']} ({j['layout']})")
        lines.append(f"  expected: {j['title']!r} by {j['authors']}{' et al.' if j['truncated'] else ''}")
        if j["read"] is not None:
            r = j["read"]
            lines.append(f"  read:     {r['title']!r} by {r['authors']}{' et al.' if r['truncated'] else ''}")
    return "\n".join(lines)


def measure(name: str, paths: list[Path], expected: list[dict], as_of: str, show: int) -> list[dict]:
    listings, diagnostics, seconds = run_parse(paths, as_of)
    judged = judge(expected, listings, diagnostics)
    print(f"## {name}: {len(paths)} path(s), {len(judged)} listings, {seconds:.1f} s\n")
    print(table(judged))
    if show and any(j["outcome"] != "exact" for j in judged):
        print(f"\nworst examples (at most {show}):")
        print(examples(judged, show))
    print()
    return judged


# --- the pool: every paper fused into a layout-B line -------------------------------------------------

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
ORGS = ["nvidia", "cmu", "stanford", "berkeley", "mit", "google", "allen-ai", "tsinghua", "amazon-science"]


def pool_pages(papers: list[dict], folder: Path, seed: int, per_page: int = 40) -> list[dict]:
    """Layout-B pages made of the papers, in the folder; the expected listings."""
    rng = random.Random(seed)
    expected = []
    for start in range(0, len(papers), per_page):
        name = f"pool_{start // per_page:04d}.txt"
        lines = []
        for paper in papers[start : start + per_page]:
            authors = paper["authors"]
            shown, truncated = authors[:3], len(authors) > 3 or bool(paper.get("and_others"))
            score = f"{rng.uniform(40, 99):.1f}" if rng.random() < 0.5 else ""
            day, month = rng.randint(1, 28), rng.choice(MONTHS)
            year = f", {rng.randint(2000, 2025)}" if rng.random() < 0.8 else ""
            code = "Code" if rng.random() < 0.4 else ""
            fused = paper["title"] + ", ".join(shown) + (" et al." if truncated else "")
            if rng.random() < 0.3:
                fused += " · " + ", ".join(rng.sample(ORGS, rng.randint(1, 3)))
            expected.append(
                {
                    "file": name,
                    "line": len(lines) + 1,
                    "layout": "B",
                    "title": paper["title"],
                    "authors": shown,
                    "truncated": truncated,
                }
            )
            lines += [
                f"{score}{rng.choice(['LG', 'CL', 'CV'])}{month} {day}{year}{code}",
                fused,
                "An abstract.",
            ]
        (folder / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return expected


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pages", nargs="?", type=Path, help="folder of pages")
    parser.add_argument("expected", nargs="?", type=Path, help="expected.json")
    parser.add_argument(
        "--pool", type=Path, metavar="PAPERS_JSONL", help="measure over every paper of a pool instead"
    )
    parser.add_argument("--as-of", default=AS_OF)
    parser.add_argument("--show", type=int, default=15, metavar="N", help="worst examples to print [15]")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--run-size",
        type=int,
        default=10,
        metavar="N",
        help="with --pool: pages (of 40 papers) per kg parse run [10]",
    )
    args = parser.parse_args()
    if args.pool:
        papers = [
            json.loads(line) for line in args.pool.read_text(encoding="utf-8").splitlines() if line.strip()
        ]
        papers = [p for p in papers if p["authors"] and p["title"]]
        with tempfile.TemporaryDirectory() as tmp:
            expected = pool_pages(papers, Path(tmp), args.seed)
            files = sorted(Path(tmp).glob("*.txt"))
            runs = [files[i : i + args.run_size] for i in range(0, len(files), args.run_size)]
            judged = []
            for run in runs:  # runs the size of a real scrape: what one run learns is all it knows
                listings, diagnostics, _ = run_parse(run, args.as_of)
                names = {p.name for p in run}
                judged += judge([e for e in expected if e["file"] in names], listings, diagnostics)
            print(
                f"## pool {args.pool.name}, fused as layout B: {len(judged)} papers in {len(runs)} runs of {args.run_size} pages\n"
            )
            print(table(judged))
            if args.show:
                print(f"\nworst examples (at most {args.show}):")
                print(examples(judged, args.show))
        return
    if not (args.pages and args.expected):
        parser.error("give PAGES and EXPECTED, or --pool PAPERS_JSONL")
    expected = json.loads(args.expected.read_text(encoding="utf-8"))
    files = sorted(p for p in args.pages.iterdir() if p.suffix == ".txt")
    measure("all pages, one run", [args.pages], expected, args.as_of, args.show)
    layout_b = {e["file"] for e in expected if e["layout"] == "B"}
    measure(
        "layout-B pages alone",
        [p for p in files if p.name in layout_b],
        [e for e in expected if e["layout"] == "B"],
        args.as_of,
        args.show,
    )


if __name__ == "__main__":
    main()
