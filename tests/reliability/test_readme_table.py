"""README's "What happens when things go wrong" table: every line names a test that exists."""

from __future__ import annotations

import re
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
README = TESTS.parent / "README.md"


def test_every_line_of_the_table_names_existing_tests():
    text = README.read_text(encoding="utf-8")
    table = text.split("## What happens when things go wrong", 1)[1].split("\n## ", 1)[0]
    rows = [r for r in table.splitlines() if r.startswith("| ") and not r.startswith("| situation")]
    assert len(rows) >= 20
    for row in rows:
        cells = [c.strip() for c in row.strip("|").split(" | ")]
        refs = re.findall(r"`([\w/]+\.py)(?:::(\w+))?`", cells[-1])
        assert refs, f"no test named on: {row[:80]}"
        for path, func in refs:
            f = TESTS / path
            assert f.is_file(), (path, row[:60])
            if func:
                assert re.search(rf"^def {func}\(", f.read_text(), re.M), (path, func)
