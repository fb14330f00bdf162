"""Exports a reviewer opens in a spreadsheet never run what a caller wrote."""

from __future__ import annotations

import csv
import io

import pytest

from guard.audit.export import csv_lines


@pytest.mark.parametrize(
    "text",
    ['=HYPERLINK("http://evil")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\t=1", "\r=1"],
)
def test_csv_cells_that_a_spreadsheet_reads_as_formulas_are_neutralised(text: str) -> None:
    rows = [{"id": "d1", "redacted_prompt": text, "rules": ["a", "b"], "prompt_tokens": -1}]
    [header, row] = list(csv.reader(io.StringIO("".join(csv_lines(rows)))))
    assert header == ["id", "redacted_prompt", "rules", "prompt_tokens"]
    assert row[1] == "'" + text, "the cell keeps the text, read as text"
    assert row[2] == '["a", "b"]'
    assert row[3] == "-1", "numbers stay numbers"


def test_ordinary_text_is_exported_unchanged() -> None:
    rows = [{"redacted_prompt": "What is 2 - 1 = ?"}]
    [_, row] = list(csv.reader(io.StringIO("".join(csv_lines(rows)))))
    assert row == ["What is 2 - 1 = ?"]
