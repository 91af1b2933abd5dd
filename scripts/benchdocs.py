"""What every benchmark script shares: replacing its own section of docs/benchmarks.md.

Each script owns one "## Title (scripts/bench_x.py)" section; running it with
--write-docs replaces exactly that section and leaves the others alone.
"""

from __future__ import annotations

from pathlib import Path

BENCHMARKS_MD = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"


def replace_section(heading: str, section: str, path: Path = BENCHMARKS_MD) -> None:
    """Put ``section`` (which starts with ``heading``) in place of the old one, or append it."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n\n"
    start = text.find(heading)
    if start == -1:
        text = text.rstrip("\n") + "\n\n" + section
    else:
        nxt = text.find("\n## ", start + len(heading))
        text = text[:start] + section.rstrip("\n") + "\n" + ("\n" + text[nxt + 1:] if nxt != -1 else "")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text.rstrip("\n") + "\n", encoding="utf-8")


def publish(heading: str, section: str, write: bool) -> None:
    """Print a benchmark's section and, with --write-docs, put it into docs/benchmarks.md."""
    print(section)
    if write:
        replace_section(heading, section)
