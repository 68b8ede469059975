"""The README's short tour and the documents' tours (docs/), run: every command each shows, in order,
with the output it shows, each document in a user's folder of its own."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from servers import free_port

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
# the documents whose ```console blocks are run: the README first, then docs/ in name order
DOCUMENTS = ["README.md", *sorted(f"docs/{p.name}" for p in (ROOT / "docs").glob("*.md"))]
BIN = Path(sys.executable).parent


def console_steps(text: str) -> list[tuple[str, str]]:
    """(command, expected output) for every `$ ` line of the ```console blocks, in order."""
    steps = []
    for block in re.findall(r"```console\n(.*?)```", text, flags=re.S):
        for chunk in re.split(r"^\$ ", block, flags=re.M)[1:]:
            command, _, output = chunk.partition("\n")
            steps.append((command, output))
    return steps


def user_env() -> dict:
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", "COLUMNS": "200"}
    env.pop("KG_STORE", None)
    return env


def shell(command: str, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", "-c", "{ " + command + "\n} 2>&1"],
        cwd=cwd,
        env=user_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def matches(shown: str, actual: str) -> bool:
    """Line by line; `...` in a shown line stands for anything (timings); a lone `...` for any output."""
    if shown.strip() == "...":
        return True
    pattern = "\n".join(
        ".*".join(re.escape(part) for part in line.split("...")) for line in shown.splitlines()
    )
    return re.fullmatch(pattern, actual) is not None


def tidy(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").splitlines())


class Tour:
    """A user's folder with the repository's sample pages as tests/, and the servers the tour starts."""

    def __init__(self, folder: Path):
        self.folder = folder
        (folder / "tests").symlink_to(ROOT / "tests")
        # the README's ports, swapped for free ones so that tests can run beside anything
        self.ports = {"7878": str(free_port()), "7879": str(free_port())}
        self.background: list[subprocess.Popen] = []

    def localise(self, text: str) -> str:
        for shown, real in self.ports.items():
            text = text.replace(shown, real)
        return text

    def start(self, command: str) -> str:
        """A `... &` step: started, waited for until its port answers; what it printed by then."""
        log = self.folder / f"background-{len(self.background)}.log"
        with open(log, "w") as output:  # the child keeps its own copy of the file
            process = subprocess.Popen(
                ["bash", "-c", f"exec {command}"],
                cwd=self.folder,
                env=user_env(),
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        self.background.append(process)
        port = int(re.search(r"--bind [\d.]+:(\d+)", command).group(1))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            assert process.poll() is None, log.read_text()
            time.sleep(0.1)
        time.sleep(0.3)
        return log.read_text()

    def stop(self) -> None:
        for process in self.background:
            process.send_signal(signal.SIGINT)
        for process in self.background:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture(scope="module")
def tours(tmp_path_factory):
    """One tour per document, made at its first step; all stopped at the end."""
    made: dict[str, Tour] = {}

    def tour(document: str) -> Tour:
        if document not in made:
            made[document] = Tour(tmp_path_factory.mktemp(Path(document).stem))
        return made[document]

    yield tour
    for each in made.values():
        each.stop()


STEPS = [
    (document, index, step)
    for document in DOCUMENTS
    for index, step in enumerate(console_steps((ROOT / document).read_text(encoding="utf-8")))
]


def test_the_tours_have_steps():
    readme = [command for document, _, (command, _) in STEPS if document == "README.md"]
    assert len(readme) >= 6 and any(command.startswith("kg query coauthors-of") for command in readme)
    assert len([step for step in STEPS if step[0] == "docs/tour.md"]) >= 30


@pytest.mark.parametrize("document,index,step", STEPS, ids=[f"{d}:{i}:{c[:50]}" for d, i, (c, _) in STEPS])
def test_tour_step(document, index, step, tours):
    """Steps run in order (pytest keeps parametrised order); each checks its exit code and output."""
    tour = tours(document)
    command, expected = (tour.localise(text) for text in step)
    if command.endswith(" &"):
        actual = tour.start(command[:-2])
    else:
        result = shell(command, tour.folder)
        assert result.returncode == 0, f"$ {command}\n{result.stdout}"
        actual = result.stdout
    assert matches(tidy(expected), tidy(actual)), f"$ {command}\n{actual}"


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
    table = README.split("| query | what it returns |", 1)[1].split("\n\n", 1)[0]
    listed = set(re.findall(r"^\| `([a-z-]+)[ `]", table, flags=re.M))
    files = {path.stem for path in (ROOT / "queries").glob("*.rq")}
    assert listed == files


def test_the_tour_leaves_nothing_git_would_show(tours):
    """Walking the full tour in a checkout leaves no untracked file: everything it writes is ignored."""
    made = sorted(
        p.name + ("/" if p.is_dir() else "")
        for p in tours("docs/tour.md").folder.iterdir()
        if p.name != "tests" and not p.name.startswith("background-")
    )
    assert made, "the tour ran before this test"
    shown = [
        name
        for name in made
        if subprocess.run(["git", "-C", str(ROOT), "check-ignore", "--no-index", "-q", name]).returncode != 0
    ]
    assert shown == []
