"""The project's URLconf plus `bare/`, the floor cost of a signed-in page (bench only)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path

from networking_app.urls import urlpatterns as project_urlpatterns


@login_required
def bare(request):
    """A signed-in page behind the full middleware stack that renders a tiny template: what
    every page here costs before it does any work of its own."""
    return render(request, "loadsite/bare.html")


urlpatterns = [path("bare/", bare, name="bench_bare"), *project_urlpatterns]
