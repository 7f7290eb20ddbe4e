"""Files sent as links: fetched only from the registered file hosts, within the size limit, of an accepted type;
a link that fails refuses the whole intake."""

import http.server
import threading

import pytest

from dossiers.models import Attachment, Dossier
from dossiers.tests.conftest import PDF
from nationalportal import mapping
from nationalportal.tests.test_intake import post, request_body

pytestmark = pytest.mark.django_db
BIG = b"%PDF-1.4\n" + b"x" * (1024 * 1024 + 100)


class Files(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # the http.server API names it so
        if self.path == "/chuyen.pdf":  # a redirect, e.g. towards an internal address
            self.send_response(302)
            self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
            self.end_headers()
            return
        body = {"/to-khai.pdf": PDF, "/lon.pdf": BIG, "/trang.html": b"<html>hi</html>"}.get(self.path)
        if body is None:
            self.send_response(404)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def file_server(settings):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Files)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.NATIONAL_PORTAL_FILE_HOSTS = ["127.0.0.1"]
    settings.NATIONAL_PORTAL_FILE_ALLOW_HTTP = True
    settings.DOSSIER_MAX_UPLOAD_MB = 1
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def _linked(version, base, path, code):
    data = request_body(version, code=code)
    first = data["files"][0]
    data["files"][0] = {"document_type": first["document_type"], "name": "to-khai.pdf", "url": base + path}
    return data


def test_files_by_link(client, world, file_server):
    mapping.map_version(world.birth)
    taken = post(client, _linked(world.birth, file_server, "/to-khai.pdf", "G22.99-L-1"))
    assert taken.status_code == 201
    stored = Attachment.objects.get(dossier_id=taken.json()["dossier_id"], original_name="to-khai.pdf")
    assert stored.file.read() == PDF
    for path, code, status in (("/lon.pdf", "file_too_large", 413), ("/trang.html", "file_type", 400),
                               ("/khong-co.pdf", "file_unavailable", 422),
                               ("/chuyen.pdf", "file_unavailable", 422)):
        answer = post(client, _linked(world.birth, file_server, path, f"G22.99-L-{code}"))
        assert (answer.status_code, answer.json()["code"], answer.json()["field"]) == (status, code, "files.0"), path
    assert Dossier.objects.count() == 1


@pytest.mark.parametrize("url", ["http://files.gov.vn:abc/a.pdf", "http://127.0.0.1:8000\\@files.gov.vn/a.pdf",
                                 "https://user:pw@files.gov.vn/a.pdf", "http://files.gov.vn/a.pdf",
                                 "https://files.gov.vn /a.pdf", "ftp://files.gov.vn/a.pdf"])
def test_links_urllib_could_misread_or_that_travel_in_clear_are_refused(client, world, settings, url):
    settings.NATIONAL_PORTAL_FILE_HOSTS, settings.NATIONAL_PORTAL_FILE_ALLOW_HTTP = ["files.gov.vn"], False
    mapping.map_version(world.birth)
    data = request_body(world.birth)
    data["files"][0] = {"document_type": data["files"][0]["document_type"], "name": "a.pdf", "url": url}
    answer = post(client, data)
    assert (answer.status_code, answer.json()["code"]) == (422, "file_url_not_allowed"), url
    assert not Dossier.objects.exists()
