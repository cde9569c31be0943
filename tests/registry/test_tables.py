"""Result tables: CSV output and small-cell suppression."""

from __future__ import annotations

import csv
import io

from cluneal.registry.tables import Column, Table

TABLE = Table(
    "t",
    "T",
    (
        Column("group", "Group"),
        Column("n", "n", "count"),
        Column("pct", "%", "percent", of="n"),
        Column("mean", "Mean", "number", of="n"),
        Column("other", "Other", "count"),
    ),
    (("a", 3, 30.0, 1.5, 0), ("b", 12, 1 / 3 * 100, 2.25, 7), ("c", 0, None, None, 4)),
)


def test_csv_has_the_stable_column_names_and_plain_numbers():
    rows = list(csv.reader(io.StringIO(TABLE.csv())))
    assert rows[0] == ["group", "n", "pct", "mean", "other"]
    assert rows[1] == ["a", "3", "30", "1.5", "0"]
    assert rows[2] == ["b", "12", "33.3333", "2.25", "7"]
    assert rows[3] == ["c", "0", "", "", "4"]


def test_suppression_hides_small_counts_and_what_rests_on_them():
    hidden = TABLE.suppressed(5)
    assert hidden.rows[0] == ("a", "<5", None, None, 0)
    assert hidden.rows[1] == ("b", 12, 1 / 3 * 100, 2.25, 7)
    assert hidden.rows[2] == ("c", 0, None, None, "<5")
    assert hidden.min_cell == 5
    assert "<5" in hidden.csv()


def test_a_threshold_of_zero_or_one_shows_every_count():
    assert TABLE.suppressed(0) is TABLE
    assert TABLE.suppressed(1) is TABLE


def test_display_rounds_percentages_and_marks_missing_values():
    assert TABLE.display_rows()[1] == ["b", "12", "33.3", "2.25", "7"]
    assert TABLE.display_rows()[2][2] == "–"
