"""The dashboard (`roi-ledger serve`, `/`): every chart's figures equal the JSON API's for the
same query at the same as_of, each page says its head, and a real headless browser shows
the pages (figures and charts present, no console errors)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import urllib.request
from collections.abc import Iterator
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from ledger.interfaces.http.app import create_app
from tests.conftest import Cli

NOW = "2026-03-01T12:00:00Z"


class Marks(HTMLParser):
    """The chart marks of a page (`g.bar` / `g.point` with their data-*), and its head."""

    def __init__(self) -> None:
        super().__init__()
        self.marks: list[dict[str, str]] = []
        self.charts: list[str] = []
        self.head: dict[str, str] = {}
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "svg":
            self.charts.append(a.get("aria-label", ""))
        if tag == "g" and a.get("class") in ("bar", "point"):
            self.marks.append({**a, "chart": self.charts[-1]})
        if tag == "p" and a.get("class") == "head":
            self.head = a

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def marks(html: str) -> Marks:
    parsed = Marks()
    parsed.feed(html)
    return parsed


def same(a: Any, b: Any) -> bool:
    """The same figure, whether JSON carried it as a number or as an exact decimal string."""
    if a is None or b is None:
        return a is b
    return Decimal(str(a)) == Decimal(str(b))


def of(chart: str, page: Marks) -> dict[str, dict[str, str]]:
    return {m["data-label"]: m for m in page.marks if m["chart"] == chart}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("dashboard") / "demo.db"
    Cli(path).json("demo", "--days", "30", "--now", NOW)
    return path


@pytest.fixture(scope="module")
def client(demo: Path) -> Iterator[TestClient]:
    with TestClient(create_app(str(demo)), base_url="http://localhost") as c:
        yield c


@pytest.mark.parametrize("as_of", [None, "400", "120"])
def test_every_chart_equals_the_json_of_the_same_query(
    client: TestClient, as_of: str | None
) -> None:
    q = "" if as_of is None else f"as_of={as_of}"

    def api(path: str) -> Any:
        response = client.get(f"{path}{'&' if '?' in path else '?'}{q}")
        assert response.status_code == 200, response.text
        return response

    summary = api("/api/roi-tracking/summary")
    page = marks(client.get(f"/?now={NOW}&{q}").text)
    assert page.head["data-seq"] == summary.headers["X-As-Of-Seq"]
    bars = of("Success rate by pattern", page)
    assert len(bars) == len(summary.json()) > 0
    for row in summary.json():
        bar = bars[row["pattern_id"]]
        assert json.loads(bar["data-value"]) == row["success_rate"]
        interval = row["success_rate_interval"]
        if interval is not None:
            assert same(json.loads(bar["data-lower"]), interval[0])
            assert same(json.loads(bar["data-upper"]), interval[1])

    decisions = marks(client.get(f"/decisions?{q}").text)
    by_source = api("/api/decisions/conversions?by=source").json()
    chart = of("Conversion rate by source (%, with its 95% Wilson interval)", decisions)
    assert {k: json.loads(v["data-value"]) for k, v in chart.items()} == {
        r["source_type"]: r["conversion_rate"] for r in by_source
    }
    revenue = of("Revenue by opportunity type", decisions)
    assert {k: json.loads(v["data-value"]) for k, v in revenue.items()} == {
        r["opportunity_type"]: r["total_revenue"] for r in api("/api/decisions/roi").json()
    }
    calibration = api("/api/decisions/calibration").json()
    points = of("Predicted against observed conversion", decisions)
    assert {k: (json.loads(v["data-predicted"]), json.loads(v["data-value"]), int(v["data-count"]))
            for k, v in points.items()} == {
        b["range"]: (b["mean_predicted"], b["observed_rate"], b["count"])
        for b in calibration["buckets"]
    }  # fmt: skip

    pattern = summary.json()[0]["pattern_id"]
    for period in ("day", "week", "month"):
        trend = api(f"/api/roi-tracking/trend/{pattern}?period={period}").json()
        page = marks(client.get(f"/patterns/{pattern}?period={period}&now={NOW}&{q}").text)
        line = of(f"Success rate per {period}", page)
        assert [(m["data-label"], json.loads(m["data-value"])) for m in line.values()] == [
            (t["period"], t["success_rate"]) for t in trend
        ]
        saved = of(f"Cost saved per {period}", page)
        assert [json.loads(m["data-value"]) for m in saved.values()] == [
            t["cost_saved_usd"] for t in trend
        ]


def test_the_kpis_set_the_last_30_days_beside_the_30_before(client: TestClient) -> None:
    dashboard = client.get(f"/api/roi-tracking/dashboard?now={NOW}").json()
    last, before, change = (
        dashboard["last_30_days"], dashboard["previous_30_days"], dashboard["change"]
    )  # fmt: skip
    assert change["total_executions"] == last["total_executions"] - before["total_executions"]
    text = "".join(marks(client.get(f"/?now={NOW}").text).text)
    assert f"{last['total_executions']} (+{change['total_executions']} on the 30 days" in text


def test_the_ledger_page_says_its_head_and_shows_the_last_events(client: TestClient) -> None:
    digest = client.get("/api/ledger/digest").json()
    page = client.get("/ledger").text
    assert f"{digest['seq']}:{digest['hash']}" in page
    past = marks(client.get("/ledger?as_of=5").text)
    assert past.head["data-seq"] == "5"
    assert "seq 5" in "".join(past.text)


def test_pages_refuse_bad_input_in_words(client: TestClient) -> None:
    assert client.get("/patterns/nope").status_code == 404
    assert client.get("/patterns/changelog-updater?period=year").status_code == 422
    assert client.get("/?as_of=zzz").status_code == 422
    hostile = client.get("/patterns/<script>alert(1)</script>")
    assert hostile.status_code == 404  # an error page for a person, the input escaped
    assert hostile.headers["content-type"].startswith("text/html")
    assert "<script>" not in hostile.text and "&lt;script&gt;" in hostile.text


def test_an_empty_ledger_has_pages_too(tmp_path: Path) -> None:
    with TestClient(create_app(str(tmp_path / "empty.db")), base_url="http://localhost") as c:
        for path in ("/", "/decisions", "/ledger"):
            response = c.get(path)
            assert response.status_code == 200 and "seq 0" in response.text


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(chromium() is None, reason="no chromium: .ci/run installs Debian's chromium")
def test_a_real_browser_shows_each_page(demo: Path, tmp_path: Path) -> None:
    """Debian's chromium, headless, against `roi-ledger serve` on a real socket: each page
    renders with its figures and charts and logs no console error; screenshots are kept
    in the test's temporary folder, out of the repository."""
    from tests.interfaces.test_http_api import serving

    with serving(demo) as base:
        pattern = json.load(urllib.request.urlopen(f"{base}/api/roi-tracking/summary"))[0]
        pages = {
            "portfolio": (f"/?now={NOW}", ["Success rate by pattern", pattern["pattern_id"]]),
            "pattern": (f"/patterns/{pattern['pattern_id']}?period=week&now={NOW}",
                        ["Success rate per week", "Recommendation"]),
            "decisions": ("/decisions", ["Conversion rate by source", "Brier score"]),
            "windowed": (f"/?now={NOW}&period=last-month&as_of=400",
                         ["executions, 2026-02", "on 2026-01", "Last 30 days", "seq 400",
                          '<form method="get"']),
            "decisions-windowed": (f"/decisions?now={NOW}&since=2026-02-01&until=2026-03-01",
                                   ["Decisions made 2026-02-01 to 2026-03-01", "conversion rate"]),
            "ledger": ("/ledger", ["Events ", "Full digest"]),
        }  # fmt: skip
        profile = tmp_path / "profile"
        for name, (path, wanted) in pages.items():
            shot = tmp_path / f"{name}.png"
            args = [
                chromium() or "chromium", "--headless", "--no-sandbox", "--disable-gpu",
                "--enable-logging=stderr", "--v=0", f"--user-data-dir={profile}",
                "--window-size=1100,1600",
            ]  # fmt: skip
            dom = subprocess.run(
                [*args, "--dump-dom", base + path], capture_output=True, text=True, timeout=120
            )
            assert dom.returncode == 0, dom.stderr[-2000:]
            for text in wanted:
                assert text in dom.stdout, (name, text)
            assert dom.stdout.count("<svg") >= (0 if name == "ledger" else 1)
            console = [
                line for line in dom.stderr.splitlines()
                if "CONSOLE" in line or "Uncaught" in line
            ]  # fmt: skip
            assert console == [], console
            subprocess.run([*args, f"--screenshot={shot}", base + path],
                           capture_output=True, timeout=120, check=True)  # fmt: skip
            assert shot.stat().st_size > 10_000  # a rendered page, not a blank one
    if os.environ.get("ROI_LEDGER_SCREENSHOTS"):
        target = Path(os.environ["ROI_LEDGER_SCREENSHOTS"])
        target.mkdir(parents=True, exist_ok=True)
        for shot in tmp_path.glob("*.png"):
            shutil.copy(shot, target / shot.name)


def test_a_pattern_whose_id_holds_a_slash_has_its_page(tmp_path: Path) -> None:
    """The defect (an attack): the portfolio linked `/patterns/a%2Fb%3Fc%23d`, which 404ed."""
    import re

    with TestClient(create_app(str(tmp_path / "l.db")), base_url="http://localhost") as c:
        body = {"pattern_id": "a/b?c#d", "estimated_time_seconds": 60, "estimated_cost": 0.01}
        assert c.post("/api/patterns", json=body).status_code == 201
        link = re.search(r'href="(/patterns/[^"]+)"', c.get("/").text)
        assert link is not None
        page = c.get(link.group(1).replace("&amp;", "&"))
        assert page.status_code == 200 and "a/b?c#d" in page.text


@pytest.mark.parametrize(
    ("window", "label"),
    [
        ("period=this-month", "2026-03"),
        ("period=last-month", "2026-02"),
        ("period=last-30d", "last 30 days"),
        ("period=last-90d", "last 90 days"),
        ("since=2026-02-10&until=2026-02-20", "2026-02-10 to 2026-02-20"),
    ],
)
@pytest.mark.parametrize("as_of", [None, "400"])
def test_the_period_selector_windows_the_figures_of_every_page(
    client: TestClient, window: str, label: str, as_of: str | None
) -> None:
    """Each page with a window (and a point of the log) shows what the JSON API answers for
    the same window at the same point, and each KPI's change on the window before."""
    q = f"{window}&now={NOW}" + ("" if as_of is None else f"&as_of={as_of}")

    def api(path: str) -> Any:
        response = client.get(f"{path}{'&' if '?' in path else '?'}{q}")
        assert response.status_code == 200, response.text
        return response.json()

    page = marks(client.get(f"/?{q}").text)
    if as_of is not None:
        assert page.head["data-seq"] == as_of
    summary = api("/api/roi-tracking/summary")
    bars = of("Success rate by pattern", page)
    assert {k: json.loads(v["data-value"]) for k, v in bars.items()} == {
        r["pattern_id"]: r["success_rate"] for r in summary
    }
    shown = api("/api/roi-tracking/dashboard")["window"]
    text = "".join(page.text)
    executions, change = shown["current"]["total_executions"], shown["change"]
    before = shown["compared_with"]["period"].removesuffix(" " + shown["window"]["period"])
    sign = "+" if change["total_executions"] >= 0 else "−"
    delta = abs(change["total_executions"])
    assert f"executions, {label}{executions} ({sign}{delta} on {before})" in text, text[:600]
    assert f"Patterns, {label}" in text

    decisions = marks(client.get(f"/decisions?{q}").text)
    chart = of("Conversion rate by source (%, with its 95% Wilson interval)", decisions)
    by_source = api("/api/decisions/conversions?by=source")
    assert {k: json.loads(v["data-value"]) for k, v in chart.items()} == {
        r["source_type"]: r["conversion_rate"] for r in by_source
    }
    made = sum(r["total_decisions"] for r in by_source)
    assert f"decisions{made} (" in "".join(decisions.text)

    pattern = summary[0]["pattern_id"] if summary else "changelog-updater"
    one = api(f"/api/roi-tracking/pattern/{pattern}")
    page = marks(client.get(f"/patterns/{pattern}?{q}").text)
    assert f"executions{one['total_executions']} (" in "".join(page.text)


def test_the_selector_keeps_the_point_shown_and_empty_fields_mean_not_given(
    client: TestClient,
) -> None:
    plain = client.get(f"/?now={NOW}").text
    emptied = client.get(f"/?now={NOW}&period=&since=&until=&as_of=").text
    assert marks(emptied).text == marks(plain).text  # the form's empty fields: all time
    past = client.get(f"/?now={NOW}&as_of=400&period=last-month").text
    nav = past.split('<nav class="periods">')[1].split("</nav>")[0]
    assert nav.count("as_of=400") == 4 and "<b>Last month</b>" in nav
    assert 'name="as_of" value="400"' in past
    assert 'name="now" value="2026-03-01T12:00:00Z"' in past
    header = past.split("<header>")[1].split("</header>")[0]
    assert header.count("period=last-month") == 3  # the other pages keep the window
    trend = client.get("/patterns/changelog-updater?period=week&now=" + NOW).text
    assert "Success rate per week" in trend  # older links: period=week is the trend's bucket
    for bad in (
        "/?period=2026-13",
        "/decisions?since=2026-03-01&until=2026-02-01",
        "/?since=2026-02-01T12:00:00Z",
        "/patterns/changelog-updater?period=last-0d",
        "/patterns/changelog-updater?per=year",
    ):
        refused = client.get(bad)
        assert refused.status_code == 422, bad
        field = re.search(r'data-field="([^"]+)"', refused.text)
        assert field is not None and field.group(1) in ("period", "since", "per"), bad
