from django import forms

from mentoring.models import MentoringPolicy


class MentoringPolicyForm(forms.ModelForm):
    class Meta:
        model = MentoringPolicy
        fields = [
            "pause_after_expired",
            "student_no_show_penalty",
            "student_open_requests_after_no_show",
            "volunteer_pause_after_no_shows",
        ]
