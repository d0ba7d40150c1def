"""The user's text -> the ``q`` Meilisearch gets.

One meaning on both engines: the text is a list of words (``[^\\W_]+``, the
embedded engine's notion of a word), at most :data:`MAX_WORDS`; everything
else is punctuation. So ``"`` (a phrase in Meilisearch) and a leading ``-``
(an exclusion in Meilisearch) are dropped like any other punctuation: the
words between them are ordinary query words.

Stemming: Meilisearch does not stem, so an inflected word (its Snowball stem
differs from the word) is sent as its stem, which matches the ``stems``
document field ("insatser" -> "ins"), and the word itself within the typo
budget. The last word is a prefix (as typed) unless the text ends with a
separator, or it was replaced by its stem: a stem as a prefix would match far
too much ("ins" -> "insikt"), so then the query ends with a space.
"""

from __future__ import annotations

import re

from search.stemming import inflected

MAX_WORDS = 10
_WORD_RE = re.compile(r"[^\W_]+")


def meili_query(text: str) -> str | None:
    """The ``q`` parameter for ``text`` (None = no words: browse)."""
    raw = _WORD_RE.findall(text.lower())
    words = raw[:MAX_WORDS]
    if not words:
        return None
    out = [inflected(w) or w for w in words]
    prefix = text[-1].isalnum() and len(raw) <= MAX_WORDS and inflected(words[-1]) is None
    return " ".join(out) + ("" if prefix else " ")


def query_stems(text: str) -> frozenset[str]:
    """Stems of the inflected query words (for marking the words they match by stem)."""
    return frozenset(s for w in _WORD_RE.findall(text.lower())[:MAX_WORDS] if (s := inflected(w)))
