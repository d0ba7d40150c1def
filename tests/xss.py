"""Script-injection payloads stored in examples, for the escaping tests (in-process and in
the browser). Each payload, if it ever ran, would set ``window.__xss``."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from typing import Any

from tests.factories import example_payload

PAYLOADS: tuple[str, ...] = (
    "<script>window.__xss=1</script>",
    "<img src=x onerror=\"window.__xss=2\">",
    "\"><svg onload=window.__xss=3>",
    "'><iframe src=javascript:window.__xss=4>",
    "</script><script>window.__xss=5</script>",
    "<a href=\"javascript:window.__xss=6\" hx-get=\"/\" hx-trigger=\"load\">x</a>",
    "{{ 7*7 }}{% raw %}",
    "<details open ontoggle=window.__xss=7>",
)
# A word every payload example carries, to find them all by searching.
MARKER = "xsskontroll"

class _LiveMarkup(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._script: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=...>")
            if name in ("href", "src", "action", "formaction", "data", "hx-get") and value and \
                    value.strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}={value[:40]}>")
        if tag in ("img", "iframe", "object", "embed") or (tag == "svg" and "bar-chart" not in (values.get("class") or "")):
            self.found.append(f"<{tag}>")
        if tag == "script":
            self._script = values.get("type") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._script = None

    def handle_data(self, data: str) -> None:
        if self._script is not None and "__xss" in data and self._script != "application/ld+json":
            self.found.append("<script>" + data[:60])


def live_markup(text: str) -> list[str]:
    """Markup in served HTML that a payload could have produced, found by a real HTML
    parser: event-handler attributes, javascript: URLs, elements our templates never use
    (img, iframe, object, embed, svg other than the charts) and scripts mentioning the
    flag (other than JSON-LD data). Escaped payloads are text and never match."""
    parser = _LiveMarkup()
    parser.feed(text)
    parser.close()
    return parser.found


def payload_examples() -> list[dict[str, Any]]:
    """Examples with payloads in every field a page shows (title, summary, Markdown texts,
    organisation, contact, link title and URL)."""
    examples = []
    for n, payload in enumerate(PAYLOADS, start=1):
        examples.append(
            example_payload(
                title=f"{MARKER} {n} {payload}"[:200],
                summary=f"Sammanfattning {MARKER} {payload}",
                background=f"Bakgrund {payload}\n\n[klicka här](javascript:window.__xss=8) och <b onmouseover=x>fet</b>",
                method=("Metod " + payload + " ") * 5 + "\n\n" + "- punkt " + payload,
                lessons_learned=("Lärdom " + payload + " ") * 6,
                organisation_name=f"Org {payload}"[:200],
                contact_name=f"Kontakt {payload}"[:200],
                links=[{"title": f"Länk {payload}", "url": f"https://example.org/?q=\"><script>window.__xss=9</script>{n}"}],
                slug=f"xsskontroll-{n}",
            )
        )
    return examples


def payload_jsonl() -> str:
    return "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in payload_examples())
