from django import forms

from mentoring.models import MentoringPolicy


class MentoringPolicyForm(forms.ModelForm):
    class Meta:
        model = MentoringPolicy
        fields = ["pause_after_expired"]
