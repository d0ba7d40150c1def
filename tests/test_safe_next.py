"""The login redirect goes only to a path on this site (no open redirect)."""

from __future__ import annotations

import pytest

from app.web.rendering import safe_next

EVIL = (
    "///evil.example",
    "////evil.example/x",
    "//evil.example",
    "https://evil.example/",
    "http:evil.example",
    "javascript:alert(1)",
    "/\\evil.example",
    "\\\\evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    " //evil.example",
    "/%2F/evil.example",
    "/%2f%2fevil.example",
    "/%5Cevil.example",
    "/%5c%5cevil.example",
    "/%09/evil.example",
    "/%0d%0a/evil.example",
    "evil.example",
    "",
)


@pytest.mark.parametrize("target", EVIL)
def test_safe_next_refuses_other_sites(target):
    assert safe_next(target) == "/mina-exempel"


@pytest.mark.parametrize("target", ["/bidrag/3", "/granska?status=submitted", "/?q=barn%20r%C3%A4tt&page=2",
                                    "/exempel/1#kontakt"])
def test_safe_next_keeps_local_paths(target):
    assert safe_next(target) == target


def test_login_form_never_redirects_off_site(client, session):
    from tests.review.conftest import make_user
    from tests.review.web import PASSWORD, form_post

    make_user(session, email="anna@umea.se", role="contributor", password=PASSWORD)
    for target in ("///evil.example", "/%2F/evil.example", "/\t/evil.example"):
        response = form_post(client, "/logga-in", {"email": "anna@umea.se", "password": PASSWORD, "next": target})
        assert response.status_code == 303
        assert response.headers["location"] == "/mina-exempel", target
        client.cookies.clear()
        login_page = client.get("/logga-in", params={"next": target}).text
        assert 'value="/mina-exempel"' in login_page
