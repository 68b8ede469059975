"""The corpus generator and a tiny run of the scale benchmark, so both keep working (no figures asserted)."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import date
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))
from corpus import write_corpus  # noqa: E402

from kg.parse import parse_files  # noqa: E402


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
    rows = [line for line in result.stdout.splitlines() if line.startswith("| ")]
    assert rows[0] == "| figure | size 1 | size 2 |"
    import run as benchmark

    assert len(rows) == 1 + len(benchmark.ROWS)  # every figure the benchmark knows of
    assert any(row.startswith("| `kg sparql` all triples piped to `head` (s) |") for row in rows)
    for row in rows[1:]:
        assert re.fullmatch(r"\| [^|]+ \| [\d,.]+ \| [\d,.]+ \|", row), row
    assert "build / oxigraph load at most 3" in result.stdout
    assert "kg validate / oxigraph load at most 1.5" in result.stdout
