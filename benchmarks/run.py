"""The scale benchmark: one command, a table of figures for two corpus sizes.

    python benchmarks/run.py                        # 1,400 and 7,000 pages: about 1M and 5M asserted triples
    python benchmarks/run.py --pages 40 --pages 200 # any sizes (pages); the test suite runs a tiny one

For each size it generates a corpus (benchmarks/corpus.py, deterministic by seed) and measures, each
command run from the shell as a user would:
- `kg build`: wall time, triples/s, peak RSS (the build and its worker processes together);
- `oxigraph load` of the same triples exported as N-Triples (`kg export --inferred --format ntriples`),
  and the ratio build / load;
- `kg validate` of the store just built, and its ratio to that `oxigraph load`;
- the inference step (from the build's own timings);
- `kg query coauthors-of` for a typical person and for the person with the most coauthors;
- re-building one changed page in the store just built, and the whole folder once it is put back;
- the store's size on disk after the build;
- `kg search` of the commonest title word and of a whole title, `kg diff` after the re-build, and the
  size of a generation's summary (what the store keeps for `kg diff`) against its database.
- every canned query (`queries/*.rq`) from the shell, about the page owner with the most listings (and
  the next two, for the queries about two or more people), the median of several runs.
- `kg sparql 'SELECT * WHERE { ?s ?p ?o }'`, every triple, as a table and as JSON: time to the first
  row, time to the last, peak memory; and the same piped into `head`.
The figures are printed as Markdown tables; nothing is asserted.

    python benchmarks/run.py --work DIR --queries-only --pages 1000 --pages 5000  # the stores in DIR, again
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from corpus import add_corpus_arguments, work_folder, write_corpus

HERE = Path(__file__).resolve().parent

AS_OF = "2026-11-24"
DEFAULT_PAGES = (1400, 7000)  # about 1M and 5M asserted triples


def tool(name: str) -> str:
    """A command from the same environment as this Python (the venv's kg and oxigraph)."""
    local = Path(sys.executable).parent / name
    return str(local) if local.exists() else name


def pss(pid: int) -> int:
    """A process's proportional set size in bytes (0 once it has ended)."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


# Reading a large process's smaps_rollup takes its memory map's lock, which stalls its page faults: at
# 20 samples a second a 5,000-page build took 11% longer than unwatched (109.6 s against 98.7). Peaks
# last seconds (a piece the loader holds), so 5 samples a second still see them.
SAMPLE_SECONDS = 0.2


class PeakRss:
    """Peak memory of a process and all its descendants, sampled from /proc.

    Summed as PSS (proportional set size): forked workers share their parent's pages, and summing
    plain RSS would count those pages once per process.
    """

    def __init__(self, pid: int):
        self.pid = pid
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def tree(self) -> list[int]:
        """The process and all its descendants, now."""
        children: dict[int, list[int]] = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    ppid = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
                except (OSError, IndexError, ValueError):
                    continue
                children.setdefault(ppid, []).append(int(entry))
        tree, todo = [], [self.pid]
        while todo:
            pid = todo.pop()
            tree.append(pid)
            todo.extend(children.get(pid, []))
        return tree

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, sum(pss(pid) for pid in self.tree()))
            self._stop.wait(SAMPLE_SECONDS)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def timed(args: list[str], **kwargs) -> tuple[float, int, subprocess.CompletedProcess]:
    """(wall seconds, peak RSS bytes, the finished process)."""
    started = time.perf_counter()
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)
    rss = PeakRss(process.pid)
    out, err = process.communicate()
    seconds = time.perf_counter() - started
    peak = rss.stop()
    return seconds, peak, subprocess.CompletedProcess(args, process.returncode, out, err)


def timed_update(page: Path, text: str, store: Path, given: Path | None = None) -> tuple[float, int]:
    """`kg build PAGE` (or `kg build GIVEN`, a folder holding the page) with the page's text changed to
    `text`, then the page put back as it was: (wall seconds, peak RSS bytes)."""
    original = page.read_text(encoding="utf-8")
    page.write_text(text, encoding="utf-8")
    try:
        build = [tool("kg"), "build", str(given or page), "--store", str(store), "--as-of", AS_OF]
        seconds, peak, result = timed([*build, "--format", "json", "-q"])
        check(result, ok=(0, 1))
    finally:
        page.write_text(original, encoding="utf-8")
    return seconds, peak


def check(result: subprocess.CompletedProcess, ok=(0,)) -> subprocess.CompletedProcess:
    if result.returncode not in ok:
        raise SystemExit(f"{' '.join(result.args)} failed ({result.returncode}):\n{result.stderr[-2000:]}")
    return result


def best_of(runs: int, args: list[str]) -> float:
    return min(timed(args)[0] for _ in range(runs))


def people_to_query(store: Path) -> tuple[str, str]:
    """(a typical person: median coauthor count, the person with the most coauthors)."""
    query = (
        "PREFIX kg: <https://kg.example.org/ns#> SELECT ?name (COUNT(DISTINCT ?co) AS ?n) "
        "WHERE { ?p kg:coauthorWith ?co ; kg:name ?name } GROUP BY ?name ORDER BY DESC(?n) ?name"
    )
    rows = json.loads(
        check(
            subprocess.run(
                [tool("kg"), "sparql", query, "--store", str(store), "--format", "json"],
                capture_output=True,
                text=True,
            )
        ).stdout
    )
    names = [b["name"]["value"] for b in rows["results"]["bindings"]]
    return names[len(names) // 2], names[0]


EVERYTHING = "SELECT * WHERE { ?s ?p ?o }"


def sparql_streaming(store: Path) -> dict:
    """`kg sparql 'SELECT * WHERE { ?s ?p ?o }'` written to a pipe that reads it all, as a table (with
    COLUMNS=120) and as JSON: wall time, peak memory, and the time to its first row; then the time of
    `kg sparql ... | head` (the pipe closed after 10 lines)."""
    figures: dict = {}
    for fmt in ("table", "json"):
        env = {**os.environ, "COLUMNS": "120"}
        args = [tool("kg"), "sparql", EVERYTHING, "--store", str(store), "--format", fmt]
        started = time.perf_counter()
        process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
        rss = PeakRss(process.pid)
        for _ in range(3 if fmt == "table" else 1):  # a table's header and rule come first
            process.stdout.readline()
        first_row = time.perf_counter() - started
        while process.stdout.read(1 << 16):
            pass
        process.wait()
        figures[f"sparql_{fmt}_s"] = time.perf_counter() - started
        figures[f"sparql_{fmt}_first_row_s"] = first_row
        figures[f"sparql_{fmt}_rss_mb"] = rss.stop() / 2**20
        if process.returncode != 0:
            raise SystemExit(f"{' '.join(args)} failed ({process.returncode})")
    started = time.perf_counter()
    command = f"{tool('kg')} sparql '{EVERYTHING}' --store {store} | head -10 > /dev/null"
    subprocess.run(["bash", "-c", command], check=True)
    figures["sparql_head_s"] = time.perf_counter() - started
    return figures


def build_from_nothing(pages: int, seed: int, work: Path) -> tuple[Path, Path, float, int, dict]:
    """The corpus of `pages` (generated once in `work`) built into a new store by `kg build` from the
    shell: (corpus, store, wall seconds, peak memory in bytes, the build's JSON summary)."""
    corpus = work / f"corpus-{pages}-{seed}"
    if not corpus.exists():
        write_corpus(pages, seed, corpus)
    store = work / f"store-{pages}"
    shutil.rmtree(store, ignore_errors=True)
    seconds, peak, result = timed(
        [tool("kg"), "build", str(corpus), "--store", str(store), "--as-of", AS_OF, "--format", "json", "-q"]
    )
    return corpus, store, seconds, peak, json.loads(check(result, ok=(0, 1)).stdout)


def measure(pages: int, seed: int, work: Path, query_runs: int) -> dict:
    corpus, store, build_s, build_rss, summary = build_from_nothing(pages, seed, work)
    kg = tool("kg")
    store_mb = sum(f.stat().st_size for f in store.rglob("*") if f.is_file()) / 2**20

    nt = work / f"export-{pages}.nt"
    check(
        subprocess.run(
            [kg, "export", "--store", str(store), "--inferred", "--format", "ntriples", "-o", str(nt)],
            capture_output=True,
            text=True,
        )
    )
    with open(nt, "rb") as lines:
        triples_nt = sum(1 for _ in lines)
    ox_location = work / f"oxigraph-{pages}"
    shutil.rmtree(ox_location, ignore_errors=True)
    load_s, _, result = timed([tool("oxigraph"), "load", "--location", str(ox_location), "--file", str(nt)])
    check(result)
    shutil.rmtree(ox_location, ignore_errors=True)
    nt.unlink()

    validate_s, _, result = timed([kg, "validate", "--store", str(store)])
    check(result, ok=(0, 1))

    typical, busiest = people_to_query(store)
    query_typical = best_of(query_runs, [kg, "query", "coauthors-of", typical, "--store", str(store)])
    query_busiest = best_of(query_runs, [kg, "query", "coauthors-of", busiest, "--store", str(store)])

    # re-build one changed page, in place (a page is its path in the corpus): a changed abstract line
    page = sorted(corpus.iterdir())[0]
    original = page.read_text(encoding="utf-8")
    text = original.splitlines()
    text[-1] = text[-1] + " Revised."
    rebuild_s, _ = timed_update(page, "\n".join(text), store)
    # the whole folder again, the page put back: one page changed, the others are only looked at
    rebuild_folder_s, _, result = timed(
        [kg, "build", str(corpus), "--store", str(store), "--as-of", AS_OF, "--format", "json", "-q"]
    )
    check(result, ok=(0, 1))

    streaming = sparql_streaming(store)

    store_counts = summary["store"]  # the store as the build left it (kg build --format json)
    triples = store_counts["triples_asserted"] + store_counts["triples_inferred"]
    searched = measure_search_and_diff(store, query_runs)
    return {
        **searched,
        "summary_s": summary.get("seconds", {}).get("summary", float("nan")),
        **streaming,
        "pages": pages,
        "asserted": store_counts["triples_asserted"],
        "inferred": store_counts["triples_inferred"],
        "build_s": build_s,
        "triples_per_s": triples / build_s,
        "build_rss_mb": build_rss / 2**20,
        "store_mb": store_mb,
        "inference_s": summary.get("seconds", {}).get("inference", float("nan")),
        "nt_triples": triples_nt,
        "oxigraph_load_s": load_s,
        "ratio": build_s / load_s,
        "validate_s": validate_s,
        "validate_ratio": validate_s / load_s,
        "query_typical_s": query_typical,
        "query_busiest_s": query_busiest,
        "busiest": busiest,
        "rebuild_one_s": rebuild_s,
        "rebuild_folder_s": rebuild_folder_s,
    }


def measure_search_and_diff(store: Path, runs: int) -> dict:
    """`kg search` (best of `runs`) for the title word most papers share and for a whole title, `kg diff`
    after the re-build, and the sizes of the live generation's summary and database."""
    kg = tool("kg")
    live = (store / "CURRENT").read_text(encoding="utf-8").strip()
    summary_file = store / f"{live}.summary"
    with sqlite3.connect(f"{summary_file.resolve().as_uri()}?mode=ro", uri=True) as db:
        (common,) = db.execute(
            "SELECT word FROM words GROUP BY word ORDER BY COUNT(*) DESC, word LIMIT 1"
        ).fetchone()
        (title,) = db.execute("SELECT title FROM papers ORDER BY id LIMIT 1").fetchone()
    database_mb = sum(f.stat().st_size for f in (store / live).rglob("*") if f.is_file()) / 2**20
    diff_s, _, result = timed([kg, "diff", "--store", str(store), "--format", "json"])
    check(result)
    return {
        "search_common_s": best_of(runs, [kg, "search", common, "--store", str(store)]),
        "search_title_s": best_of(runs, [kg, "search", title, "--store", str(store)]),
        "diff_s": diff_s,
        "summary_mb": summary_file.stat().st_size / 2**20,
        "generation_mb": database_mb,
    }


# --- every canned query, from the shell ----------------------------------------------------------------

TOP_OWNERS = """PREFIX kg: <https://kg.example.org/ns#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?owner ?name (COUNT(?listing) AS ?listings) WHERE {
  ?profile kg:owner ?owner .
  ?listing kg:onPage ?profile .
  ?owner skos:prefLabel ?name .
} GROUP BY ?owner ?name ORDER BY DESC(?listings) ?owner LIMIT 3"""


def top_owners(store: Path) -> list[tuple[str, int, str]]:
    """The three page owners with the most listings, most first: (name, listings, IRI). Queries are
    asked by IRI: in a large store many people print the busiest owner's name."""
    out = check(
        subprocess.run(
            [tool("kg"), "sparql", TOP_OWNERS, "--store", str(store), "--format", "json"],
            capture_output=True,
            text=True,
        )
    ).stdout
    return [
        (b["name"]["value"], int(b["listings"]["value"]), b["owner"]["value"])
        for b in json.loads(out)["results"]["bindings"]
    ]


def canned_arguments(params: list[str], owners: list[str]) -> list[str]:
    """Arguments for a query's parameters (`kg query --list`): the busiest owner first, then the next."""
    if params and params[-1].endswith("..."):
        return owners
    return owners[: len(params)]


def canned_queries() -> dict[str, list[str]]:
    """Every canned query and its parameters' names, as `kg query --list` shows them."""
    listing = check(subprocess.run([tool("kg"), "query", "--list"], capture_output=True, text=True)).stdout
    found = {}
    for line in listing.splitlines():
        if line and not line.startswith(" "):
            name, *params = line.split()
            found[name] = params
    return found


FIRST_ROWS = 100  # a query of the whole graph is timed for its first rows, then whole


def time_canned_queries(store: Path, runs: int) -> dict:
    """Each canned query's wall time from the shell (median of `runs`) and its rows, about the owner
    with the most listings; a query of the whole graph (no parameters) for its first rows and whole.
    `kg --version` gives the floor: starting Python and kg."""
    owners = top_owners(store)
    people = [iri for _, _, iri in owners]
    calls = {"kg --version (start-up)": [tool("kg"), "--version"]}
    for name, params in canned_queries().items():
        args = [tool("kg"), "query", name, *canned_arguments(params, people), "--store", str(store)]
        if params:
            calls[f"`{name}`"] = args
        else:
            calls[f"`{name}` --limit {FIRST_ROWS}"] = [*args, "--limit", str(FIRST_ROWS)]
            calls[f"`{name}` (all rows)"] = args
    times, rows = {}, {}
    for label, args in calls.items():
        walls = []
        for _ in range(runs):
            seconds, _, result = timed([*args, "--format", "tsv"] if "query" in args else args)
            walls.append(seconds)
        times[label] = statistics.median(walls)
        rows[label] = len(check(result).stdout.splitlines()) - 1
    return {"owner": owners[0], "query_times": times, "query_rows": rows}


def query_table(results: list[dict]) -> str:
    """The canned queries' times per size, with the targets: under 0.5 s, within 1.5x of the smallest."""
    header = "| query (median wall, s) | " + " | ".join(f"{r['pages']:,} pages" for r in results) + " |"
    lines = [header, "|---|" + "---:|" * len(results)]
    for name in results[0]["query_times"]:
        cells = [
            f"{r['query_times'][name]:.3f}" + (f" ({r['query_rows'][name]:,} rows)" if "`" in name else "")
            for r in results
        ]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    owners = ", ".join(f"{r['owner'][0]} ({r['owner'][1]} listings)" for r in results)
    lines += ["", f"About the owner with the most listings: {owners}."]
    if len(results) >= 2:
        small, large = results[0], results[-1]
        targeted = [n for n in large["query_times"] if "`" in n and "(all rows)" not in n]
        slowest = max(targeted, key=large["query_times"].get)
        growth = {n: large["query_times"][n] / small["query_times"][n] for n in targeted}
        worst = max(growth, key=growth.get)
        lines.append(
            f"- every query under 0.5 s at {large['pages']:,} pages: slowest {slowest}, "
            f"{large['query_times'][slowest]:.3f} s"
        )
        lines.append(
            f"- every query within 1.5x of its time at {small['pages']:,} pages: most grown {worst}, {growth[worst]:.2f}x"
        )
    return "\n".join(lines)


ROWS = [
    ("pages", "{:,}"),
    ("asserted", "{:,}"),
    ("inferred", "{:,}"),
    ("build_s", "{:.1f}"),
    ("triples_per_s", "{:,.0f}"),
    ("build_rss_mb", "{:,.0f}"),
    ("store_mb", "{:,.0f}"),
    ("inference_s", "{:.1f}"),
    ("nt_triples", "{:,}"),
    ("oxigraph_load_s", "{:.1f}"),
    ("ratio", "{:.2f}"),
    ("validate_s", "{:.1f}"),
    ("validate_ratio", "{:.2f}"),
    ("query_typical_s", "{:.3f}"),
    ("query_busiest_s", "{:.3f}"),
    ("rebuild_one_s", "{:.2f}"),
    ("rebuild_folder_s", "{:.2f}"),
    ("summary_s", "{:.2f}"),
    ("summary_mb", "{:,.1f}"),
    ("generation_mb", "{:,.0f}"),
    ("search_common_s", "{:.3f}"),
    ("search_title_s", "{:.3f}"),
    ("diff_s", "{:.2f}"),
    ("sparql_table_first_row_s", "{:.2f}"),
    ("sparql_table_s", "{:.1f}"),
    ("sparql_table_rss_mb", "{:,.0f}"),
    ("sparql_json_first_row_s", "{:.2f}"),
    ("sparql_json_s", "{:.1f}"),
    ("sparql_json_rss_mb", "{:,.0f}"),
    ("sparql_head_s", "{:.2f}"),
]
LABELS = {
    "pages": "pages",
    "asserted": "triples asserted",
    "inferred": "triples inferred",
    "build_s": "`kg build` wall (s)",
    "triples_per_s": "build triples/s (asserted + inferred)",
    "build_rss_mb": "build peak memory (MB, PSS of all processes)",
    "store_mb": "store on disk after the build (MB)",
    "inference_s": "inference (s, part of the build)",
    "nt_triples": "N-Triples exported (`--inferred`)",
    "oxigraph_load_s": "`oxigraph load` of them (s)",
    "ratio": "build / oxigraph load",
    "validate_s": "`kg validate` wall (s)",
    "validate_ratio": "`kg validate` / oxigraph load",
    "query_typical_s": "`kg query coauthors-of` typical person (s)",
    "query_busiest_s": "`kg query coauthors-of` most coauthors (s)",
    "rebuild_one_s": "re-build one changed page (s)",
    "rebuild_folder_s": "re-build the whole folder, one page changed (s)",
    "summary_s": "generation summary written (s, part of the build)",
    "summary_mb": "generation summary on disk (MB)",
    "generation_mb": "generation database on disk (MB)",
    "search_common_s": "`kg search` the commonest title word (s)",
    "search_title_s": "`kg search` a whole title (s)",
    "diff_s": "`kg diff` after the re-build (s)",
    "sparql_table_first_row_s": "`kg sparql` all triples, table: first row (s)",
    "sparql_table_s": "`kg sparql` all triples, table: all rows (s)",
    "sparql_table_rss_mb": "`kg sparql` all triples, table: peak memory (MB)",
    "sparql_json_first_row_s": "`kg sparql` all triples, json: first row (s)",
    "sparql_json_s": "`kg sparql` all triples, json: all rows (s)",
    "sparql_json_rss_mb": "`kg sparql` all triples, json: peak memory (MB)",
    "sparql_head_s": "`kg sparql` all triples piped to `head` (s)",
}


def table(results: list[dict]) -> str:
    header = "| figure | " + " | ".join(f"size {i + 1}" for i in range(len(results))) + " |"
    lines = [header, "|---|" + "---:|" * len(results)]
    for key, fmt in ROWS:
        lines.append(f"| {LABELS[key]} | " + " | ".join(fmt.format(r[key]) for r in results) + " |")
    if len(results) >= 2:
        small, large = results[0], results[-1]
        scale = large["pages"] / small["pages"]
        lines.append("")
        lines.append(f"Targets, size {len(results)} against size 1 ({scale:.1f}x the pages):")
        ratios = ", ".join(f"{r['ratio']:.2f}" for r in results)
        lines.append(f"- build / oxigraph load at most 3: {ratios}")
        validates = ", ".join(f"{r['validate_ratio']:.2f}" for r in results)
        lines.append(f"- kg validate / oxigraph load at most 1.5: {validates}")
        lines.append(
            f"- build time grows at most {scale * 1.1:.1f}x: {large['build_s'] / small['build_s']:.2f}x"
        )
        lines.append(
            f"- peak memory grows at most 1.5x: {large['build_rss_mb'] / small['build_rss_mb']:.2f}x"
        )
        lines.append(
            f"- query at the large size within 1.5x of the small and under 0.5 s: "
            f"{large['query_busiest_s'] / small['query_busiest_s']:.2f}x, {large['query_busiest_s']:.3f} s (most coauthors), "
            f"{large['query_typical_s']:.3f} s (typical)"
        )
        rebuilds = ", ".join(f"{r['rebuild_one_s']:.2f} s" for r in results)
        lines.append(f"- re-build one page under 2 s: {rebuilds}")
    return "\n".join(lines)


COI_REVIEWERS, COI_AUTHORS = 500, 50


def measure_coi(store: Path, runs: int) -> dict:
    """`kg coi` of 500 reviewers against 50 authors, each run from the shell with the names in files:
    the most prolific people of the store (reviewers every other rank of the top 1,000, authors every
    other rank of the top 100, so the lists are disjoint and heavy with conflicts), under the NeurIPS
    policy (3 years), alone and with --same-org. Best of `runs`, process start included."""
    kg = tool("kg")
    ranked = check(
        subprocess.run(
            [
                kg,
                "sparql",
                "--store",
                str(store),
                "--format",
                "csv",
                "PREFIX kg: <https://kg.example.org/ns#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
                "SELECT ?name (COUNT(?paper) AS ?n) WHERE { ?paper kg:hasAuthor ?p . ?p skos:prefLabel ?name } "
                "GROUP BY ?p ?name ORDER BY DESC(?n) ?name LIMIT 1000",
            ],
            capture_output=True,
            text=True,
        )
    ).stdout.splitlines()[1:]
    names = [line.rsplit(",", 1)[0].strip('"') for line in ranked]
    reviewers, authors = names[0::2][:COI_REVIEWERS], names[1::2][:COI_AUTHORS]
    folder = store.parent
    (folder / "coi-reviewers.txt").write_text("\n".join(reviewers) + "\n", encoding="utf-8")
    (folder / "coi-authors.txt").write_text("\n".join(authors) + "\n", encoding="utf-8")
    base = [
        kg,
        "coi",
        "--store",
        str(store),
        "--people",
        f"@{folder / 'coi-reviewers.txt'}",
        "--against",
        f"@{folder / 'coi-authors.txt'}",
        "--years",
        "3",
        "--as-of",
        AS_OF,
        "--format",
        "csv",
    ]
    figures: dict = {"reviewers": len(reviewers), "authors": len(authors)}
    for key, extra in (("coi", []), ("coi_same_org", ["--same-org"])):
        best = None
        for _ in range(runs):
            seconds, _, result = timed(base + extra)
            check(result, ok=(0, 1))
            best = seconds if best is None else min(best, seconds)
        figures[f"{key}_s"] = best
        figures[f"{key}_rows"] = len(result.stdout.splitlines()) - 1
        figures[f"{key}_pairs"] = len({tuple(line.split(",")[:2]) for line in result.stdout.splitlines()[1:]})
    return figures


def coi_table(pages: list[int], results: list[dict]) -> str:
    lines = [
        "| `kg coi`, 500 reviewers x 50 authors, --years 3 | "
        + " | ".join(f"{p:,} pages" for p in pages)
        + " |"
    ]
    lines.append("|---|" + "---:|" * len(results))
    for key, label in (
        ("coi", "shared papers"),
        ("coi_same_org", "shared papers or organisation (--same-org)"),
    ):
        lines.append(f"| {label}: wall (s) | " + " | ".join(f"{r[key + '_s']:.2f}" for r in results) + " |")
        lines.append(
            f"| {label}: rows, pairs in conflict | "
            + " | ".join(f"{r[key + '_rows']:,}, {r[key + '_pairs']:,}" for r in results)
            + " |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_corpus_arguments(parser, "1400 and 7000")
    parser.add_argument(
        "--query-runs",
        type=int,
        default=5,
        help="query timings are the best (canned queries: the median) of this many runs",
    )
    parser.add_argument(
        "--queries-only",
        action="store_true",
        help="only time the canned queries, on the stores a previous run left in --work",
    )
    parser.add_argument(
        "--coi-store", type=Path, help="only measure kg coi, on this store built from the corpus (no builds)"
    )
    args = parser.parse_args(argv)
    if args.coi_store:
        print(coi_table([0], [measure_coi(args.coi_store, args.query_runs)]).replace("0 pages", "the store"))
        return
    sizes = args.pages or list(DEFAULT_PAGES)
    if args.queries_only and args.work is None:
        parser.error("--queries-only needs --work: the folder with the stores of a previous run")
    work = work_folder(args.work, "kg-bench-")
    results: list[dict] = []
    coi_results: list[dict] = []
    for pages in sizes:
        print(f"measuring {pages} pages in {work} ...", file=sys.stderr, flush=True)
        result = {"pages": pages} if args.queries_only else measure(pages, args.seed, work, args.query_runs)
        result.update(time_canned_queries(work / f"store-{pages}", args.query_runs))
        results.append(result)
        if not args.queries_only:
            coi_results.append(measure_coi(work / f"store-{pages}", args.query_runs))
    if not args.queries_only:
        print(table(results))
        print()
        print(coi_table([r["pages"] for r in results], coi_results))
        print(f"\nperson with the most coauthors: {', '.join(r['busiest'] for r in results)}\n")
    print(query_table(results))
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
