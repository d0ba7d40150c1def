"""Contact through the site (mail outbox, rate limit, the address never shown) and
attachments (type by content, size limit, local storage and a real S3-compatible server)."""

from __future__ import annotations

import io
import uuid
import zipfile
from datetime import timedelta

import docx
import pytest
from sqlmodel import select

from app.core.time import utcnow
from app.models import Attachment, ContactMessage, MailMessage
from app.services import attachments, contact
from app.services.storage import LocalStorage, S3Storage, StorageError
from tests.review.web import csrf_from, form_post, sign_in

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def make_docx() -> bytes:
    document = docx.Document()
    document.add_paragraph("Enkät till elevråden")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def make_zip(members: dict[str, bytes], *, first: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        names = ([first] if first else []) + [n for n in members if n != first]
        for name in names:
            archive.writestr(name, members[name], compress_type=zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


XLSX = make_zip({"[Content_Types].xml": b"<Types/>", "_rels/.rels": b"<Relationships/>",
                 "xl/workbook.xml": b"<workbook/>", "xl/worksheets/sheet1.xml": b"<worksheet/>"})
ODT = make_zip({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<office:document-content/>",
                "META-INF/manifest.xml": b"<manifest/>"}, first="mimetype")


def test_detect_kind_reads_the_content_not_the_name():
    assert attachments.detect_kind(PDF) == "pdf"
    assert attachments.detect_kind(make_docx()) == "docx"
    assert attachments.detect_kind(XLSX) == "xlsx"
    assert attachments.detect_kind(ODT) == "odt"
    assert attachments.detect_kind(PDF[:30]) is None                       # truncated PDF
    assert attachments.detect_kind(b"MZ\x90\x00" + b"\x00" * 200) is None  # a program
    assert attachments.detect_kind(make_zip({"a.txt": b"hej"})) is None   # a plain zip
    assert attachments.detect_kind(make_zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet",
                                             "content.xml": b"x"}, first="mimetype")) is None
    assert attachments.detect_kind(b"<html><script>alert(1)</script>") is None
    assert attachments.clean_filename("../../etc/passwd.pdf", attachments.KINDS["pdf"]) == "passwd.pdf"
    assert attachments.clean_filename("rapport.exe", attachments.KINDS["docx"]) == "rapport.docx"


def test_contributor_attaches_files_listed_on_the_page_and_downloadable(client, session, site, people, app_settings):
    example_id = site.id("bka")  # Umeå kommun: Anna's organisation
    sign_in(client, session, people.anna.user, app_settings)
    page = client.get(f"/exempel/{example_id}").text
    assert 'enctype="multipart/form-data"' in page
    token = csrf_from(page)
    sent = client.post(f"/exempel/{example_id}/bilagor", data={"csrf_token": token},
                       files={"file": ("Enkät elevråd.docx", make_docx(), "application/octet-stream")},
                       follow_redirects=False)
    assert sent.status_code == 303, sent.text
    for name, data in (("budget.pdf", PDF), ("kostnader.xlsx", XLSX), ("mall.odt", ODT)):
        assert client.post(f"/exempel/{example_id}/bilagor", data={"csrf_token": token},
                           files={"file": (name, data, "application/pdf")}, follow_redirects=False).status_code == 303
    fake = client.post(f"/exempel/{example_id}/bilagor", data={"csrf_token": token},
                       files={"file": ("inte-en.pdf", b"MZ" + b"\x00" * 100, "application/pdf")}, follow_redirects=False)
    assert fake.status_code == 422 and "filens innehåll" in fake.text
    big = client.post(f"/exempel/{example_id}/bilagor", data={"csrf_token": token},
                      files={"file": ("stor.pdf", PDF + b"0" * (70 * 1024), "application/pdf")}, follow_redirects=False)
    assert big.status_code == 413
    rows = session.exec(select(Attachment).where(Attachment.example_id == example_id).order_by(Attachment.id)).all()
    assert [(r.filename, r.kind) for r in rows] == [
        ("Enkät elevråd.docx", "docx"), ("budget.pdf", "pdf"), ("kostnader.xlsx", "xlsx"), ("mall.odt", "odt")]
    # Stored under the data directory by default.
    assert (app_settings.DATA_DIR / "attachments" / rows[0].storage_key).read_bytes()[:2] == b"PK"

    client.cookies.clear()
    public = client.get(f"/exempel/{example_id}").text
    assert "Enkät elevråd.docx" in public and "Word (DOCX)" in public and "PDF" in public
    assert 'enctype="multipart/form-data"' not in public  # visitors cannot upload
    download = client.get(f"/exempel/{example_id}/bilagor/{rows[1].id}/budget.pdf")
    assert download.status_code == 200 and download.content == PDF
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["x-content-type-options"] == "nosniff" and "attachment" in download.headers["content-disposition"]
    assert client.get(f"/exempel/{site.id('rad')}/bilagor/{rows[1].id}/budget.pdf").status_code == 404


def test_only_those_who_may_revise_may_attach(client, session, site, people, app_settings):
    sign_in(client, session, people.bo.user, app_settings)  # Region Skåne: not Umeå's example
    page = client.get(f"/exempel/{site.id('bka')}").text
    response = client.post(f"/exempel/{site.id('bka')}/bilagor", data={"csrf_token": csrf_from(page)},
                           files={"file": ("a.pdf", PDF, "application/pdf")}, follow_redirects=False)
    assert response.status_code == 403
    assert session.exec(select(Attachment)).all() == []
    anonymous = client.__class__(client.app)
    assert anonymous.post(f"/exempel/{site.id('bka')}/bilagor", files={"file": ("a.pdf", PDF)},
                          follow_redirects=False).status_code == 403  # no CSRF token, no account


def test_contact_form_mails_the_contact_without_showing_the_address(client, session, site):
    example_id = site.id("bka")
    page = client.get(f"/exempel/{example_id}").text
    assert "barnratt@umea.se" not in page and "mailto:" not in page
    response = form_post(client, f"/exempel/{example_id}/kontakt",
                         {"name": "Sara Strateg", "email": "sara@lund.se",
                          "message": "Hur fick ni ekonomerna att äga mallen?"}, page=f"/exempel/{example_id}")
    assert response.status_code == 200 and "barnratt@umea.se" not in response.text
    mail = session.exec(select(MailMessage).where(MailMessage.to_address == "barnratt@umea.se")).one()
    assert "sara@lund.se" in mail.body and "Hur fick ni ekonomerna" in mail.body
    assert f"/exempel/{example_id}" in mail.body
    row = session.exec(select(ContactMessage)).one()
    assert "sara" not in row.sender_key and len(row.ip_key) == 64  # only keyed hashes are kept

    bad = form_post(client, f"/exempel/{example_id}/kontakt", {"name": "", "email": "inte-en-adress", "message": "hej"},
                    page=f"/exempel/{example_id}")
    assert bad.status_code == 422
    for field in ("c-name-error", "c-email-error", "c-message-error"):
        assert f'id="{field}"' in bad.text


def test_contact_rate_limit_per_sender_and_ip(client, session, site, app_settings):
    example = site.examples["bka"]
    now = utcnow()
    for n in range(3):  # CONTACT_RATE_LIMIT_PER_HOUR=3 in these tests
        contact.send_contact_message(session, settings=app_settings, example=example, name="Sara",
                                     email=f"sara{n}@lund.se", message="En fråga om mallen.", ip="10.0.0.1",
                                     now=now - timedelta(minutes=30 - n))
    with pytest.raises(contact.ContactRateLimited) as limited:  # same IP, new address
        contact.send_contact_message(session, settings=app_settings, example=example, name="Sara",
                                     email="ny@lund.se", message="En fråga om mallen.", ip="10.0.0.1", now=now)
    assert limited.value.status == 429 and 0 < limited.value.retry_after <= 30 * 60
    for n in range(3):
        contact.send_contact_message(session, settings=app_settings, example=example, name="Per",
                                     email="per@lund.se", message="En fråga om mallen.", ip=f"10.0.1.{n}", now=now)
    with pytest.raises(contact.ContactRateLimited):  # same address, new IP
        contact.send_contact_message(session, settings=app_settings, example=example, name="Per",
                                     email="PER@lund.se", message="En fråga om mallen.", ip="10.0.2.1", now=now)
    # An hour later the first sender may write again.
    contact.send_contact_message(session, settings=app_settings, example=example, name="Sara",
                                 email="ny@lund.se", message="En fråga om mallen.", ip="10.0.0.1",
                                 now=now + timedelta(minutes=31))


def test_contact_form_over_the_limit_answers_429_with_a_message(client, session, site):
    example_id = site.id("rad")
    page = f"/exempel/{example_id}"
    data = {"name": "Sara", "email": "sara@lund.se", "message": "Hur ofta träffas rådet?"}
    for _ in range(3):
        assert form_post(client, f"/exempel/{example_id}/kontakt", data, page=page).status_code == 200
    response = form_post(client, f"/exempel/{example_id}/kontakt", data, page=page)
    assert response.status_code == 429 and int(response.headers["retry-after"]) > 0
    assert 'role="alert"' in response.text and "minuter" in response.text


def test_local_storage_refuses_keys_outside_its_folder(tmp_path):
    store = LocalStorage(tmp_path)
    store.put("12/abc", b"data", content_type="application/pdf")
    assert store.get("12/abc") == b"data"
    for key in ("../x", "/etc/passwd", "a//b", "a/../../b"):
        with pytest.raises(StorageError):
            store.put(key, b"x", content_type="application/pdf")
    store.delete("12/abc")
    with pytest.raises(StorageError):
        store.get("12/abc")


@pytest.fixture(scope="module")
def s3_server():
    """A real S3-compatible HTTP server on the loopback interface (moto's server mode)."""
    server_module = pytest.importorskip("moto.server")
    server = server_module.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def test_s3_storage_against_a_real_s3_compatible_server(s3_server):
    import boto3

    boto3.client("s3", endpoint_url=s3_server, region_name="eu-north-1", aws_access_key_id="test",
                 aws_secret_access_key="test").create_bucket(
        Bucket="barnratt", CreateBucketConfiguration={"LocationConstraint": "eu-north-1"})
    store = S3Storage(bucket="barnratt", prefix="attachments/", endpoint_url=s3_server, region="eu-north-1",
                      access_key_id="test", secret_access_key="test")
    store.put("7/f00", PDF, content_type="application/pdf")
    assert store.get("7/f00") == PDF
    head = store.client.head_object(Bucket="barnratt", Key="attachments/7/f00")
    assert head["ContentType"] == "application/pdf"
    store.delete("7/f00")
    with pytest.raises(StorageError):
        store.get("7/f00")
    missing = S3Storage(bucket="no-such-bucket", endpoint_url=s3_server, region="eu-north-1",
                        access_key_id="test", secret_access_key="test")
    with pytest.raises(StorageError):
        missing.put("1/x", b"x", content_type="application/pdf")


def test_the_app_uses_s3_when_a_bucket_is_configured(s3_server, client, session, site, people, db_url, tmp_path):
    import boto3
    from fastapi.testclient import TestClient

    from app.core.config import Settings
    from app.main import create_app
    from app.web.deps import get_session

    bucket = f"appfiles-{uuid.uuid4().hex[:8]}"
    boto3.client("s3", endpoint_url=s3_server, region_name="eu-north-1", aws_access_key_id="test",
                 aws_secret_access_key="test").create_bucket(
        Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-north-1"})
    settings = Settings(DATABASE_URL=db_url, DATA_DIR=tmp_path / "s3data", ENV="development", RUN_INDEXER=False,
                        BASE_URL="http://barnratt.example.se", S3_BUCKET=bucket, S3_ENDPOINT_URL=s3_server,
                        S3_ACCESS_KEY_ID="test", S3_SECRET_ACCESS_KEY="test")
    app = create_app(settings)
    assert app.state.storage.kind == "s3"

    def _session():
        yield session
        session.flush()

    app.dependency_overrides[get_session] = _session
    with TestClient(app) as s3_client:
        sign_in(s3_client, session, people.anna.user, settings)
        page = s3_client.get(f"/exempel/{site.id('bka')}").text
        sent = s3_client.post(f"/exempel/{site.id('bka')}/bilagor", data={"csrf_token": csrf_from(page)},
                              files={"file": ("plan.pdf", PDF, "application/pdf")}, follow_redirects=False)
        assert sent.status_code == 303, sent.text
        row = session.exec(select(Attachment)).one()
        assert not (settings.DATA_DIR / "attachments").exists()
        assert s3_client.get(f"/exempel/{site.id('bka')}/bilagor/{row.id}/plan.pdf").content == PDF
