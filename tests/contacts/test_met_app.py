"""The installable app: the web app manifest and the service worker, served from the site
root to anyone (browsers fetch the manifest without the session), the worker allowed to
control "People I met" alone and never cached, its cache named after its own source."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse
from PIL import Image

from contacts.views import met as met_views

pytestmark = pytest.mark.django_db

PAGE = reverse("contacts:met")


def _token(name: str, css: str) -> str:
    """A colour token of the light scheme (the first :root block of rapport.css)."""
    return re.search(rf"--{name}:\s*(#[0-9a-fA-F]{{6}})", css).group(1)


def test_the_manifest(client, settings):
    settings.SCHOOL_NAME = "Northwind University"
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    assert "no-cache" in response["Cache-Control"]
    manifest = response.json()
    assert manifest["name"] == "Rapport · Northwind University"
    assert manifest["short_name"] == "Rapport"
    assert manifest["start_url"] == manifest["id"] == PAGE
    assert manifest["scope"] == "/"
    assert manifest["display"] == "standalone"
    assert manifest["lang"] == "en"
    css = Path(finders.find("css/rapport.css")).read_text()
    assert manifest["theme_color"] == _token("accent", css)
    assert manifest["background_color"] == _token("bg", css)
    purposes = set()
    for icon in manifest["icons"]:
        path = finders.find(icon["src"].removeprefix(settings.STATIC_URL).lstrip("/"))
        assert path, icon["src"]
        with Image.open(path) as image:
            assert f"{image.width}x{image.height}" == icon["sizes"]
            assert image.format == "PNG"
        purposes.add(icon.get("purpose", "any"))
        assert icon["type"] == "image/png"
    assert {icon["sizes"] for icon in manifest["icons"]} == {"192x192", "512x512"}
    assert purposes == {"any", "maskable"}


def test_the_manifest_speaks_the_visitors_language(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    assert client.get("/manifest.webmanifest").json()["lang"] == "es"


def test_the_service_worker(client, student_client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript"
    assert response["Service-Worker-Allowed"] == PAGE
    assert "no-cache" in response["Cache-Control"]
    source = response.content.decode()
    assert f'var SHELL_URL = "{PAGE}";' in source
    assert 'var STATIC_URL = "/static/";' in source
    version = re.search(r'var VERSION = "([0-9a-f]{12})";', source).group(1)
    assert 'var CACHE_PREFIX = "rapport-met-";' in source
    # The same for everyone, and the same from one request to the next.
    assert student_client.get("/sw.js").content.decode() == source
    assert client.get("/sw.js").content.decode() == source
    assert reverse("service_worker") == "/sw.js"
    assert reverse("web_manifest") == "/manifest.webmanifest"
    assert version


def test_the_cache_version_follows_the_workers_source(monkeypatch):
    first = met_views._service_worker_source()
    monkeypatch.setattr(met_views, "CACHE_PREFIX", "rapport-met-other-")
    second = met_views._service_worker_source()
    versions = [re.search(r'var VERSION = "(\w+)";', s).group(1) for s in (first, second)]
    assert versions[0] != versions[1]
