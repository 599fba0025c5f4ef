"""The career office's mentoring policy (MentoringPolicy): when unanswered requests pause a
volunteer. Staff only; changing it is audited."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext

from mentoring.forms.policy import MentoringPolicyForm
from mentoring.models import MentoringPolicy
from networking_app.accounts.decorators import staff_required
from networking_app.core.audit import audit_record


@staff_required
def policy(request):
    current = MentoringPolicy.current()
    form = MentoringPolicyForm(request.POST if request.method == "POST" else None, instance=current)
    if request.method == "POST" and form.is_valid():
        saved = form.save(commit=False)
        saved.updated_by = request.user
        saved.save()
        audit_record(
            actor=request.user,
            action="mentoring.policy",
            summary="Changed the mentoring policy",
            target=saved,
            pause_after_expired=saved.pause_after_expired,
        )
        messages.success(request, gettext("The mentoring policy is saved."))
        return redirect("mentoring:policy")
    return render(request, "mentoring/policy.html", {"form": form, "policy": current})
