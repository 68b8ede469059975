"""The corpus generator and a tiny run of the scale benchmark, so both keep working (no figures asserted)."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import date
from pathlib import Path

from corpus import write_corpus

from kg.query.canned import Catalogue
from kg.reading.parse import parse_files

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def test_the_corpus_is_deterministic_by_seed(tmp_path):
    write_corpus(30, 5, tmp_path / "a")
    write_corpus(30, 5, tmp_path / "b")
    write_corpus(30, 6, tmp_path / "c")
    read = lambda folder: {p.name: p.read_bytes() for p in sorted(folder.iterdir())}  # noqa: E731
    assert read(tmp_path / "a") == read(tmp_path / "b")
    assert read(tmp_path / "a") != read(tmp_path / "c")


def test_the_corpus_is_realistic(tmp_path):
    write_corpus(60, 2, tmp_path / "pages")
    parsed = parse_files(sorted((tmp_path / "pages").iterdir()), date(2026, 11, 24))
    assert len(parsed) == 60
    layouts = {p.page.layout for p in parsed}
    listings = [listing for p in parsed for listing in p.listings]
    titles = [listing.title for listing in listings]
    assert layouts == {"A", "B"}
    assert len(set(titles)) < len(titles)  # papers are shared across the pages of their authors
    assert any(listing.authors_truncated and len(listing.authors) == 3 for listing in listings)
    assert any(listing.year_assumed for listing in listings)
    assert any(listing.score is not None for listing in listings)
    errors = [d for p in parsed for d in p.errors]
    assert errors == []


def test_a_tiny_benchmark_run_prints_every_figure(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            str(BENCHMARKS / "run.py"),
            "--pages",
            "8",
            "--pages",
            "16",
            "--query-runs",
            "1",
            "--work",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    tables: list[list[str]] = []  # runs of Markdown table lines, in the order printed
    previous = ""
    for line in result.stdout.splitlines():
        if line.startswith("| "):
            if not previous.startswith(("| ", "|---")):
                tables.append([])
            tables[-1].append(line)
        previous = line
    by_header = {t[0]: t for t in tables}

    rows = by_header["| figure | size 1 | size 2 |"]
    from run import ROWS

    assert len(rows) == 1 + len(ROWS)
    assert any(row.startswith("| `kg search` the commonest title word (s) |") for row in rows)
    assert any(row.startswith("| `kg sparql` all triples piped to `head` (s) |") for row in rows)
    for row in rows[1:]:
        assert re.fullmatch(r"\| [^|]+ \| [\d,.]+ \| [\d,.]+ \|", row), row

    rows = by_header["| query (median wall, s) | 8 pages | 16 pages |"]
    assert rows[1].startswith("| kg --version (start-up) | ")
    timed = {re.match(r"\| `([\w-]+)`", row).group(1) for row in rows[2:]}
    assert timed == set(Catalogue().names())  # every canned query, timed at both sizes
    cell = r"[\d.]+ \([\d,]+ rows\)"
    for row in rows[2:]:
        assert re.fullmatch(rf"\| `[\w-]+`[^|]* \| {cell} \| {cell} \|", row), row
    assert "| `hidden-owner` --limit 100 | " in result.stdout
    assert "every query under 0.5 s at 16 pages" in result.stdout
    assert "build / oxigraph load at most 3" in result.stdout
    assert "kg validate / oxigraph load at most 1.5" in result.stdout

    coi_rows = by_header["| `kg coi`, 500 reviewers x 50 authors, --years 3 | 8 pages | 16 pages |"]
    assert len(coi_rows) == 1 + 4


def test_a_tiny_build_against_load_run_prints_every_figure(tmp_path):
    args = [sys.executable, str(BENCHMARKS / "build_vs_load.py"), "--pages", "8", "--work", str(tmp_path)]
    result = subprocess.run(args, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    rows = [line for line in result.stdout.splitlines() if line.startswith("| ")]
    assert rows[0] == "| figure | 8 pages |"
    figures = {row.split(" | ")[0][2:].strip(): row.split(" | ")[1].rstrip(" |") for row in rows[1:]}
    assert float(figures["`kg build` from nothing (s)"]) > 0
    assert int(figures["quads"].replace(",", "")) > 1000
    assert float(figures["store / load store"].rstrip("x")) > 0
    assert figures["phase `summary` (s, `--format json`)"] != "nan"
    assert float(figures["one-page update, the whole folder given (s)"]) > 0


def test_a_tiny_build_profile_names_every_phase(tmp_path):
    args = [sys.executable, str(BENCHMARKS / "build_profile.py"), "--pages", "8", "--work", str(tmp_path)]
    result = subprocess.run(args, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    phases = [line.split(" | ")[0][2:] for line in result.stdout.splitlines() if line.startswith("| ")]
    for phase in ("reading pages", "loading", "labelling", "summarising", "switching generation"):
        assert phase in phases


def test_cpu_by_thread_counts_the_threads_of_the_command_and_its_children():
    burn = "import threading; t = threading.Thread(target=lambda: sum(range(10**8))); t.start(); t.join()"
    result = subprocess.run(
        [
            sys.executable,
            str(BENCHMARKS / "cpu_by_thread.py"),
            sys.executable,
            "-c",
            f"import subprocess, sys; subprocess.run([sys.executable, '-c', {burn!r}])",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    total = re.search(r"wall ([\d.]+) s, CPU ([\d.]+) s", result.stderr)
    assert total is not None and float(total[2]) > 0.3, result.stderr
    children = re.search(r"python3?[\d.]* \(its children\): ([\d.]+) s", result.stderr)
    assert children is not None and float(children[1]) > 0.3, result.stderr
