"""Safe highlighting: HTML-escape document text, mark matches with <mark>."""

from __future__ import annotations

import html
from collections.abc import Iterable

MARK_OPEN, MARK_CLOSE = "<mark>", "</mark>"


def escape(text: str) -> str:
    return html.escape(text, quote=True)


def mark_spans(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """Escape ``text`` and wrap the given (start, end) char spans in <mark>."""
    out: list[str] = []
    pos = 0
    for start, end in sorted(spans):
        if start < pos or end <= start:
            continue  # overlapping / empty spans are ignored
        out.append(escape(text[pos:start]))
        out.append(MARK_OPEN + escape(text[start:end]) + MARK_CLOSE)
        pos = end
    out.append(escape(text[pos:]))
    return "".join(out)


def markers_to_html(text: str, pre: str, post: str) -> str:
    """Escape a text that an engine highlighted with the unusual markers
    ``pre``/``post`` and turn those markers (only) into <mark> tags.

    Unbalanced markers are dropped rather than producing broken markup."""
    out: list[str] = []
    open_ = False
    rest = text
    while rest:
        token = post if open_ else pre
        idx = rest.find(token)
        if idx < 0:
            out.append(escape(rest.replace(pre, "").replace(post, "")))
            break
        out.append(escape(rest[:idx].replace(pre, "").replace(post, "")))
        out.append(MARK_CLOSE if open_ else MARK_OPEN)
        open_ = not open_
        rest = rest[idx + len(token) :]
    if open_:
        out.append(MARK_CLOSE)
    return "".join(out)


def spans_from_markers(text: str, pre: str, post: str) -> tuple[str, list[tuple[int, int]]]:
    """``text`` without the markers, and the (start, end) spans they enclosed."""
    plain: list[str] = []
    spans: list[tuple[int, int]] = []
    pos, length, start = 0, 0, None
    while True:
        token = post if start is not None else pre
        idx = text.find(token, pos)
        if idx < 0:
            chunk = text[pos:].replace(pre, "").replace(post, "")
            plain.append(chunk)
            length += len(chunk)
            if start is not None and length > start:
                spans.append((start, length))
            return "".join(plain), spans
        chunk = text[pos:idx].replace(pre, "").replace(post, "")
        plain.append(chunk)
        length += len(chunk)
        if start is None:
            start = length
        else:
            spans.append((start, length))
            start = None
        pos = idx + len(token)


def merge_spans(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted spans with overlapping or touching ones merged."""
    out: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out
