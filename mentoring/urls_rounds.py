from django.urls import path

from mentoring.views import policy as policy_views
from mentoring.views import round_signup, rounds

urlpatterns: list = [
    # Career-office staff.
    path("rounds/", rounds.round_list, name="rounds"),
    path("rounds/new/", rounds.round_create, name="round_new"),
    path("rounds/<int:round_id>/", rounds.round_detail, name="round"),
    path("rounds/<int:round_id>/edit/", rounds.round_edit, name="round_edit"),
    path("rounds/<int:round_id>/status/", rounds.round_status, name="round_status"),
    path("rounds/<int:round_id>/review/", rounds.round_review, name="round_review"),
    path(
        "rounds/<int:round_id>/review/matches.csv",
        rounds.round_review_csv,
        name="round_review_csv",
    ),
    path("rounds/<int:round_id>/run/", rounds.round_run, name="round_run"),
    path(
        "rounds/<int:round_id>/matches/<int:match_id>/lock/",
        rounds.round_match_lock,
        name="round_match_lock",
    ),
    path(
        "rounds/<int:round_id>/matches/<int:match_id>/remove/",
        rounds.round_match_remove,
        name="round_match_remove",
    ),
    path("rounds/<int:round_id>/swap/", rounds.round_swap, name="round_swap"),
    path("rounds/<int:round_id>/publish/", rounds.round_publish, name="round_publish"),
    path("policy/", policy_views.policy, name="policy"),
    # Students and volunteers.
    path("rounds/open/", round_signup.rounds_open, name="rounds_open"),
    path("rounds/<int:round_id>/join/", round_signup.round_join, name="round_join"),
    path("rounds/<int:round_id>/leave/", round_signup.round_leave, name="round_leave"),
    path(
        "rounds/<int:round_id>/volunteer/",
        round_signup.round_volunteer_join,
        name="round_volunteer_join",
    ),
    path(
        "rounds/<int:round_id>/volunteer/leave/",
        round_signup.round_volunteer_leave,
        name="round_volunteer_leave",
    ),
    path("rounds/matches/<int:match_id>/", round_signup.round_match, name="round_match"),
    path(
        "rounds/matches/<int:match_id>/book/",
        round_signup.round_match_book,
        name="round_match_book",
    ),
]
