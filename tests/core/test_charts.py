"""core.charts: inline SVG line charts and sparklines, drawn on the server."""

import re
from decimal import Decimal

from django.utils.safestring import SafeString

from core.charts import Series, compact_number, line_chart, nice_ticks, sparkline


def points(svg: str) -> list[str]:
    return re.findall(r'<circle class="co-point"[^>]*data-value="([^"]+)"', svg)


def polylines(svg: str) -> list[str]:
    return re.findall(r'<polyline [^>]*points="([^"]*)"', svg)


def y_labels(svg: str) -> list[str]:
    return re.findall(r'<text class="co-y-label"[^>]*>([^<]*)</text>', svg)


def test_empty_series_says_so_and_draws_no_point():
    svg = line_chart([], [Series("Views", [])], title="Views")
    assert isinstance(svg, SafeString)
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert 'data-points="0"' in svg and "No data yet" in svg
    assert points(svg) == [] and polylines(svg) == []


def test_only_none_values_count_as_empty():
    svg = line_chart(["a", "b"], [Series("Views", [None, None])], empty_text="Nothing")
    assert 'data-points="0"' in svg and "Nothing" in svg


def test_a_single_point_is_drawn_in_the_middle_with_its_label():
    svg = line_chart(["Mar 01"], [Series("Views", [1200])], width=600)
    assert points(svg) == ["1200"]
    cx = float(re.search(r'class="co-point" cx="([\d.]+)"', svg).group(1))
    assert abs(cx - (56 + (600 - 56 - 14) / 2)) < 0.1
    assert "Mar 01" in svg and 'data-points="1"' in svg


def test_many_points_get_axes_labels_and_one_circle_each():
    labels = [f"d{i}" for i in range(90)]
    values = [i * 1000 for i in range(90)]
    svg = line_chart(labels, [Series("Views", values)], title="Views per day", zero_based=True)
    assert len(points(svg)) == 90 and 'data-points="90"' in svg
    assert len(polylines(svg)) == 1
    assert y_labels(svg)[0] == "0" and y_labels(svg)[-1].endswith("k")
    x_labels = re.findall(r'<text class="co-x-label"[^>]*>([^<]*)</text>', svg)
    assert x_labels[0] == "d0" and x_labels[-1] == "d89" and len(x_labels) <= 6
    assert "Views per day" in svg


def test_all_equal_values_make_a_flat_line_in_the_middle():
    svg = line_chart(["a", "b", "c"], [Series("Followers", [5000, 5000, 5000])], height=220)
    ys = {float(y) for y in re.findall(r'class="co-point" cx="[\d.]+" cy="([\d.]+)"', svg)}
    assert len(ys) == 1
    (y,) = ys
    assert abs(y - (30 + (220 - 30 - 30) / 2)) < 0.1
    assert len(set(y_labels(svg))) >= 2  # a real axis, not a single repeated tick


def test_all_zero_values_stay_on_a_non_negative_axis():
    svg = line_chart(["a", "b"], [Series("Views", [0, 0])])
    assert not any(label.startswith("-") for label in y_labels(svg))
    assert len(points(svg)) == 2


def test_none_values_break_the_line_and_have_no_point():
    svg = line_chart(["a", "b", "c", "d", "e"], [Series("Views", [1, 2, None, 4, 5])])
    assert points(svg) == ["1", "2", "4", "5"]
    assert len(polylines(svg)) == 2
    spark = sparkline([1, None, 3, 4])
    assert 'data-points="3"' in spark and len(polylines(spark)) == 2


def test_several_series_have_a_legend_and_their_own_points():
    svg = line_chart(
        ["a", "b"],
        [Series("Likes", [1, 2]), Series("Comments", [None, 1]), Series("Shares", [Decimal("3")])],
    )
    assert re.findall(r'class="co-point"[^>]*data-series="([^"]+)"', svg) == [
        "Likes",
        "Likes",
        "Comments",
        "Shares",
    ]
    assert svg.count('class="co-legend"') == 3


def test_negative_gains_are_kept_with_a_zero_line():
    svg = line_chart(["a", "b", "c"], [Series("Gained", [100, -40, 60])], zero_based=True)
    assert points(svg) == ["100", "-40", "60"]
    assert any(label.startswith("-") for label in y_labels(svg)) and "0" in y_labels(svg)


def test_text_is_escaped():
    svg = line_chart(["<b>"], [Series('x" onload="alert(1)', [1])], title="<script>")
    assert "<script>" not in svg and "<b>" not in svg and 'onload="alert' not in svg
    assert "&lt;script&gt;" in svg


def test_sparkline_edge_cases():
    empty = sparkline([])
    assert 'data-points="0"' in empty and "<polyline" not in empty
    single = sparkline([7])
    assert 'data-points="1"' in single and "<circle" in single
    flat = sparkline([3, 3, 3], height=24)
    assert polylines(flat) == ["3.0,12.0 50.0,12.0 97.0,12.0"]
    many = sparkline(list(range(200)), title="Views <30d>")
    assert 'data-points="200"' in many and "&lt;30d&gt;" in many


def test_nice_ticks_and_compact_numbers():
    assert nice_ticks(0, 37248) == [0, 10000, 20000, 30000, 40000]
    assert nice_ticks(98_000, 103_000) == [98000, 100000, 102000, 104000]
    ticks = nice_ticks(5, 5)
    assert ticks[0] < 5 < ticks[-1]
    assert [compact_number(v) for v in (950, 12_500, 3_400_000, -1500, 2.5, None)] == [
        "950",
        "12.5k",
        "3.4M",
        "-1.5k",
        "2.5",
        "—",
    ]


def test_tooltips_give_the_full_value_grouped_by_thin_spaces():
    svg = line_chart(["Mar 01"], [Series("Views", [1234567])])
    assert "<title>Mar 01 · Views: 1\u202f234\u202f567</title>" in svg
    assert "1,234,567" not in svg


def test_axis_labels_tell_close_ticks_apart():
    from core.charts import axis_labels

    assert axis_labels([1100, 1150, 1200, 1250, 1300]) == ["1.1k", "1.15k", "1.2k", "1.25k", "1.3k"]
    assert axis_labels([0, 1000, 2000]) == ["0", "1k", "2k"]


def test_a_followers_chart_near_a_thousand_has_distinct_y_labels():
    svg = line_chart(["a", "b", "c"], [Series("Followers", [1100, 1180, 1300])])
    labels = re.findall(r'class="co-y-label"[^>]*>([^<]+)<', svg)
    assert len(labels) == len(set(labels)) >= 3
