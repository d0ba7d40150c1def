"""Languages: Swedish first, English second (gettext catalogues in app/locale, via Babel).

Message ids are English; ``sv`` is the default language. Catalogues are compiled from the
.po files in memory at start-up, so no build step and no binary files in the repository.
"""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
LANGUAGES = ("sv", "en")
DEFAULT_LANGUAGE = "sv"
COOKIE = "lang"


def catalogue_files(lang: str) -> list[Path]:
    """A language's .po files: ``messages.po`` first, then one file per feature
    (``reuse.po``, ``plans.po``, …) so that features add messages without touching the
    same file. A message id defined in two files is an error (tests/test_i18n.py)."""
    folder = LOCALE_DIR / lang / "LC_MESSAGES"
    files = sorted(folder.glob("*.po"), key=lambda f: (f.name != "messages.po", f.name))
    return files


def _compiled(po: Path, lang: str) -> Translations:
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(buffer)


@lru_cache
def translations(lang: str) -> NullTranslations:
    files = catalogue_files(lang)
    if not files:
        return NullTranslations()
    merged = _compiled(files[0], lang)
    for po in files[1:]:
        merged.merge(_compiled(po, lang))
    return merged


def gettext(lang: str, message: str) -> str:
    return translations(lang).gettext(message)


def negotiate(query: str | None, cookie: str | None, accept_language: str | None) -> str:
    """Query parameter, then the cookie the switch sets, then Accept-Language, then Swedish."""
    for value in (query, cookie):
        if value in LANGUAGES:
            return value
    if accept_language:
        wanted = []
        for part in accept_language.split(","):
            tag, _, q = part.strip().partition(";q=")
            try:
                weight = float(q) if q else 1.0
            except ValueError:
                weight = 0.0
            if tag:
                wanted.append((weight, tag.strip().replace("-", "_")))
        preferred = [tag for _w, tag in sorted(wanted, key=lambda x: -x[0])]
        match = Locale.negotiate(preferred, list(LANGUAGES), sep="_")
        if match is not None:
            return str(match.language)
    return DEFAULT_LANGUAGE
