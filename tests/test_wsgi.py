"""The WSGI application sets aside from the garbage collector what a worker keeps for life."""

import pytest

from networking_app import wsgi


def test_a_worker_freezes_what_it_loaded_at_start_and_once_warm(monkeypatch):
    calls = []
    monkeypatch.setattr(wsgi.gc, "freeze", lambda: calls.append("freeze"))
    monkeypatch.setattr(wsgi.gc, "collect", lambda: calls.append("collect"))
    monkeypatch.setattr(wsgi, "WARM_AFTER", 2)
    app = wsgi.FrozenWhenWarm(lambda environ, start_response: [b"answer"])
    assert calls == ["freeze"]

    assert app({}, None) == [b"answer"]
    assert calls == ["freeze"]
    assert app({}, None) == [b"answer"]
    # One last collection first, so that no garbage is frozen with what the worker keeps.
    assert calls == ["freeze", "collect", "freeze"]
    app({}, None)
    assert calls == ["freeze", "collect", "freeze"]


def test_a_request_that_fails_still_counts(monkeypatch):
    calls = []
    monkeypatch.setattr(wsgi.gc, "freeze", lambda: calls.append("freeze"))
    monkeypatch.setattr(wsgi.gc, "collect", lambda: calls.append("collect"))
    monkeypatch.setattr(wsgi, "WARM_AFTER", 1)

    def failing(environ, start_response):
        raise RuntimeError("boom")

    app = wsgi.FrozenWhenWarm(failing)
    with pytest.raises(RuntimeError):
        app({}, None)
    assert calls == ["freeze", "collect", "freeze"]


def test_the_served_application_is_django_s_behind_it():
    from django.core.handlers.wsgi import WSGIHandler

    assert isinstance(wsgi.application, wsgi.FrozenWhenWarm)
    assert isinstance(wsgi.application.app, WSGIHandler)
