"""`kg push` through Virtuoso's bulk loader, when the user says how to reach it.

Virtuoso's Graph Store endpoint takes one graph a request; its bulk loader takes files of N-Quads and
loads them several times faster. kg can use it when told two things: the server's SQL port (the
`isql-vt HOST:PORT` address; the user and password of an account that may run the loader, `dba` by
default) and a folder that kg writes and the server reads (listed in the `DirsAllowed` of its
virtuoso.ini, at the same path on both sides).

Then each batch of graphs sent whole is written to that folder as one N-Quads file, and one isql-vt
session removes whatever the server holds of those graphs, registers the file (`ld_add`), loads it
(`rdf_loader_run`), reads back the loader's verdict on it from DB.DBA.LOAD_LIST, forgets it there and
makes it durable (`checkpoint`); kg then deletes the file. A batch smaller than BULK_MIN triples (a push
after a small update) goes over HTTP as before, and so do removals and graphs changed in part.

Before anything is sent, kg checks the way: isql-vt answers and lets the user in, and the server reads
a file kg wrote in the folder. Each failure is one line saying what to fix. The password reaches
isql-vt on its input, never on its command line.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from kg.errors import KgError
from kg.features.push_targets import Piece, Sender, Virtuoso, as_nquads
from kg.query.endpoint import EndpointError

ISQL = "isql-vt"  # Virtuoso's isql, as Debian names it (unixODBC's isql is another program)
BULK_MIN = 20_000  # triples: a smaller batch costs less over HTTP than a load and a checkpoint
ISQL_TIMEOUT = 3600.0  # seconds for one isql-vt session: a load of a batch, its checkpoint
PROMPT = "Enter password for"  # isql-vt asking for a password
MARK = "kg-bulk:"  # starts the lines kg reads back from isql's answers


@dataclass(frozen=True)
class BulkPath:
    """How to reach Virtuoso's bulk loader: its SQL address (HOST:PORT), an account, a shared folder."""

    address: str
    folder: Path
    user: str = "dba"
    password: str = ""


def sql_text(value: str) -> str:
    """A SQL string literal (Virtuoso reads a backslash as an escape in one)."""
    return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'"


class Isql:
    """SQL statements run by isql-vt against one server, as one user."""

    def __init__(self, path: BulkPath):
        self.path = path
        binary = shutil.which(ISQL)
        if binary is None:
            raise KgError(
                f"--virtuoso-isql needs {ISQL} (Virtuoso's isql; Debian: apt-get install virtuoso-opensource) "
                "on the PATH"
            )
        self.binary = binary

    def run(self, sql: str) -> list[str]:
        """Run `sql` (statements, each ending `;` on its own line); the lines of its answers that start with
        MARK, without it. EndpointError naming the first error isql-vt or the server reported."""
        folder = Path(tempfile.mkdtemp(prefix="kg-isql-"))
        script = folder / "push.sql"
        try:
            script.write_text(sql + "\n", encoding="utf-8")
            out, err, code = self._session(f"exec=LOAD '{script}';")
        finally:
            script.unlink(missing_ok=True)
            folder.rmdir()
        if err.count(PROMPT) >= 2:  # the password kg gave was refused too
            error: str | None = "CL034: Bad login"
        else:  # what came before the question is isql-vt's own first try, refused
            error = _first_error(err.rsplit(PROMPT, 1)[-1] + "\n" + out)
        if error is not None and self.path.password:  # never show the password, even a wrong one
            error = error.replace(self.path.password, "***")
        if error is not None or code != 0:
            raise EndpointError(
                f"{ISQL} {self.path.address} as {self.path.user}: {error or f'exit code {code}'}",
                transient=False,
            )
        return [line.strip()[len(MARK) :] for line in out.splitlines() if line.strip().startswith(MARK)]

    def _session(self, command: str) -> tuple[str, str, int]:
        """isql-vt logged in, running `command`: (its output, its errors, its exit code).

        Without a password on its command line (where `ps` would show it), isql-vt first tries the user's
        name as the password, then asks for one on its input: kg writes it there. Were it refused, isql-vt
        would ask again, each refusal counting towards Virtuoso's limit (4, then the address is shut out for
        a minute): at the second question kg stops it."""
        try:
            process = subprocess.Popen(
                [self.binary, self.path.address, self.path.user, command],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
        except OSError as e:
            raise EndpointError(f"cannot run {ISQL}: {e.strerror or e}", transient=False) from None
        assert process.stdin is not None and process.stdout is not None and process.stderr is not None
        errors: list[bytes] = []

        def read_errors(stream: IO[bytes]) -> None:
            while chunk := stream.read1(65536):  # type: ignore[attr-defined]
                errors.append(chunk)
                if b"".join(errors).count(PROMPT.encode()) >= 2:
                    process.kill()

        reader = threading.Thread(target=read_errors, args=(process.stderr,), daemon=True)
        reader.start()
        expired = threading.Event()

        def expire() -> None:
            expired.set()
            process.kill()

        timer = threading.Timer(ISQL_TIMEOUT, expire)
        timer.start()
        try:
            with contextlib.suppress(OSError):  # unread when the user's name was the password
                process.stdin.write(self.path.password.encode("utf-8") + b"\n")
                process.stdin.flush()
            out = process.stdout.read()
            code = process.wait()
            reader.join()
        finally:
            timer.cancel()
            if process.poll() is None:
                process.kill()
                process.wait()
            with contextlib.suppress(OSError):
                process.stdin.close()
        text = b"".join(errors).decode("utf-8", "replace")
        if expired.is_set():
            text += f"\n*** Error: no answer within {ISQL_TIMEOUT:g} s"
        return out.decode("utf-8", "replace"), text, code


def _first_error(text: str) -> str | None:
    """The message of the first `*** Error` isql-vt printed: `*** Error 42000: [Virtuoso Driver][Virtuoso
    Server]FA003: Access to ... is denied ...` -> `FA003: Access to ... is denied ...`."""
    for line in text.splitlines():
        if line.startswith("*** Error"):
            message = line.split(":", 1)[1].strip() if ":" in line else line
            while message.startswith("["):
                message = message.split("]", 1)[1] if "]" in message else message[1:]
            return message.strip()
    return None


class VirtuosoBulk(Virtuoso):
    """Virtuoso, its graphs sent whole through the bulk loader, several a file; the rest over HTTP."""

    name = "Virtuoso (bulk loader)"
    batches = True
    ahead = 64  # files written and waiting: a large graph loads for long, and kg reads on meanwhile

    def __init__(self, store: Sender, update: Sender | None, path: BulkPath):
        super().__init__(store, update)
        self.path, self.isql = path, Isql(path)
        self.prefix = f"kg-push-{os.getpid()}-{secrets.token_hex(4)}"
        self.files = 0
        self.loaded = 0  # graphs
        self.ready: dict[int, Path] = {}  # a batch's id -> its file, written and waiting to be loaded
        self.failed: dict[int, str] = {}  # a batch's id -> why its file could not be written

    def check(self) -> None:
        """KgError naming what to fix when isql-vt cannot log in, or the server cannot read the folder."""
        folder = self.path.folder
        if not folder.is_absolute():
            raise KgError(f"--virtuoso-load-dir must be an absolute path (the server reads it): {folder}")
        probe = folder / f"{self.prefix}-probe.txt"
        token = secrets.token_hex(8)
        try:
            probe.write_text(token, encoding="ascii")
        except OSError as e:
            raise KgError(
                f"kg cannot write into the --virtuoso-load-dir {folder}: {e.strerror or e}"
            ) from None
        try:
            try:
                seen = self.isql.run(f"SELECT {sql_text(MARK)} || file_to_string({sql_text(str(probe))});")
            except EndpointError as e:
                raise KgError(_why(e.message, self.path)) from None
            if seen != [token]:
                raise KgError(
                    f"Virtuoso at {self.path.address} reads something else at {probe}: give --virtuoso-load-dir "
                    "a folder the server sees at the same path"
                )
        finally:
            probe.unlink(missing_ok=True)

    def prepare(self, pieces: list[Piece]) -> None:
        """Write a batch for the loader to its file as soon as it is read (the file, not memory, holds it
        while it waits), and let go of its N-Triples."""
        if sum(piece.triples for piece in pieces) < BULK_MIN:
            return
        self.files += 1
        file = self.path.folder / f"{self.prefix}-{self.files}.nq"
        self.ready[id(pieces)] = file
        try:
            with open(file, "wb") as out:
                for piece in pieces:
                    out.write(as_nquads(piece))
                    piece.body = b""
        except OSError as e:
            self.failed[id(pieces)] = f"cannot write {file}: {e.strerror or e}"

    def send(self, pieces: list[Piece], size: int) -> None:
        file = self.ready.get(id(pieces))
        if file is None:
            super().send(pieces, size)
            return
        try:
            if id(pieces) in self.failed:
                raise EndpointError(self.failed.pop(id(pieces)), transient=False)
            self._load(file, [piece.graph for piece in pieces])
        finally:
            file.unlink(missing_ok=True)
            del self.ready[id(pieces)]
        self.store.counts.requests += 1
        self.loaded += len(pieces)

    def _load(self, file: Path, graphs: list[str]) -> None:
        """Replace `graphs` on the server with what `file` holds: EndpointError when the loader refuses."""
        name = sql_text(str(file))
        held = ", ".join(f"iri_to_id({sql_text(graph)}, 0)" for graph in graphs)
        # log_enable(3, 1): the deletes unlogged, each row its own transaction (the checkpoint at the
        # end makes all of it durable); the loader's graph argument is unused with N-Quads.
        answer = self.isql.run(
            "log_enable(3, 1);\n"
            f"DELETE FROM DB.DBA.RDF_QUAD WHERE G IN ({held});\n"
            f"DELETE FROM DB.DBA.LOAD_LIST WHERE ll_file = {name};\n"
            f"ld_add({name}, 'urn:kg:unused');\n"
            "rdf_loader_run();\n"
            f"SELECT {sql_text(MARK)} || cast(ll_state AS VARCHAR) || ' ' || coalesce(ll_error, '') "
            f"FROM DB.DBA.LOAD_LIST WHERE ll_file = {name};\n"
            f"DELETE FROM DB.DBA.LOAD_LIST WHERE ll_file = {name};\n"
            "checkpoint;\n"
        )
        state, _, error = (answer[0] if answer else "").partition(" ")
        if state != "2" or error.strip():
            raise EndpointError(
                f"Virtuoso's bulk loader did not load {file.name}: {error.strip() or 'it never read the file'}",
                transient=False,
            )

    def close(self) -> None:
        """Also removes the files of batches never loaded (a push that stopped)."""
        for file in self.ready.values():
            file.unlink(missing_ok=True)
        self.ready.clear()
        super().close()


def _why(message: str, path: BulkPath) -> str:
    """What the user should fix, from isql-vt's first error on the check."""
    if "CL033" in message or "Connect failed" in message:
        return f"{ISQL} cannot reach Virtuoso's SQL port at {path.address} ({message}): check --virtuoso-isql"
    if "CL034" in message or "Bad login" in message:
        return (
            f"Virtuoso at {path.address} refused the login of {path.user} ({message}): check --isql-user and the "
            "password in --isql-password-env"
        )
    if "FA003" in message or "denied due to access control" in message:
        return (
            f"Virtuoso at {path.address} may not read {path.folder}: add it to DirsAllowed in its virtuoso.ini "
            "(then restart it)"
        )
    if "FA00" in message or "No such file" in message:
        return (
            f"Virtuoso at {path.address} cannot read the files kg writes in {path.folder} ({message}): give "
            "--virtuoso-load-dir a folder the server sees at the same path"
        )
    return f"Virtuoso's bulk loader at {path.address} cannot be used: {message}"
