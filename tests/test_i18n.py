"""Swedish is complete: every message in the templates and code has a Swedish translation."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

from app.core.i18n import catalogue_files, negotiate, translations

ROOT = Path(__file__).resolve().parent.parent


def test_every_message_is_translated(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "-o", str(pot),
         "--no-location", "--omit-header", "-k", "_l", "."],
        cwd=ROOT, check=True, capture_output=True,
    )
    with pot.open("rb") as handle:
        wanted = {m.id for m in read_po(handle) if m.id}
    assert wanted, "no messages extracted"
    for lang in ("sv", "en"):
        translated: set = set()
        seen: dict = {}
        for po in catalogue_files(lang):
            with po.open("rb") as handle:
                catalog = read_po(handle, locale=lang)
            for m in catalog:
                if not m.id:
                    continue
                assert m.id not in seen, f"{lang}: {m.id!r} is in both {seen[m.id]} and {po.name}"
                seen[m.id] = po.name
                if m.string and not m.fuzzy:
                    translated.add(m.id)
        missing = sorted(str(m) for m in wanted - translated)
        assert not missing, f"{lang}: untranslated messages: {missing[:20]}"


def test_language_negotiation():
    assert negotiate(None, None, None) == "sv"
    assert negotiate("en", "sv", "sv") == "en"
    assert negotiate(None, "en", "sv-SE") == "en"
    assert negotiate(None, None, "en-GB,en;q=0.9,sv;q=0.5") == "en"
    assert negotiate(None, None, "de-DE, fr;q=0.8") == "sv"
    assert negotiate("xx", None, "sv-SE,sv;q=0.9") == "sv"


def test_feature_catalogues_are_merged(tmp_path, monkeypatch):
    """A message defined only in a feature's own .po file is translated like the others."""
    import app.core.i18n as i18n

    folder = tmp_path / "sv" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "messages.po").write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\nmsgid "Title"\nmsgstr "Titel"\n', encoding="utf-8")
    (folder / "feature.po").write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\nmsgid "My plan"\nmsgstr "Min plan"\n', encoding="utf-8")
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    translations.cache_clear()
    try:
        assert translations("sv").gettext("Title") == "Titel"
        assert translations("sv").gettext("My plan") == "Min plan"
    finally:
        translations.cache_clear()
