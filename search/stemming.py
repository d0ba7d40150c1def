"""Swedish stemming shared by document building and the Meilisearch query side.

It is the embedded engine's own ``sv`` analysis (``search/embedded/analysis.py``:
tantivy's simple tokenizer, lowercase, Snowball Swedish, ASCII folding), so both
engines stem every word the same way.

Meilisearch does not stem, so ``build_document`` writes the stems of a
document's words into its ``stems`` field, and the Meilisearch engine sends
stems for inflected query words (``search.meili.querytext``): "insatser",
"insatsen" and "insats" all become "ins", "skolor"/"skola" "skol",
"barnen"/"barn" "barn".
"""

from __future__ import annotations

from search.embedded.analysis import fold, fold_map, stem, stem_map

__all__ = ["fold", "fold_map", "inflected", "stem", "stem_map"]


def inflected(word: str) -> str | None:
    """The stem of ``word`` if it differs from the word itself (folded), else None."""
    s = stem(word)
    return s if s and s != fold(word) else None
