"""The dashboard's charts (``hookpoint._charts``): counts in, inline SVG out.

The SVG is parsed as XML (so a stray ``<`` or ``&`` from an endpoint id or a label would fail
here, not in a browser); bars are as tall as their counts; no counts draws the empty state;
hostile text is escaped and ids stay safe; the table for screen readers holds every count.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from hookpoint._charts import STYLES, Series, chart_id, counts_table, stacked_bars, xml_text
from hookpoint._dashboard import chart_series, endpoint_charts, request_series, sparkline
from hookpoint.store import HOUR, REQUEST_OUTCOMES, RUN_STATUSES, HourlyActivity

SVG = "{http://www.w3.org/2000/svg}"
HOURS = tuple(float(1_764_000_000 // HOUR * HOUR + i * HOUR) for i in range(24))


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def segments(root: ET.Element) -> list[ET.Element]:
    return [e for e in root.iter(f"{SVG}rect") if "seg" in (e.get("class") or "").split()]


def test_bars_are_as_tall_as_their_counts_and_stack() -> None:
    accepted = [0] * 24
    rejected = [0] * 24
    accepted[3], accepted[10], rejected[10], accepted[23] = 2, 6, 3, 1
    series = [Series("accepted", "accepted", accepted), Series("rejected", "rejected", rejected)]
    root = parse(stacked_bars(series, HOURS, key="requests:ep", title="Requests"))
    segs = segments(root)
    assert [(s.get("class"), s.get("data-count")) for s in segs] == [
        ("seg seg-accepted", "2"),
        ("seg seg-accepted", "6"),
        ("seg seg-rejected", "3"),
        ("seg seg-accepted", "1"),
    ]
    heights = [float(s.get("height") or 0) for s in segs]
    per_count = heights[0] / 2
    assert per_count > 0
    for seg, height in zip(segs, heights, strict=True):
        assert height == pytest.approx(int(seg.get("data-count") or 0) * per_count)
    # hour 10: rejected stacked right on top of accepted, in the same column
    acc10, rej10 = segs[1], segs[2]
    assert acc10.get("x") == rej10.get("x")
    assert float(rej10.get("y") or 0) + float(rej10.get("height") or 0) == pytest.approx(
        float(acc10.get("y") or 0)
    )
    # columns left to right in hour order, the current hour last
    xs = [float(s.get("x") or 0) for s in segs]
    assert xs[0] < xs[1] < xs[3]
    # the axis top is a round number at least the tallest bar (9), labelled
    ticks = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "tick"]
    assert ticks == ["0", "5", "10"]
    # each series fills with its own pattern, and the legend shows it with its total
    fills = {s.get("class"): s.get("fill") for s in segs}
    assert fills["seg seg-accepted"] != fills["seg seg-rejected"]
    patterns = {p.get("id") for p in root.iter(f"{SVG}pattern")}
    for fill in fills.values():
        assert fill is not None and fill[5:-1] in patterns
    legend = [t.text for t in root.iter(f"{SVG}text") if t.text and "(" in t.text]
    assert legend == ["accepted (9)", "rejected (3)"]


def test_the_accessible_name_sums_up_the_counts() -> None:
    counts = [1] * 24
    series = [Series("succeeded", "succeeded", counts), Series("failed", "failed", [0] * 24)]
    root = parse(stacked_bars(series, HOURS, key="runs:ep", title="Runs", described_by="t-1"))
    assert root.get("role") == "img"
    title = root.find(f"{SVG}title")
    assert title is not None and root.get("aria-labelledby") == title.get("id")
    assert title.text == "Runs: 24 (24 succeeded, 0 failed)"
    assert root.get("aria-describedby") == "t-1"
    # each bar tells its hour and counts on hover
    tips = [g.find(f"{SVG}title") for g in root.iter(f"{SVG}g") if g.get("class") == "bar"]
    assert len(tips) == 24
    assert tips[0] is not None and tips[0].text == "2025-11-24 16:00 UTC: 1 succeeded"


def test_no_counts_draws_the_empty_state() -> None:
    series = [Series(k, k, [0] * 24) for k in ("accepted", "duplicate", "rejected")]
    root = parse(stacked_bars(series, HOURS, key="k", title="Requests", empty="No requests"))
    assert segments(root) == []
    assert [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "empty"] == ["No requests"]
    title = root.find(f"{SVG}title")
    assert title is not None and title.text == "Requests: none"
    spark = parse(stacked_bars(series, HOURS, key="k", title="R", empty="none", compact=True))
    assert segments(spark) == [] and spark.get("width") == "120"


def test_hostile_ids_and_labels_are_escaped() -> None:
    evil = 'x"><script>alert(1)</script>&amp;\x00\x1b'
    series = [Series(evil, evil, [1] + [0] * 23)]
    svg = stacked_bars(
        series, HOURS, key=evil, title=f"Requests to {evil}", empty=evil, described_by=evil
    )
    assert "<script" not in svg
    root = parse(svg)
    title = root.find(f"{SVG}title")
    shown = 'x"><script>alert(1)</script>&amp;\ufffd\ufffd'  # NUL and ESC cannot be XML
    assert title is not None and title.text == f"Requests to {shown}: 1 (1 {shown})"
    # ids come from a digest: letters, digits and dashes only, whatever the key
    for element in root.iter():
        for name in ("id", "class"):
            value = element.get(name)
            if value is not None:
                assert all(c.isalnum() or c in "- " for c in value), value
    assert root.get("id") == chart_id(evil)
    table = counts_table(series, HOURS, table_id=evil, caption=evil)
    assert "<script" not in table
    parsed = ET.fromstring(table)
    caption = parsed.find("./table/caption")
    assert caption is not None and caption.text == evil.replace("\x00", "\ufffd").replace(
        "\x1b", "\ufffd"
    )
    assert xml_text("<&>\"'") == "&lt;&amp;&gt;&quot;&#x27;"


def test_the_table_holds_every_count() -> None:
    a = list(range(24))
    b = [1] * 24
    hidden = ET.fromstring(
        counts_table(
            [Series("accepted", "accepted", a), Series("duplicate", "duplicate", b)],
            HOURS,
            table_id="t",
            caption="Requests",
        )
    )
    assert hidden.get("class") == "visually-hidden"
    table = hidden.find("table")
    assert table is not None and table.get("id") == "t"
    heads = [th.text for th in table.iter("th") if th.get("scope") == "col"]
    assert heads == ["Hour (UTC)", "accepted", "duplicate", "Total"]
    rows = table.findall("./tbody/tr")
    assert len(rows) == 24
    assert [td.text for td in rows[5].findall("td")] == ["5", "1", "6"]
    hour = rows[5].find("th")
    assert hour is not None and hour.text == "2025-11-24 21:00"


def test_series_with_the_wrong_number_of_counts_are_refused() -> None:
    with pytest.raises(ValueError, match="3 counts for 24 hours"):
        stacked_bars([Series("accepted", "a", [1, 2, 3])], HOURS, key="k", title="t")


def test_every_outcome_and_status_has_its_own_look() -> None:
    for group in (REQUEST_OUTCOMES, RUN_STATUSES):
        looks = [(STYLES[k].colour, STYLES[k].pattern) for k in group]
        assert len(set(looks)) == len(group)
        # without colour: each pattern at most once per chart
        assert len({STYLES[k].pattern for k in group}) == len(group)


def _activity(**requests: list[int]) -> HourlyActivity:
    zero = (0,) * 24
    return HourlyActivity(
        endpoint_id="ep",
        hours=HOURS,
        requests={k: tuple(requests.get(k, zero)) for k in REQUEST_OUTCOMES},
        runs={k: zero for k in RUN_STATUSES},
    )


def test_the_dashboard_draws_handshakes_and_tests_only_when_there_are_some() -> None:
    quiet = _activity(accepted=[1] * 24)
    assert [s.key for s in request_series(quiet)] == ["accepted", "duplicate", "rejected"]
    busy = _activity(handshake=[0] * 23 + [1], test=[2] + [0] * 23)
    assert [s.key for s in request_series(busy)] == [
        "accepted",
        "duplicate",
        "rejected",
        "handshake",
        "test",
    ]
    runs = chart_series(
        {k: (0,) * 24 for k in RUN_STATUSES} | {"queued": (1,) * 24},
        ("succeeded", "failed", "running", "queued", "cancelled"),
        2,
    )
    assert [s.key for s in runs] == ["succeeded", "failed", "queued"]


def test_the_dashboard_charts_name_the_endpoint_and_point_at_their_tables() -> None:
    charts = endpoint_charts(_activity(accepted=[3] * 24), 'Cal <"bookings">')
    for kind in ("requests", "runs"):
        html = str(charts[kind])
        svg, _, table = html.partition("</svg>")
        root = ET.fromstring(svg + "</svg>")
        parsed = ET.fromstring(table).find("table")
        assert parsed is not None and root.get("aria-describedby") == parsed.get("id")
        title = root.find(f"{SVG}title")
        assert title is not None and 'Cal <"bookings">' in (title.text or "")
    spark = ET.fromstring(str(sparkline(_activity(rejected=[1] * 24), "Acme")))
    assert len(segments(spark)) == 24
