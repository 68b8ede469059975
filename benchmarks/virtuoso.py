"""Scale out to Virtuoso: push, the bulk loader, and queries over kg's graphs, timed on a real server.

    python benchmarks/virtuoso.py --pages 1000     # about 1.3M triples (asserted + inferred)

Needs Debian's virtuoso-opensource (virtuoso-t, isql-vt). It generates a corpus (benchmarks/corpus.py),
builds it, starts a throwaway Virtuoso (the tests' launcher, tests/virtuoso.py) and measures, each kg
command run from the shell as a user would:
- `kg push` to the Digest-authenticated Graph Store endpoint: wall time, triples/s, requests;
- into a fresh server, the bulk path: `kg export --inferred --format nquads`, then `ld_dir` +
  `rdf_loader_run` + `checkpoint` through isql-vt, with DB.DBA.LOAD_LIST checked for errors;
- after each, the triple count over kg's graphs (`--graph kg`) against the local count;
- `COUNT(*)` over Virtuoso's default graph, which holds its own graphs too;
- `kg query coauthors-of` for a typical person: on Virtuoso with and without `--graph kg`, and on the
  local store.
The figures are printed as a Markdown table; a count that differs stops it with an error.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from corpus import write_corpus
from virtuoso_server import PASSWORD, USER, VirtuosoServer, missing

HERE = Path(__file__).resolve().parent

AS_OF = "2026-11-24"
BUFFERS = 170_000  # 8 KiB pages: about 1.4 GB of cache, what 1M+ triples want
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def kg(*args: str, env: dict[str, str] | None = None) -> tuple[float, str]:
    """`kg ARGS` from the shell: (seconds, stdout); SystemExit with its message when it fails."""
    command = [str(Path(sys.executable).parent / "kg"), *args]
    started = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, **(env or {})})
    seconds = time.monotonic() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args[:2])} failed ({done.returncode}): {done.stderr.strip()}")
    return seconds, done.stdout


def count(args: list[str]) -> tuple[float, int]:
    seconds, out = kg("sparql", COUNT, *args, "--format", "csv")
    return seconds, int(out.split()[1])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--pages", type=int, default=1000, help="corpus size in pages (default 1000: about 1.3M triples)"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--work", type=Path, help="folder for the corpus, store and servers (default: a temporary folder)"
    )
    parser.add_argument(
        "--buffers",
        type=int,
        default=BUFFERS,
        help=f"Virtuoso's NumberOfBuffers, 8 KiB each (default {BUFFERS:,})",
    )
    parser.add_argument(
        "--person", default=None, help="whose coauthors to query (default: the first person of the corpus)"
    )
    options = parser.parse_args(argv)
    if missing():
        raise SystemExit(f"Virtuoso is not installed: {missing()}")
    work = options.work or Path(tempfile.mkdtemp(prefix="kg-virtuoso-bench-"))
    corpus, store = work / "corpus", work / "store"
    if not store.exists():
        if not corpus.exists():
            write_corpus(options.pages, options.seed, corpus)
        kg("build", str(corpus), "--store", str(store), "--as-of", AS_OF, "-q")
    _, local = count(["--store", str(store)])
    person = (
        options.person
        or kg(
            "sparql",
            "PREFIX kg: <https://kg.example.org/ns#> SELECT ?n WHERE { ?p kg:name ?n } ORDER BY ?n LIMIT 1",
            "--store",
            str(store),
            "--format",
            "csv",
        )[1].splitlines()[1]
    )
    rows: list[tuple[str, str]] = [
        ("pages", f"{options.pages:,}"),
        ("triples (asserted + inferred)", f"{local:,}"),
    ]

    for old in ("virtuoso-push", "virtuoso-bulk"):
        shutil.rmtree(work / old, ignore_errors=True)
    server = VirtuosoServer.start(work / "virtuoso-push", buffers=options.buffers)
    try:
        seconds, out = kg(
            "push",
            "--endpoint",
            server.gsp_url,
            "--user",
            USER,
            "--store",
            str(store),
            env={"KG_PUSH_PASSWORD": PASSWORD},
        )
        rows += [
            (
                "`kg push` (Graph Store, Digest auth, 100k triples a request)",
                f"{seconds:.1f} s, {local / seconds:,.0f} triples/s",
            ),
            ("push report", out.strip().split(" (")[1].rstrip(")")),
        ]
        there_s, there = count(["--endpoint", server.sparql_url, "--graph", "kg"])
        if there != local:
            raise SystemExit(
                f"after push, Virtuoso counts {there:,} triples in kg's graphs, the store {local:,}"
            )
        rows.append(
            (
                "`COUNT(*)` over kg's graphs (`--graph kg`) after push",
                f"{there:,} (= local) in {there_s:.1f} s",
            )
        )
        default_s, default = count(["--endpoint", server.sparql_url])
        rows.append(
            (
                "`COUNT(*)` over Virtuoso's default graph (kg's and its own)",
                f"{default:,} in {default_s:.1f} s",
            )
        )
        engines = (
            ("Virtuoso, `--graph kg`", ["--endpoint", server.sparql_url, "--graph", "kg"]),
            ("Virtuoso, its default graph", ["--endpoint", server.sparql_url]),
            ("local store", ["--store", str(store)]),
        )
        for where, args in engines:
            best = min(kg("query", "coauthors-of", person, *args, "--format", "csv")[0] for _ in range(3))
            rows.append((f"`kg query coauthors-of` ({where}), best of 3", f"{best:.2f} s"))
    finally:
        server.stop()

    server = VirtuosoServer.start(work / "virtuoso-bulk", buffers=options.buffers)
    try:
        dump = server.folder / "load"
        dump.mkdir()
        export_s, _ = kg(
            "export", "--inferred", "--format", "nquads", "-o", str(dump / "kg.nq"), "--store", str(store)
        )
        started = time.monotonic()
        server.isql(
            f"ld_dir('{dump}', '*.nq', 'urn:kg:unused');\nrdf_loader_run();\ncheckpoint;\n", timeout=3600
        )
        load_s = time.monotonic() - started
        errors = server.isql("SELECT ll_file, ll_error FROM DB.DBA.LOAD_LIST WHERE ll_error IS NOT NULL;")
        if "0 Rows." not in errors:
            raise SystemExit(f"the bulk loader reported errors: {errors}")
        there_s, there = count(["--endpoint", server.sparql_url, "--graph", "kg"])
        if there != local:
            raise SystemExit(
                f"after the bulk load, Virtuoso counts {there:,} triples in kg's graphs, the store {local:,}"
            )
        rows += [
            ("`kg export --inferred --format nquads`", f"{export_s:.1f} s"),
            (
                "`ld_dir` + `rdf_loader_run` + `checkpoint`",
                f"{load_s:.1f} s, {local / load_s:,.0f} triples/s",
            ),
            ("count over kg's graphs after the bulk load", f"{there:,} (= local)"),
        ]
    finally:
        server.stop()

    print("| measure | figure |\n|---|---|")
    for name, figure in rows:
        print(f"| {name} | {figure} |")


if __name__ == "__main__":
    main()
