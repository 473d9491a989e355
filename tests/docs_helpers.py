"""Reading our Markdown the way GitHub renders it: headings, their anchors, and relative links."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = ROOT / "docs"

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")


def prose_lines(text: str) -> list[str]:
    """The lines of `text` outside fenced code blocks (a ```` fence may hold ``` lines)."""
    lines, fence = [], ""
    for line in text.splitlines():
        match = _FENCE.match(line)
        if match and not fence:
            fence = match.group(1)
        elif fence and line.strip().startswith(fence) and set(line.strip()) == {fence[0]}:
            fence = ""
        elif not fence:
            lines.append(line)
    return lines


def headings(text: str) -> list[str]:
    """The text of every ATX heading outside code blocks, in order."""
    found = []
    for line in prose_lines(text):
        match = re.match(r"^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$", line)
        if match:
            found.append(match.group(1))
    return found


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)
    text = re.sub(r"<[^>]*>", "", text).strip().lower()
    return "".join(ch for ch in text if ch.isalnum() or ch in "-_ ").replace(" ", "-")


def anchors(text: str) -> set[str]:
    """Every heading anchor of a page; a repeated heading gets -1, -2, ... as on GitHub."""
    seen: dict[str, int] = {}
    result = set()
    for heading in headings(text):
        base = slug(heading)
        count = seen.get(base, 0)
        seen[base] = count + 1
        result.add(base if count == 0 else f"{base}-{count}")
    return result


def links(text: str) -> list[str]:
    """The targets of inline links and images outside code blocks and code spans."""
    prose = "\n".join(prose_lines(text))
    prose = re.sub(r"(`+).*?\1", "", prose, flags=re.S)
    return [match.group(1) for match in _LINK.finditer(prose)]


def relative_links(text: str) -> list[str]:
    """The links that point into this repository (not to a web address or a mail address)."""
    return [t for t in links(text) if not re.match(r"^[a-z][a-z0-9+.-]*:", t, flags=re.I)]


def dead_links(page: Path) -> list[str]:
    """Each relative link of `page` whose file is missing or whose #fragment is no heading."""
    dead = []
    for target in relative_links(page.read_text(encoding="utf-8")):
        path, _, fragment = target.partition("#")
        file = (page.parent / path).resolve() if path else page
        if not file.exists():
            dead.append(f"{target}: no such file")
        elif fragment and file.suffix == ".md":
            if fragment not in anchors(file.read_text(encoding="utf-8")):
                dead.append(f"{target}: no such heading")
        elif fragment:
            dead.append(f"{target}: a #fragment into a file that has no headings")
    return dead


def linked_pages(page: Path) -> set[Path]:
    """The Markdown files `page` links to (relative links, fragments dropped)."""
    pages = set()
    for target in relative_links(page.read_text(encoding="utf-8")):
        path = target.partition("#")[0]
        if path.endswith(".md"):
            pages.add((page.parent / path).resolve())
    return pages
