from django.conf import settings
from django.templatetags.static import static


def school(request):
    """The school's names and wording, which every template may use."""
    return {
        "school": {
            "name": settings.SCHOOL_NAME,
            "career_office": settings.CAREER_OFFICE_NAME,
            "mentoring_programme": settings.MENTORING_PROGRAMME_NAME,
            "directory": settings.DIRECTORY_NAME,
            "logo_url": static(settings.SCHOOL_LOGO) if settings.SCHOOL_LOGO else "",
        },
        "sent_mail_page": settings.SENT_MAIL_PAGE,
    }
