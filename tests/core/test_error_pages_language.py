"""The error pages a person meets (403, 404, 500) speak the language of the
screen they came from, in the site's layout; the API keeps its JSON."""

import pytest
from django.test import Client, override_settings
from django.urls import path

from dispatch.models import UserPreference


def _fails(request):
    raise RuntimeError("boom")


urlpatterns = [path("fails/", _fails)]


def test_a_page_the_role_may_not_open_says_so_in_chinese(client_as, users):
    UserPreference.objects.update_or_create(user=users["field_worker"], defaults={"language": "zh-hans"})
    response = client_as("field_worker").get("/board/")
    assert response.status_code == 403
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html and 'class="site-nav"' in html
    assert "Forbidden" not in html and "您的角色" in html


def test_the_admin_refuses_in_the_users_language(client_as, users):
    UserPreference.objects.update_or_create(user=users["front_desk"], defaults={"language": "sv"})
    users["front_desk"].is_staff = True
    users["front_desk"].save()
    response = client_as("front_desk").get("/admin/sla/closure/add/")
    assert response.status_code == 403 and "Din roll" in response.content.decode()


def test_an_unknown_page_is_a_page_in_swedish(client_as, users):
    UserPreference.objects.update_or_create(user=users["front_desk"], defaults={"language": "sv"})
    response = client_as("front_desk").get("/no-such-page/")
    assert response.status_code == 404 and "Det finns ingen sida på den här adressen" in response.content.decode()


def test_the_api_keeps_its_json_403(api):
    response = api("field_worker").get("/api/v1/board/")
    assert response.status_code == 403 and response.json()["detail"]


@override_settings(ROOT_URLCONF=__name__)
@pytest.mark.django_db
def test_a_server_error_is_a_page_in_the_requests_language():
    response = Client(raise_request_exception=False).get("/fails/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 500
    assert "出了点问题" in response.content.decode()
