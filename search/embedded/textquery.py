"""Free text -> structured query words (never through tantivy's query parser).

The user's text is tokenized with the same notion of a word as the index
(``analysis.WORD_RE``); each word gets its stemmed/folded forms, its typo
budget (Meilisearch defaults) and whether it is the prefix word (the last word,
unless the text ends with a separator: "vräk" is being typed, "vräk " is done).
Runs of words equal to a synonym expression (``search.synonyms``) form one
group that also matches the other expressions of that synonym group.
At most :data:`MAX_WORDS` words are used (as Meilisearch does).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from search.embedded.analysis import WORD_RE, fold, stem, typo_budget
from search.synonyms import SYNONYM_GROUPS, one_way_expansions

MAX_WORDS = 10


@dataclass(frozen=True, slots=True)
class Word:
    text: str  # lower-cased as typed
    folded: str  # lower-cased, diacritics folded, not stemmed (for prefix matching)
    stemmed: str  # as indexed
    typos: int  # allowed typos
    prefix: bool  # also matches as a prefix (last word)


@dataclass(frozen=True, slots=True)
class Group:
    """Words that must all match — or, for a synonym run, any other expression."""

    words: tuple[Word, ...]
    synonyms: tuple[tuple[str, ...], ...] = ()  # other expressions, as stem sequences


@dataclass(frozen=True, slots=True)
class ParsedText:
    groups: tuple[Group, ...]

    @property
    def words(self) -> tuple[Word, ...]:
        return tuple(w for g in self.groups for w in g.words)

    def __bool__(self) -> bool:
        return bool(self.groups)


def _stems(expression: str) -> tuple[str, ...]:
    return tuple(s for s in (stem(t) for t in WORD_RE.findall(expression.lower())) if s)


@lru_cache(maxsize=1)
def _synonym_index() -> tuple[dict[tuple[str, ...], tuple[tuple[str, ...], ...]], int]:
    index: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
    for group in SYNONYM_GROUPS:
        forms = list(dict.fromkeys(_stems(e) for e in group))
        for form in forms:
            bucket = index.setdefault(form, [])
            bucket.extend(f for f in forms if f != form and f not in bucket)
    for expression, values in one_way_expansions().items():
        form = _stems(expression)
        bucket = index.setdefault(form, [])
        bucket.extend(f for f in (_stems(v) for v in values) if f != form and f not in bucket)
    longest = max((len(k) for k in index), default=1)
    return {k: tuple(v) for k, v in index.items()}, longest


def parse_text(text: str) -> ParsedText:
    raw = WORD_RE.findall(text.lower())
    ends_in_word = bool(text) and (text[-1].isalnum())
    words: list[Word] = []
    for i, token in enumerate(raw[:MAX_WORDS]):
        stemmed = stem(token)
        if not stemmed:
            continue
        folded = fold(token)
        words.append(Word(token, folded, stemmed, typo_budget(len(folded)), prefix=False))
    if words and ends_in_word and len(raw) <= MAX_WORDS:
        last = words[-1]
        words[-1] = Word(last.text, last.folded, last.stemmed, last.typos, prefix=True)

    index, longest = _synonym_index()
    groups: list[Group] = []
    i = 0
    while i < len(words):
        for span in range(min(longest, len(words) - i), 0, -1):
            key = tuple(w.stemmed for w in words[i : i + span])
            if key in index:
                groups.append(Group(tuple(words[i : i + span]), index[key]))
                i += span
                break
        else:
            groups.append(Group((words[i],)))
            i += 1
    return ParsedText(tuple(groups))
