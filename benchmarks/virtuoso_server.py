"""A throwaway Virtuoso 7 for the tests and the Virtuoso benchmark: free loopback ports, a private virtuoso.ini in a temp folder.

`VirtuosoServer.start(folder)` writes the ini, starts `virtuoso-t` in a process group of its own, waits
until both the SQL port (isql-vt) and the SPARQL endpoint answer, and creates the Graph Store user with
the SPARQL_UPDATE role that /sparql-graph-crud-auth requires. `stop()` ends the whole group whatever
state it is in. Debian's package names the binaries `virtuoso-t` and `isql-vt` (isql-vt is Virtuoso's
isql, not unixODBC's).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

VIRTUOSO = "virtuoso-t"
ISQL = "isql-vt"
USER, PASSWORD = "kg", "kg-test secret"  # the Graph Store user the tests push as
STARTUP = 120.0  # seconds; a cold start takes a few


def free_port() -> int:
    """A loopback port nobody listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def missing() -> str | None:
    """Why Virtuoso cannot run here, or None."""
    absent = [name for name in (VIRTUOSO, ISQL) if shutil.which(name) is None]
    return f"no {' or '.join(absent)} (Debian: apt-get install virtuoso-opensource)" if absent else None


def ini_text(folder: Path, http_port: int, sql_port: int, buffers: int) -> str:
    # CaseMode 2 is what the package ships. ResultSetMaxRows and MaxQueryExecutionTime are raised so
    # that no answer is cut short silently (the packaged 10,000 rows and 60 s do).
    return f"""[Database]
DatabaseFile = {folder}/virtuoso.db
ErrorLogFile = {folder}/virtuoso.log
LockFile = {folder}/virtuoso.lck
TransactionFile = {folder}/virtuoso.trx
xa_persistent_file = {folder}/virtuoso.pxa
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {folder}/virtuoso-temp.db
TransactionFile = {folder}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
CaseMode = 2
DirsAllowed = ., {folder}
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {buffers * 3 // 4}
ThreadsPerQuery = 2
[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {folder}/www
ServerThreads = 10
[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 0
"""


@dataclass
class VirtuosoServer:
    folder: Path
    http_port: int
    sql_port: int
    process: subprocess.Popen

    @property
    def sparql_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/sparql"

    @property
    def gsp_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/sparql-graph-crud-auth"

    @property
    def sql_address(self) -> str:
        return f"127.0.0.1:{self.sql_port}"

    @classmethod
    def start(
        cls,
        folder: Path,
        buffers: int = 20_000,
        settings: dict[str, str] | None = None,
        create_user: bool = True,
    ) -> VirtuosoServer:
        """`settings`: ini lines to change (name: value), e.g. a small ResultSetMaxRows; `create_user`:
        False leaves creating the Graph Store user to the caller."""
        if (folder / "virtuoso.db").exists():
            raise AssertionError(f"{folder} already holds a Virtuoso database: give an empty folder")
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "www").mkdir(exist_ok=True)
        http_port, sql_port = free_port(), free_port()
        ini = ini_text(folder, http_port, sql_port, buffers)
        for name, value in (settings or {}).items():
            ini = re.sub(rf"^{name} = .*$", f"{name} = {value}", ini, flags=re.M)
        (folder / "virtuoso.ini").write_text(ini)
        with open(folder / "stdout.log", "wb") as log:  # the child keeps its own copy of the file
            process = subprocess.Popen(
                [VIRTUOSO, "+foreground", "+configfile", str(folder / "virtuoso.ini")],
                cwd=folder,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        server = cls(folder, http_port, sql_port, process)
        try:
            server._wait_until_answering()
            if create_user:
                server.isql(
                    f"DB.DBA.USER_CREATE('{USER}', '{PASSWORD}');\nGRANT SPARQL_UPDATE TO \"{USER}\";\n"
                )
        except BaseException:
            server.stop()
            raise
        return server

    def isql(self, sql: str, timeout: float = 600) -> str:
        """Run SQL statements as dba through isql-vt (from a file: nothing on the command line); its output.
        AssertionError when isql reports an error."""
        script = self.folder / "script.sql"
        script.write_text(sql)
        done = subprocess.run(
            [ISQL, self.sql_address, "dba", "dba", str(script)],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        script.unlink()
        if done.returncode != 0 or "*** Error" in done.stdout or "*** Error" in done.stderr:
            raise AssertionError(f"isql-vt failed: {done.stdout[-2000:]} {done.stderr[-2000:]}")
        return done.stdout

    def stop(self) -> None:
        """SIGTERM the process group (Virtuoso checkpoints and exits), SIGKILL what is left after 30 s."""
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(30)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def _wait_until_answering(self) -> None:
        deadline = time.monotonic() + STARTUP
        while True:
            if self.process.poll() is not None:
                tail = (self.folder / "stdout.log").read_text(errors="replace")[-2000:]
                raise AssertionError(f"virtuoso-t exited with {self.process.returncode}: {tail}")
            if self._answers():
                return
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"Virtuoso did not answer within {STARTUP:g} s; see {self.folder}/stdout.log"
                )
            time.sleep(0.5)

    def _answers(self) -> bool:
        sql = subprocess.run(
            [ISQL, self.sql_address, "dba", "dba", "exec=select 1;"], capture_output=True, timeout=30
        )
        if sql.returncode != 0:
            return False
        try:
            with urllib.request.urlopen(f"{self.sparql_url}?query=ASK%7B%7D", timeout=5) as answer:
                return answer.status == 200
        except OSError:
            return False
