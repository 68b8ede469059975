"""Headless Chromium driven as a user drives it: open a page, type into a field, click, read what is
shown, save a download, take a screenshot. It speaks the DevTools protocol over a pipe
(`--remote-debugging-pipe`: JSON messages ending in NUL on the browser's fds 3 and 4), so it needs no
library beyond Chromium itself. Offline: every host but 127.0.0.1 is unresolvable.

`chromium_binary()` finds it (Debian: apt-get install chromium; or set KG_CHROMIUM); tests that need
it are marked `browser` and skipped where there is none.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import queue
import shutil
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# headless, offline: nothing but what the tests serve; no first-run, sync or update traffic
OFFLINE_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND",
]
FLAGS = [*OFFLINE_FLAGS[:-1], "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"]  # kg serve's pages
WAIT = 30.0  # seconds a page gets to load, an answer to come


def _high(*fds: int) -> tuple[int, ...]:
    """The fds moved to 10 and above, clear of the 3 and 4 the browser is given."""
    moved = tuple(fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in fds)
    for fd in fds:
        os.close(fd)
    return moved


def chromium_binary() -> str | None:
    return os.environ.get("KG_CHROMIUM") or next(filter(None, map(shutil.which, BROWSERS)), None)


class Browser:
    """One headless Chromium with one tab; stop() ends it."""

    def __init__(self, binary: str, profile: Path, downloads: Path, size: tuple[int, int] = (1200, 900)):
        profile.mkdir(parents=True, exist_ok=True)
        downloads.mkdir(parents=True, exist_ok=True)
        self.downloads = downloads
        to_browser, self._writer = _high(*os.pipe())
        self._reader, from_browser = _high(*os.pipe())
        # the browser reads its commands on fd 3 and writes its answers on fd 4
        command = [
            *FLAGS,
            f"--user-data-dir={profile}",
            f"--window-size={size[0]},{size[1]}",
            "--remote-debugging-pipe",
            "about:blank",
        ]
        shell = f'exec "$0" "$@" 3<&{to_browser} 4>&{from_browser} {to_browser}<&- {from_browser}>&-'
        self.process = subprocess.Popen(
            ["bash", "-c", shell, binary, *command],
            pass_fds=(to_browser, from_browser),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(to_browser)
        os.close(from_browser)
        self._next = 0
        self._answers: dict[int, dict] = {}
        self._events: queue.Queue[dict] = queue.Queue()
        self._arrived = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        self.call("Page.enable", session=True)
        self.call("Runtime.enable", session=True)
        self.call(
            "Emulation.setDeviceMetricsOverride",
            session=True,
            width=size[0],
            height=size[1],
            deviceScaleFactor=1,
            mobile=False,
        )
        self.call(
            "Browser.setDownloadBehavior", behavior="allow", downloadPath=str(downloads), eventsEnabled=True
        )

    # --- the protocol -----------------------------------------------------------------------------

    def _read(self) -> None:
        buffer = b""
        while data := os.read(self._reader, 1 << 16):
            buffer += data
            *messages, buffer = buffer.split(b"\0")
            for raw in messages:
                message = json.loads(raw)
                if "id" in message:
                    with self._arrived:
                        self._answers[message["id"]] = message
                        self._arrived.notify_all()
                else:
                    self._events.put(message)

    def call(self, method: str, session: bool = False, **params: Any) -> dict:
        self._next += 1
        ident = self._next
        message: dict[str, Any] = {"id": ident, "method": method, "params": params}
        if session:
            message["sessionId"] = self.session
        os.write(self._writer, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + WAIT
        with self._arrived:
            while ident not in self._answers:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"no answer to {method}")
                self._arrived.wait(left)
            answer = self._answers.pop(ident)
        if "error" in answer:
            raise RuntimeError(f"{method}: {answer['error']}")
        return answer.get("result", {})

    def wait_for(self, method: str, **matching: Any) -> dict:
        """The next event `method` whose params hold `matching` (earlier events are dropped)."""
        deadline = time.monotonic() + WAIT
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no {method} event")
            event = self._events.get(timeout=left)
            params = event.get("params", {})
            if event.get("method") == method and all(params.get(k) == v for k, v in matching.items()):
                return params

    def _drain(self) -> None:
        while not self._events.empty():
            self._events.get_nowait()

    # --- what a user does ---------------------------------------------------------------------------

    def open(self, url: str) -> None:
        self._drain()
        self.call("Page.navigate", session=True, url=url)
        self.wait_for("Page.loadEventFired")

    def run(self, script: str) -> Any:
        """The value of a JavaScript expression in the page (JSON-able)."""
        answer = self.call(
            "Runtime.evaluate", session=True, expression=script, returnByValue=True, awaitPromise=True
        )
        if "exceptionDetails" in answer:
            raise RuntimeError(f"{script}: {answer['exceptionDetails']}")
        return answer["result"].get("value")

    def click(self, selector: str, loads: bool = True) -> None:
        """Click the element (a link or a button), as a user does; wait for the page it opens."""
        self._drain()
        self.run(f"document.querySelector({json.dumps(selector)}).click()")
        if loads:
            self.wait_for("Page.loadEventFired")

    def type(self, selector: str, text: str) -> None:
        """Focus a field, clear it and type into it."""
        self.run(f"(f => {{ f.focus(); f.select(); }})(document.querySelector({json.dumps(selector)}))")
        self.call(
            "Input.dispatchKeyEvent",
            session=True,
            type="keyDown",
            key="Delete",
            code="Delete",
            windowsVirtualKeyCode=46,
        )
        self.call(
            "Input.dispatchKeyEvent",
            session=True,
            type="keyUp",
            key="Delete",
            code="Delete",
            windowsVirtualKeyCode=46,
        )
        self.call("Input.insertText", session=True, text=text)

    def attach(self, selector: str, path: Path) -> None:
        """Choose a file for a file input, as the file picker would."""
        document = self.call("DOM.getDocument", session=True)["root"]["nodeId"]
        node = self.call("DOM.querySelector", session=True, nodeId=document, selector=selector)["nodeId"]
        self.call("DOM.setFileInputFiles", session=True, nodeId=node, files=[str(path)])

    def download(self, selector: str) -> Path:
        """Click what starts a download; the file once it is complete."""
        self._drain()
        self.run(f"document.querySelector({json.dumps(selector)}).click()")
        begun = self.wait_for("Browser.downloadWillBegin")
        self.wait_for("Browser.downloadProgress", guid=begun["guid"], state="completed")
        return self.downloads / begun["suggestedFilename"]

    def text(self, selector: str) -> str:
        return self.run(f"document.querySelector({json.dumps(selector)}).innerText")

    def table(self, selector: str) -> list[list[str]]:
        """The cells of a table's body, as shown."""
        script = f"""Array.from(document.querySelectorAll({json.dumps(selector + " tbody tr")}))
            .map(r => Array.from(r.cells).map(c => c.innerText.trim()))"""
        return self.run(script)

    def screenshot(self, path: Path, full: bool = False) -> bytes:
        data = base64.b64decode(
            self.call("Page.captureScreenshot", session=True, format="png", captureBeyondViewport=full)[
                "data"
            ]
        )
        path.write_bytes(data)
        return data

    def url(self) -> str:
        return self.run("location.href")

    def stop(self) -> None:
        with contextlib.suppress(TimeoutError, RuntimeError, OSError):
            self.call("Browser.close")
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self._writer)
        os.close(self._reader)
