from django.conf import settings


def school(request):
    """The school's names and wording, which every template may use."""
    return {
        "school": {
            "name": settings.SCHOOL_NAME,
            "career_office": settings.CAREER_OFFICE_NAME,
            "mentoring_programme": settings.MENTORING_PROGRAMME_NAME,
            "directory": settings.DIRECTORY_NAME,
        },
        "sent_mail_page": settings.SENT_MAIL_PAGE,
    }
