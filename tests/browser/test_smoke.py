from __future__ import annotations


def test_server_serves_health_and_static_assets(live_server, page):
    response = page.goto(live_server.url + "/healthz")
    assert response.status == 200
    htmx = page.goto(live_server.url + "/static/vendor/htmx/htmx.min.js")
    assert htmx.status == 200 and "htmx" in htmx.text()[:2000]
