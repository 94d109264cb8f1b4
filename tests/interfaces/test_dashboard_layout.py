"""Each dashboard page, laid out by a real browser at 1400 px and at 420 px: no chart's
labels overlap, no text is cut at its chart's edge or in a table, chart text stays readable
on a phone, and the page never scrolls sideways. The screenshots are kept in the test's
temporary folder (or `ROI_LEDGER_SCREENSHOTS`), out of the repository.

The measuring is done by the browser itself: Debian's chromium, headless, sized to the
width under test over the DevTools protocol, evaluates a script in the page that reports
what its layout engine placed where.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Cli
from tests.interfaces.test_dashboard import NOW, chromium

WIDTHS = (1400, 420)

MEASURE = """(() => {
  const out = {overlaps: [], outside: [], cut: [], small: [], raw_times: []};
  const box = (e) => e.getBoundingClientRect();
  const apart = (a, b) => a.right <= b.left + 0.5 || b.right <= a.left + 0.5
      || a.bottom <= b.top + 0.5 || b.bottom <= a.top + 0.5;
  const shown = [...document.querySelectorAll('svg')].filter((s) => s.getClientRects().length);
  for (const svg of shown) {
    const frame = box(svg);
    const texts = [...svg.querySelectorAll('text')].filter((t) => t.textContent.trim());
    const boxes = texts.map(box);
    for (let i = 0; i < texts.length; i++) {
      const r = boxes[i], label = texts[i].textContent;
      if (r.left < frame.left - 0.5 || r.right > frame.right + 0.5) out.outside.push(label);
      if (r.height < 9) out.small.push([label, Math.round(r.height * 10) / 10]);
      for (let j = i + 1; j < texts.length; j++)
        if (!apart(r, boxes[j])) out.overlaps.push([label, texts[j].textContent]);
    }
  }
  for (const cell of document.querySelectorAll('td, th, .kpi, time, h1, h2'))
    if (cell.scrollWidth > cell.clientWidth + 1) out.cut.push(cell.textContent.slice(0, 60));
  for (const cell of document.querySelectorAll('td'))  // times are shown to the second, whole
    if (/\\d{4}-\\d\\d-\\d\\dT/.test(cell.textContent) && !cell.querySelector('time'))
      out.raw_times.push(cell.textContent);
  for (const when of document.querySelectorAll('time'))  // no date split, nothing past seconds
    if (/[.T]/.test(when.textContent) || [...when.children].some((part) =>
        part.getClientRects().length > 1)) out.raw_times.push(when.textContent);
  out.sideways = document.documentElement.scrollWidth - document.documentElement.clientWidth;
  out.svgs = shown.length;
  out.title = document.title;
  return out;
})()"""
"""What is measured, by the page's own layout engine: every pair of chart labels, each
label against its chart's edges and its rendered height, every cell that holds more text
than it shows, and the page's width beyond the screen."""


class Browser:
    """Headless chromium driven over the DevTools protocol on a pipe (`--remote-debugging-pipe`:
    file descriptors 3 and 4, messages ended by a NUL byte), so no WebSocket client is needed.
    One page at a time; events that arrive while waiting for a reply are kept."""

    def __init__(self, profile: Path) -> None:
        to_child, from_parent = os.pipe()
        to_parent, from_child = os.pipe()

        def plumb() -> None:  # in the child: its fd 3 reads our commands, fd 4 answers
            ours = fcntl.fcntl(to_child, fcntl.F_DUPFD, 10)
            theirs = fcntl.fcntl(from_child, fcntl.F_DUPFD, 10)
            os.dup2(ours, 3)
            os.dup2(theirs, 4)

        self.process = subprocess.Popen(
            [chromium() or "chromium", "--headless", "--no-sandbox", "--disable-gpu",
             "--hide-scrollbars", "--remote-debugging-pipe", f"--user-data-dir={profile}"],
            preexec_fn=plumb, close_fds=False,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        os.close(to_child)
        os.close(from_child)
        self.send_to = os.fdopen(from_parent, "wb")
        self.read_from = os.fdopen(to_parent, "rb")
        self.last = 0
        self.events: list[dict[str, Any]] = []

    def call(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        self.last += 1
        message: dict[str, Any] = {"id": self.last, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        self.send_to.write(json.dumps(message).encode() + b"\0")
        self.send_to.flush()
        while True:
            reply = self._next()
            if reply.get("id") == self.last:
                assert "error" not in reply, (method, reply["error"])
                return dict(reply.get("result", {}))
            self.events.append(reply)

    def wait_for(self, method: str, timeout: float = 60) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for i, event in enumerate(self.events):
                if event.get("method") == method:
                    return self.events.pop(i)
            self.events.append(self._next())
        raise AssertionError(f"no {method} within {timeout}s")

    def _next(self) -> dict[str, Any]:
        chunks = bytearray()
        while not chunks.endswith(b"\0"):
            byte = self.read_from.read(1)
            assert byte, "chromium closed its pipe"
            chunks += byte
        return dict(json.loads(chunks[:-1]))

    def open(self, url: str, width: int) -> str:
        """Load `url` in a fresh tab `width` CSS pixels wide (a phone's, with its viewport
        rules, under 600); return the tab's session."""
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        self.call("Emulation.setDeviceMetricsOverride", session, width=width, height=1800,
                  deviceScaleFactor=1, mobile=width < 600)  # fmt: skip
        self.call("Page.enable", session)
        self.call("Runtime.enable", session)
        self.events.clear()
        self.call("Page.navigate", session, url=url)
        self.wait_for("Page.loadEventFired")
        return session

    def close(self) -> None:
        self.send_to.close()
        self.process.terminate()
        self.process.wait(timeout=10)
        self.read_from.close()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from tests.interfaces.test_http_api import serving

    path = tmp_path_factory.mktemp("layout") / "demo.db"
    Cli(path).json("demo", "--days", "30", "--now", NOW)
    with serving(path) as base:
        yield base


PAGES = {
    "portfolio": f"/?now={NOW}",
    "pattern-day": f"/patterns/changelog-updater?per=day&now={NOW}",
    "pattern-week": f"/patterns/flaky-test-quarantine?per=week&now={NOW}",
    "decisions": f"/decisions?now={NOW}",
    "ledger": "/ledger",
}


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    driven = Browser(tmp_path_factory.mktemp("chromium") / "profile")
    try:
        yield driven
    finally:
        driven.close()


@pytest.mark.skipif(chromium() is None, reason="no chromium: .ci/run installs Debian's chromium")
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("page", sorted(PAGES))
def test_each_page_lays_out_at_desk_and_phone_width(
    served: str, browser: Browser, page: str, width: int, tmp_path: Path
) -> None:
    session = browser.open(served + PAGES[page], width)
    result = browser.call("Runtime.evaluate", session, expression=MEASURE, returnByValue=True)
    measured = result["result"]["value"]
    assert "roi-ledger" in measured["title"]
    assert measured["svgs"] >= (0 if page == "ledger" else 1)
    assert measured["overlaps"] == [], f"labels overlap on {page} at {width}px"
    assert measured["outside"] == [], f"labels cut at the chart's edge on {page} at {width}px"
    assert measured["small"] == [], f"chart text under 9px on {page} at {width}px"
    assert measured["cut"] == [], f"text cut on {page} at {width}px"
    assert measured["raw_times"] == [], f"timestamps not shown whole on {page} at {width}px"
    assert measured["sideways"] <= 0, f"{page} scrolls sideways at {width}px"
    errors = [e for e in browser.events if e.get("method") == "Runtime.exceptionThrown"
              or (e.get("method") == "Runtime.consoleAPICalled"
                  and e["params"]["type"] in ("error", "warning"))]  # fmt: skip
    assert errors == []
    shot = browser.call("Page.captureScreenshot", session, format="png", captureBeyondViewport=True)
    png = base64.b64decode(shot["data"])
    assert png.startswith(b"\x89PNG") and len(png) > 10_000  # a rendered page, not a blank one
    (tmp_path / f"{page}-{width}.png").write_bytes(png)
    if os.environ.get("ROI_LEDGER_SCREENSHOTS"):
        target = Path(os.environ["ROI_LEDGER_SCREENSHOTS"])
        target.mkdir(parents=True, exist_ok=True)
        (target / f"{page}-{width}.png").write_bytes(png)
