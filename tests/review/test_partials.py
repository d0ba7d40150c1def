"""The pieces other pages reuse: the criteria (for /om) and an example's quality profile."""

from __future__ import annotations

from app.services.criteria import list_criteria
from app.web.rendering import install_template_globals
from app.web.templating import templates_for


def _render(lang: str, name: str, **context) -> str:
    install_template_globals()
    return templates_for(lang).env.get_template(name).render(lang=lang, **context)


def test_criteria_partial_in_both_languages(session):
    sv = _render("sv", "partials/criteria.html", criteria=list_criteria(session, lang="sv"))
    en = _render("en", "partials/criteria.html", criteria=list_criteria(session, lang="en"))
    assert "Kontrolleras automatiskt när ett exempel skickas in" in sv and "Bedöms av länsredaktören" in sv
    assert "Checked automatically when an example is submitted" in en
    for key in ("articles_tagged", "no_personal_data", "best_interests", "transferability"):
        assert f'id="criterion-{key}"' in sv
    assert "Barns delaktighet" in sv and "(artikel 12)" in sv
    assert "Children's participation" in en.replace("&#39;", "'") and "(article 12)" in en


def test_quality_profile_partial(session):
    quality = {"criteria": {"articles_tagged": {"kind": "automatic", "result": "met", "comment": ""},
                            "transferability": {"kind": "judged", "result": "not_applicable",
                                                "comment": "Bygger på ett unikt avtal."}},
               "reviewed_at": "2026-01-01T00:00:00+00:00"}
    html = _render("sv", "partials/quality.html", quality=quality, criteria=list_criteria(session, lang="sv"))
    assert "Kvalitetsprofil" in html and "tillämpligt" in html and "Bygger på ett unikt avtal." in html
    assert _render("sv", "partials/quality.html", quality=None, criteria=[]).strip() == ""
