"""The README's tour, run: every command it shows, in order, with the output it shows."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
BIN = Path(sys.executable).parent


def console_steps(text: str) -> list[tuple[str, str]]:
    """(command, expected output) for every `$ ` line of the ```console blocks, in order."""
    steps = []
    for block in re.findall(r"```console\n(.*?)```", text, flags=re.S):
        for chunk in re.split(r"^\$ ", block, flags=re.M)[1:]:
            command, _, output = chunk.partition("\n")
            steps.append((command, output))
    return steps


def shell(command: str, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess:
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", "COLUMNS": "200"}
    env.pop("KG_STORE", None)
    return subprocess.run(["bash", "-c", "{ " + command + "\n} 2>&1"], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    """A user's folder: the repository's sample pages reachable as tests/, nothing else."""
    folder = tmp_path_factory.mktemp("tour")
    (folder / "tests").symlink_to(ROOT / "tests")
    return folder


STEPS = console_steps(README)


def test_the_tour_has_steps():
    assert len(STEPS) >= 10
    assert any(command.startswith("kg query coauthors-of") for command, _ in STEPS)


@pytest.mark.parametrize("index", range(len(STEPS)), ids=[c[:60] for c, _ in STEPS])
def test_tour_step(index, workdir):
    """Steps run in order (pytest keeps parametrised order); each checks its exit code and output."""
    command, expected = STEPS[index]
    result = shell(command, workdir)
    assert result.returncode == 0, f"$ {command}\n{result.stdout}"
    actual = "\n".join(line.rstrip() for line in result.stdout.replace("\r\n", "\n").splitlines())
    shown = "\n".join(line.rstrip() for line in expected.splitlines())
    assert actual == shown, f"$ {command}"


def test_the_first_command_ends_with_a_table_of_coauthors(tmp_path):
    """The README's first command, past its install step (CI installs from nothing before the tests)."""
    first = re.findall(r"```sh\n(.*?)\n```", README, flags=re.S)[0]
    assert first.startswith("python3 -m venv .venv && .venv/bin/pip install -q . && ")
    rest = first.split(" && ", 2)[2].replace(".venv/bin/", "")
    (tmp_path / "tests").symlink_to(ROOT / "tests")
    result = shell(rest, tmp_path)
    assert result.returncode == 0, result.stdout
    table = result.stdout.split("coauthor ", 1)[1].splitlines()
    assert len(table) == 1 + 1 + 22  # the rest of the header, the rule, 22 coauthors
    assert table[2].split() == ["Aaron", "Blakeman", "2", "true"]


def test_the_second_command_is_what_ci_runs():
    second = re.findall(r"```sh\n(.*?)\n```", README, flags=re.S)[1]
    assert second in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_the_readme_lists_every_canned_query():
    listed = set(re.findall(r"^\| `([a-z-]+)[ `]", README, flags=re.M)) - {"rdflib", "pyshacl", "owlrl", "pyoxigraph", "oxigraph", "click", "tqdm", "networkx"}
    files = {path.stem for path in (ROOT / "queries").glob("*.rq")}
    assert listed == files
