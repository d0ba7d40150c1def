"""The first hour: `barnratt serve --port N` (what `PORT=N make run` runs) without
BARNRATT_BASE_URL writes the served port into every link, so the oEmbed lookup for the
address in the browser bar answers 200."""

from __future__ import annotations

import re
import sqlite3
from urllib.parse import quote
from xml.etree import ElementTree as ET

import httpx
import pytest

from tests.live import LiveServer, free_port


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    port = free_port()
    assert port != 8000
    instance = LiveServer(tmp_path_factory.mktemp("port-live"), port=port, base_url=False, via_cli=True).start()
    instance.cli("organisations", "create", "Umeå kommun", "--type", "kommun", "--county", "24",
               "--municipality", "2480")
    instance.cli("users", "create", "lena@umea.se", "--role", "contributor", "--organisation", "Umeå kommun",
                 "--password-stdin", stdin="ett långt lösenord för test\n")
    yield instance
    instance.stop()


def _links(text: str) -> list[str]:
    return re.findall(r"https?://[^\s\"'<>]+", text)


def test_every_link_uses_the_served_port(server):
    base = server.url
    client = httpx.Client(timeout=30)
    first = client.get(base + "/api/v1/examples", params={"per_page": 1}).json()["items"][0]
    address = first["url"]  # what the browser bar shows after following a result
    assert address == f"{base}/exempel/{first['id']}"

    page = client.get(address)
    assert page.status_code == 200
    ours = [link for link in _links(page.text) if "127.0.0.1" in link or "localhost" in link]
    assert ours and all(link.startswith(base) for link in ours), ours
    assert ":8000" not in page.text

    oembed = client.get(base + "/oembed", params={"url": address})
    assert oembed.status_code == 200, oembed.text
    body = oembed.json()
    assert body["provider_url"] == base + "/"
    iframe = re.search(r'src="([^"]+)"', body["html"]).group(1)
    assert iframe == f"{base}/exempel/{first['id']}/embed"
    assert client.get(iframe).status_code == 200

    detail = client.get(base + f"/api/v1/examples/{first['id']}").json()
    assert detail["url"] == address and detail["api_url"].startswith(base + "/api/v1/")

    feed = ET.fromstring(client.get(base + "/feed.atom").content)
    hrefs = [el.get("href") for el in feed.iter() if el.get("href")]
    assert hrefs and all(h.startswith(base) for h in hrefs)

    # The same address typed as localhost is answered with localhost links.
    local = f"http://localhost:{server.port}/exempel/{first['id']}"
    assert client.get(f"http://localhost:{server.port}/oembed?url={quote(local, safe='')}").status_code == 200


def test_mail_links_use_the_served_port(server):
    client = httpx.Client(timeout=30, base_url=server.url)
    form = client.get("/glomt-losenord")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
    sent = client.post("/glomt-losenord", data={"email": "lena@umea.se", "csrf_token": token})
    assert sent.status_code == 200
    with sqlite3.connect(server.data_dir / "barnratt.db") as db:
        body = db.execute("SELECT body FROM mail_outbox WHERE to_address = 'lena@umea.se'").fetchone()[0]
    links = _links(body)
    assert links and all(link.startswith(server.url + "/aterstall-losenord/") for link in links)
