"""Human-readable history of an article: each revision and what changed since the last."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import Any


def render_history(revisions: Sequence[dict[str, Any]]) -> str:
    """Text for ``scraper history``: a header per revision and unified diffs of
    title, body and bullets against the previous revision (oldest first)."""
    out: list[str] = []
    previous: dict[str, Any] | None = None
    for rev in revisions:
        out.append(
            f"revision {rev.get('revision')}  fetched {rev.get('fetched_at')}  "
            f"hash {str(rev.get('content_hash') or '')[:12]}  parser {rev.get('parser_version')}"
        )
        if previous is None:
            out.append(f"  title: {rev.get('title')}")
            words = len((rev.get("body") or "").split())
            out.append(f"  {len(_bullets(rev))} bullets, {words} words")
        else:
            changes = [
                *_diff("title", _lines(previous.get("title")), _lines(rev.get("title"))),
                *_diff("body", _paragraphs(previous), _paragraphs(rev)),
                *_diff("bullets", _bullets(previous), _bullets(rev)),
            ]
            out.extend(changes or ["  (no change in title, body or bullets; dates changed)"])
        out.append("")
        previous = rev
    return "\n".join(out).rstrip() + "\n"


def _diff(name: str, old: list[str], new: list[str]) -> list[str]:
    if old == new:
        return []
    diff = difflib.unified_diff(old, new, f"{name} (before)", f"{name} (after)", lineterm="")
    return [line.rstrip("\n") for line in diff]


def _lines(value: Any) -> list[str]:
    return [str(value)] if value else []


def _paragraphs(rev: dict[str, Any]) -> list[str]:
    return [p for p in (rev.get("body") or "").split("\n\n") if p.strip()]


def _bullets(rev: dict[str, Any]) -> list[str]:
    items = rev.get("bullets") or []
    return [
        (f"[{b.get('section')}] " if b.get("section") else "") + str(b.get("text"))
        for b in items
        if isinstance(b, dict)
    ]
