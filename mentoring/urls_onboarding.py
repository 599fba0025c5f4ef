from django.urls import path

from mentoring.views import onboarding as views

urlpatterns: list = [
    path("welcome/", views.onboarding, name="onboarding"),
    path(
        "welcome/organizations/suggestions/",
        views.organization_suggestions,
        name="onboarding_organization_suggestions",
    ),
    path("suggested/", views.suggestions, name="suggestions"),
    path("welcome/<slug:step>/", views.onboarding_step, name="onboarding_step"),
]
