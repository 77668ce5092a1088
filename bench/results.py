"""Put a bench's figures into bench/RESULTS.md: its own ``## `` section,
replaced when the bench runs again, added at the end the first time."""

from __future__ import annotations

from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def replace_section(title: str, body: str, path: Path = RESULTS) -> None:
    text = path.read_text() if path.exists() else "# Benchmark results\n"
    heading = f"## {title}\n"
    section = f"{heading}\n{body.strip()}\n"
    start = text.find(heading)
    if start < 0:
        path.write_text(text.rstrip("\n") + "\n\n" + section)
        return
    end = text.find("\n## ", start + len(heading))
    rest = text[end + 1 :] if end >= 0 else ""
    path.write_text(text[:start] + section + ("\n" + rest if rest else ""))
