"""Each role sees its own navigation; Vietnamese by default, English on request."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

NAV = {
    "tiepnhan.pleiku@demo.gov.vn": ({"role:reception"}, {"role:appraiser", "role:approver", "role:admin"}),
    "thamdinh.pleiku@demo.gov.vn": ({"role:appraiser"}, {"role:reception", "role:approver"}),
    "lanhdao.pleiku@demo.gov.vn": ({"role:approver"}, {"role:reception", "role:admin"}),
    "noivu@demo.gov.vn": ({"role:home_affairs"}, {"role:reception", "role:admin"}),
    "admin.pleiku@demo.gov.vn": ({"role:admin"}, {"role:home_affairs"}),
    "an.nguyen@example.com": ({"citizen"}, {"role:reception", "role:admin", "role:home_affairs"}),
}


@pytest.mark.parametrize("email", list(NAV))
def test_each_role_sees_its_navigation(client, demo, email):
    present, absent = NAV[email]
    client.force_login(demo.user(email))
    page = client.get(reverse("home")).content.decode()
    for key in present:
        assert f'data-nav="{key}"' in page
    for key in absent:
        assert f'data-nav="{key}"' not in page


@pytest.mark.parametrize("role", ["reception", "appraiser", "approver", "home_affairs", "admin"])
def test_role_workspace_opens_for_holder(client, demo, role):
    holders = {"reception": "tiepnhan.quynhon@demo.gov.vn", "appraiser": "thamdinh.quynhon@demo.gov.vn",
               "approver": "lanhdao.quynhon@demo.gov.vn", "home_affairs": "noivu.quynhon@demo.gov.vn",
               "admin": "admin@demo.gov.vn"}
    client.force_login(demo.user(holders[role]))
    response = client.get(reverse("workspace:workspace", args=[role]), follow=True)
    assert response.status_code == 200
    if role in ("reception", "appraiser", "approver"):  # their workspace is their queue of dossiers
        assert response.redirect_chain[-1][0] == f"/ho-so/can-xu-ly/?role={role}&queue=mine"
    assert client.get(reverse("workspace:workspace", args=["no-such-role"])).status_code == 403


def test_home_is_vietnamese_by_default(client, db):
    response = client.get("/")
    page = response.content.decode()
    assert '<html lang="vi">' in page
    assert "Dịch vụ công trực tuyến của tỉnh" in page


def test_language_switch_to_english_and_back(client, db):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    page = client.get("/").content.decode()
    assert '<html lang="en">' in page
    assert "The province&#x27;s online public services" in page or "The province's online public services" in page
    assert "Log in" in page
    client.post(reverse("set_language"), {"language": "vi", "next": "/"})
    assert "Đăng nhập" in client.get("/").content.decode()


def test_english_browser_still_gets_vietnamese_until_the_user_switches(client, db):
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="vi">' in page


def test_public_agency_directory_lists_hotlines(client, demo):
    page = client.get(reverse("workspace:agency_directory")).content.decode()
    assert "Ủy ban nhân dân xã Ia Grai" in page and "0269 3845 167" in page


def test_every_asset_is_served_locally(client, db):
    import re

    page = client.get("/").content.decode()
    for url in re.findall(r'(?:src|href)="([^"]+)"', page):
        assert not url.startswith(("http://", "https://", "//")), url


@pytest.mark.parametrize(
    ("email", "landing"),
    [("tiepnhan.pleiku@demo.gov.vn", "/ho-so/can-xu-ly/"), ("noivu@demo.gov.vn", "/workspace/home_affairs/"),
     ("admin.pleiku@demo.gov.vn", "/workspace/admin/"), ("an.nguyen@example.com", "/")],
)
def test_login_lands_on_the_role_workspace(client, demo, email, landing):
    response = client.post(reverse("accounts:login"), {"username": email, "password": demo.password})
    assert response.status_code == 302 and response["Location"] == landing


def test_login_honours_next(client, demo):
    response = client.post(reverse("accounts:login") + "?next=/agencies/",
                           {"username": "noivu@demo.gov.vn", "password": demo.password, "next": "/agencies/"})
    assert response["Location"] == "/agencies/"


def test_public_directory_lists_the_province_first(client, demo):
    page = client.get(reverse("workspace:agency_directory")).content.decode()
    assert page.index("Ủy ban nhân dân tỉnh Gia Lai") < page.index("Sở Nội vụ tỉnh Gia Lai") < page.index(
        "Ủy ban nhân dân xã Ia Grai")
