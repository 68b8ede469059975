"""`kg push` throughput to a real Oxigraph server and a real Virtuoso, and what a push after a one-page update sends.

    python benchmarks/push.py --pages 1000                 # about 1.1M triples (asserted + inferred)
    python benchmarks/push.py --pages 1000 --kg OTHER/kg   # the same with another kg (e.g. an older one)

It generates a corpus (benchmarks/corpus.py) and builds it, then for each engine, started empty (an
`oxigraph serve` on a free port; a throwaway Virtuoso, benchmarks/virtuoso_server.py, whose Graph Store
endpoint asks for Digest auth), runs from the shell as a user would:
1. `kg push` into the empty engine: wall time, and the store's triples per second of it;
2. `kg push` again, nothing changed;
3. one page edited (a title), `kg build`, `kg push`: wall time and what it sent;
and after each, checks that the engine counts as many triples in kg's graphs as the store. Beside each
wall time, the CPU seconds kg and the engine used: on a busy machine they are steadier than the wall. The figures are
printed as a Markdown table (one machine, one run each: rough figures). Without Virtuoso installed, only
Oxigraph is measured.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from corpus import write_corpus
from virtuoso_server import PASSWORD, USER, VirtuosoServer, free_port, missing

AS_OF = "2026-11-24"
BUFFERS = 170_000  # Virtuoso's 8 KiB pages: about 1.4 GB of cache, what 1M+ triples want
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), 'https://kg.example.org/id/graph/')) }"


def run(command: list[str], env: dict[str, str] | None = None) -> tuple[float, str]:
    """A command from the shell: (seconds, stdout); SystemExit with its message when it fails."""
    started = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, **(env or {})})
    seconds = time.monotonic() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command[1:3])} failed ({done.returncode}): {done.stderr.strip()}")
    return seconds, done.stdout


def children_cpu() -> float:
    """CPU seconds (user + system) of the commands run so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) a running process has used (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def count(own_kg: str, query_url: str) -> int:
    _, out = run([own_kg, "sparql", COUNT, "--endpoint", query_url, "--format", "csv"])
    return int(out.split()[1])


@contextlib.contextmanager
def oxigraph_server(folder: Path) -> Iterator[tuple[str, str, dict[str, str], list[str], int]]:
    port = free_port()
    binary = Path(sys.executable).parent / "oxigraph"
    args = ["serve", "--location", str(folder), "--bind", f"127.0.0.1:{port}", "--union-default-graph"]
    process = subprocess.Popen([str(binary), *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(100):
            with contextlib.suppress(SystemExit):
                run(
                    [
                        str(Path(sys.executable).parent / "kg"),
                        "sparql",
                        "ASK {}",
                        "--endpoint",
                        f"{url}/query",
                    ]
                )
                break
            time.sleep(0.2)
        yield f"{url}/store", f"{url}/query", {}, [], process.pid
    finally:
        process.terminate()
        process.wait()


@contextlib.contextmanager
def virtuoso(folder: Path) -> Iterator[tuple[str, str, dict[str, str], list[str], int]]:
    server = VirtuosoServer.start(folder, buffers=BUFFERS)
    try:
        yield (
            server.gsp_url,
            server.sparql_url,
            {"KG_PUSH_PASSWORD": PASSWORD},
            ["--user", USER],
            server.process.pid,
        )
    finally:
        server.stop()


@contextlib.contextmanager
def virtuoso_bulk(folder: Path) -> Iterator[tuple[str, str, dict[str, str], list[str], int]]:
    """Virtuoso with kg's way to its bulk loader: its SQL port, and a folder in its DirsAllowed."""
    with virtuoso(folder) as (push_url, query_url, env, auth, pid):
        load = folder / "load"
        load.mkdir()
        address = next(
            line.split("=")[1].strip()
            for line in (folder / "virtuoso.ini").read_text().splitlines()
            if line.startswith("ServerPort") and ":" in line
        )
        yield (
            push_url,
            query_url,
            {**env, "KG_ISQL_PASSWORD": "dba"},
            [*auth, "--virtuoso-isql", address, "--virtuoso-load-dir", str(load)],
            pid,
        )


def edit_a_page(corpus: Path, round_: int) -> None:
    """Change one abstract of the first page (a paragraph between blank lines that ends a sentence)."""
    page = sorted(corpus.iterdir())[0]
    lines = page.read_text(encoding="utf-8").splitlines(keepends=True)
    for i in range(1, len(lines) - 1):
        if lines[i - 1].strip() == lines[i + 1].strip() == "" and lines[i].rstrip().endswith("."):
            lines[i] = lines[i].rstrip("\n") + f" Revised {round_}.\n"
            page.write_text("".join(lines), encoding="utf-8")
            return
    raise SystemExit(f"{page} has no abstract to edit")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=1000, help="corpus size in pages (default 1000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--work", type=Path, help="folder for the corpus, store and servers (default: a temporary one)"
    )
    parser.add_argument("--kg", default=str(Path(sys.executable).parent / "kg"), help="the kg to measure")
    parser.add_argument(
        "--engines",
        default="oxigraph,virtuoso,virtuoso-bulk",
        help="which engines, comma-separated (virtuoso-bulk: with --virtuoso-isql and --virtuoso-load-dir)",
    )
    options = parser.parse_args(argv)
    own_kg = str(Path(sys.executable).parent / "kg")  # builds and counts: the same whatever kg is measured
    work = options.work or Path(tempfile.mkdtemp(prefix="kg-push-bench-"))
    corpus, store = work / "corpus", work / "store"
    if not corpus.exists():
        write_corpus(options.pages, options.seed, corpus)
    shutil.rmtree(store, ignore_errors=True)
    run([own_kg, "build", str(corpus), "--store", str(store), "--as-of", AS_OF, "-q"])
    _, out = run([own_kg, "stats", "--store", str(store), "--format", "json"])
    triples = int(out.split('"triples":')[1].split(",")[0])
    rows = [("pages", f"{options.pages:,}"), ("triples (asserted + inferred + ontology)", f"{triples:,}")]
    engines = {
        "oxigraph": ("Oxigraph server", oxigraph_server),
        "virtuoso": ("Virtuoso", virtuoso),
        "virtuoso-bulk": ("Virtuoso, bulk loader", virtuoso_bulk),
    }
    for key in options.engines.split(","):
        name, start = engines[key]
        if key.startswith("virtuoso") and missing():
            rows.append((name, f"not measured: {missing()}"))
            continue
        folder = work / f"{key}-server"
        shutil.rmtree(folder, ignore_errors=True)
        with start(folder) as (push_url, query_url, env, auth, pid):
            push = [options.kg, "push", "--endpoint", push_url, "--store", str(store), *auth]
            for round_, what in enumerate(
                ("into the empty engine", "again, nothing changed", "after a one-page update")
            ):
                if round_ == 2:
                    edit_a_page(corpus, round_)
                    run([own_kg, "build", str(corpus), "--store", str(store), "--as-of", AS_OF, "-q"])
                kg_cpu, engine_cpu = children_cpu(), process_cpu(pid)
                seconds, out = run(push, env)
                kg_cpu, engine_cpu = children_cpu() - kg_cpu, process_cpu(pid) - engine_cpu
                there = count(own_kg, query_url)
                _, local = run([own_kg, "stats", "--store", str(store), "--format", "json"])
                local_triples = int(local.split('"triples":')[1].split(",")[0])
                if there != local_triples:
                    raise SystemExit(
                        f"{name} counts {there:,} triples in kg's graphs, the store {local_triples:,}"
                    )
                figure = f"{seconds:.1f} s (CPU: kg {kg_cpu:.1f} s, engine {engine_cpu:.1f} s)"
                if round_ == 0:
                    figure += f", **{local_triples / seconds:,.0f} triples/s**"
                sent = out.strip().split(" in ")[0].removeprefix("pushed ").split(" to ")[0]
                rows.append((f"{name}: `kg push` {what}", f"{figure} ({sent}; = store after)"))
        shutil.rmtree(folder, ignore_errors=True)
    print("| measure | figure |\n|---|---|")
    for measure, figure in rows:
        print(f"| {measure} | {figure} |")


if __name__ == "__main__":
    main()
