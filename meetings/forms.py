"""Forms for meetings: validate and keep what was typed; the rules live in services."""

from __future__ import annotations

import datetime as dt
import re

import django_filters
from django import forms
from django.utils import timezone

from cases.forms import ActionForm
from cases.forms.visits import wishes_fields
from cases.models import Plan
from meetings.models import (
    DECISIONS_BY_KIND,
    Meeting,
    MeetingAttendee,
    MeetingCase,
    MeetingInvitation,
)
from safeguard.core.dates import DateKind
from safeguard.core.filters import GovukDateFilter, ListFilterSet
from safeguard.core.forms import GovukDateField, ModelChoice, ModelChoices

TIME = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")


class OwnIds:
    """Several forms share a meeting page: their own ids keep each label on its field."""

    id_prefix = ""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("auto_id", f"id_{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)


def _person(user) -> str:
    return f"{user.get_full_name() or user.username} ({user.username})"


class MeetingWhenForm(forms.Form):
    """The date and start time of a meeting, for arranging it and for moving it."""

    scheduled_on = GovukDateField(
        label="Date",
        name="The date of the meeting",
        kind=DateKind.DUE,
        error_messages={"required": "Enter the date of the meeting"},
    )
    scheduled_time = forms.CharField(
        label="Start time",
        help_text="For example, 10:30",
        max_length=5,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5", "inputmode": "numeric"}),
        error_messages={"required": "Enter the start time"},
    )

    def clean_scheduled_time(self) -> dt.time:
        match = TIME.match(self.cleaned_data["scheduled_time"].strip())
        if not match:
            raise forms.ValidationError("Enter the start time as hours and minutes, like 10:30")
        return dt.time(int(match.group(1)), int(match.group(2)))

    def scheduled_at(self) -> dt.datetime:
        return dt.datetime.combine(
            self.cleaned_data["scheduled_on"],
            self.cleaned_data["scheduled_time"],
            tzinfo=timezone.get_current_timezone(),
        )


class MeetingScheduleForm(MeetingWhenForm):
    field_order = ["cases", "chair", "scheduled_on", "scheduled_time", "format", "location"]

    cases = forms.MultipleChoiceField(
        label="Which children is the meeting about?",
        widget=forms.CheckboxSelectMultiple,
        help_text="One meeting can cover brothers and sisters; each child gets their own decision.",
        error_messages={"required": "Choose at least one child"},
    )
    chair = ModelChoice(
        queryset=None, label="Chair", error_messages={"required": "Choose the chair"}
    )
    format = forms.ChoiceField(
        label="How will it be held?",
        choices=Meeting.Format.choices,
        widget=forms.RadioSelect,
        initial=Meeting.Format.IN_PERSON,
        help_text="A telephone or video discussion needs no place.",
        error_messages={"required": "Say how the meeting will be held"},
    )
    location = forms.CharField(
        label="Where (for a meeting in person)", max_length=200, required=False
    )
    video_link = forms.URLField(
        label="Video link (optional)",
        max_length=300,
        required=False,
        assume_scheme="https",
        error_messages={"invalid": "Enter the video link as a web address, like https://…"},
    )
    report_due_on = GovukDateField(
        label="Agency reports due by (optional)",
        name="The date reports are due",
        kind=DateKind.DUE,
        required=False,
        help_text="Invited agencies are asked for a report by this date.",
    )
    invite = ModelChoices(
        queryset=None,
        label="Invite agencies involved in the case (optional)",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Only the agencies already involved are listed, and none is chosen for you. "
        "To invite another agency, arrange the meeting, then choose "
        "'Invite an agency not involved in the case' on its page.",
    )
    purpose = forms.CharField(
        label="Purpose (optional)",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
    )
    late_reason = forms.CharField(
        label="If this date is after the statutory deadline, why?",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
    )

    def __init__(self, *args, cases, chairs, agencies, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.case_objects = {str(c.pk): c for c in cases}
        self.fields["cases"].choices = [
            (str(c.pk), f"{c.child.full_name} ({c.reference})") for c in cases
        ]
        self.fields["chair"].queryset = chairs
        self.fields["chair"].label_from_instance = _person
        self.fields["invite"].queryset = agencies

    def chosen_cases(self) -> list:
        return [self.case_objects[pk] for pk in self.cleaned_data["cases"]]


class InviteAgencyForm(OwnIds, forms.Form):
    """Agencies already involved in the case; any other is invited on its own page."""

    id_prefix = "invite"
    agency = ModelChoice(
        queryset=None,
        label="Agency involved in the case",
        error_messages={
            "required": "Choose an agency",
            "invalid_choice": "Choose an agency involved in the case. To invite another, "
            "use 'Invite an agency not involved in the case'",
        },
    )
    report_requested = forms.BooleanField(label="Ask them for a report", required=False)

    def __init__(self, *args, agencies, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies


class AgencySearchForm(forms.Form):
    name = forms.CharField(
        label="Name of the agency",
        min_length=2,
        max_length=100,
        help_text="At least 2 letters, for example 'police' or part of a school's name",
        error_messages={
            "required": "Enter the name of the agency",
            "min_length": "Enter at least 2 letters of the agency's name",
        },
    )


class InviteBeyondCaseForm(forms.Form):
    """Inviting an agency not involved in the case: the reason is the point."""

    reason = forms.CharField(
        label="Why does this agency need to be at the meeting?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="The chair, the lead agency and the audit log keep this reason.",
        error_messages={"required": "Enter why this agency needs to be at the meeting"},
    )
    report_requested = forms.BooleanField(label="Ask them for a report", required=False)


class InvitationDeclineForm(forms.Form):
    """One per waiting request on the meeting page; the template writes its markup."""

    reason = forms.CharField(
        label="Why is the invitation declined?",
        max_length=2000,
        error_messages={"required": "Enter why the invitation is declined"},
    )


class InvitePersonForm(OwnIds, forms.Form):
    id_prefix = "invite_person"
    membership = ModelChoice(
        queryset=None,
        label="Professional",
        help_text="From the invited agencies",
        error_messages={"required": "Choose the person to invite"},
    )

    def __init__(self, *args, memberships, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["membership"].queryset = memberships
        self.fields["membership"].label_from_instance = lambda m: (
            f"{_person(m.user)}, {m.agency.name}"
        )


class MeetingRescheduleForm(MeetingWhenForm):
    scheduled_on = GovukDateField(
        label="New date",
        name="The new date of the meeting",
        kind=DateKind.DUE,
        error_messages={"required": "Enter the new date of the meeting"},
    )
    report_due_on = GovukDateField(
        label="Agency reports due by (optional)",
        name="The date reports are due",
        kind=DateKind.DUE,
        required=False,
        help_text="Leave blank to keep the date reports are due now.",
    )
    reason = forms.CharField(
        label="Why is the meeting moving?",
        help_text="Invitees are told the new date; the reason goes in the chronology.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Enter why the meeting is moving"},
    )
    late_reason = forms.CharField(
        label="If the new date is after the statutory deadline, why?",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
    )


class MeetingCancelForm(forms.Form):
    reason = forms.CharField(
        label="Why is the meeting cancelled?",
        help_text="Invitees are told it is cancelled and that no report is needed.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Enter why the meeting is cancelled"},
    )


class InvitationWithdrawForm(forms.Form):
    """One per invitation on the meeting page; the template writes its markup so
    each row's field has its own id."""

    reason = forms.CharField(
        label="Why is the invitation withdrawn?",
        max_length=2000,
        error_messages={"required": "Enter why the invitation is withdrawn"},
    )


class InvitationResponseForm(OwnIds, forms.Form):
    id_prefix = "reply"
    response = forms.ChoiceField(
        label="Will your agency attend?",
        choices=[
            (MeetingInvitation.Response.ATTENDING, "Yes, we will attend"),
            (MeetingInvitation.Response.APOLOGIES, "No, we send apologies"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether your agency will attend"},
    )


class AgencyReportForm(OwnIds, forms.Form):
    id_prefix = "report"
    agency = ModelChoice(queryset=None, label="Report from")
    text = forms.CharField(
        label="Your agency's report",
        widget=forms.Textarea(attrs={"rows": 10}),
        max_length=50000,
        error_messages={"required": "Enter your agency's report"},
    )
    shared_with_invitees = forms.BooleanField(
        label="Share with every agency invited",
        required=False,
        help_text="Unless you tick this, only the chair and the lead agency can read your "
        "report. Tick it only if every invited agency may read all of it.",
    )
    child_wishes, wishes_not_obtained, wishes_not_obtained_detail = wishes_fields(
        required_hint=False
    ).values()

    def __init__(self, *args, agencies, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies
        if agencies.count() == 1:
            self.fields["agency"].widget = forms.HiddenInput()
            self.fields["agency"].initial = agencies.first().pk


class AgendaItemForm(OwnIds, forms.Form):
    id_prefix = "agenda"
    title = forms.CharField(
        label="Agenda item", max_length=200, error_messages={"required": "Enter the agenda item"}
    )
    lead_only = forms.BooleanField(
        label="Closed item: minuted for the chair and the lead agency only", required=False
    )


class MeetingRecordForm(forms.Form):
    """Attendance, minutes and each child's decision, built from the meeting's own rows."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    # The child's next dates the clocks propose; see ``_offer_proposed``.
    PROPOSED_FIELDS = ("next_review_on", "first_core_group_on")

    def __init__(
        self,
        *args,
        meeting: Meeting,
        invitations,
        items,
        subjects,
        attendees=(),
        proposed: dict | None = None,
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.meeting = meeting
        self.proposed: dict[tuple[str, object], dt.date] = {}
        self.invitations, self.items, self.subjects = invitations, items, subjects
        self.attendees = list(attendees)
        for invitation in invitations:
            who = (
                f"{invitation.person.get_full_name() or invitation.person.username}, "
                f"{invitation.agency.name}"
                if invitation.person
                else invitation.agency.name
            )
            self.fields[f"attendance-{invitation.pk}"] = forms.ChoiceField(
                label=who,
                choices=MeetingInvitation.Attendance.choices,
                required=False,
                initial=invitation.attendance,
            )
        for attendee in self.attendees:
            self.fields[f"person-attendance-{attendee.pk}"] = forms.ChoiceField(
                label=f"{attendee.name}, {attendee.role}"
                + (f", {attendee.agency.name}" if attendee.agency else ""),
                choices=MeetingInvitation.Attendance.choices,
                required=False,
                initial=attendee.attendance,
            )
        for item in items:
            self.fields[f"minutes-{item.pk}"] = forms.CharField(
                label=f"{item.position}. {item.title}"
                + (" (closed item)" if item.lead_only else ""),
                widget=forms.Textarea(attrs={"rows": 4}),
                required=False,
                max_length=50000,
                initial=item.minutes,
            )
        decisions = DECISIONS_BY_KIND.get(meeting.kind, ())
        for subject in subjects:
            name = subject.case.child.full_name
            if decisions:
                self.fields[f"decision-{subject.pk}"] = forms.ChoiceField(
                    label=f"Decision for {name}",
                    choices=[(d, MeetingCase.Decision(d).label) for d in decisions],
                    widget=forms.RadioSelect,
                    required=False,
                    initial=subject.decision,
                )
            if meeting.starts_plans:
                self.fields[f"category-{subject.pk}"] = forms.ChoiceField(
                    label=f"Category of abuse for {name}",
                    choices=[("", "Not a plan"), *Plan.Category.choices],
                    required=False,
                    initial=subject.category,
                    help_text="Only if a child protection plan is needed",
                )
            elif meeting.kind == Meeting.Kind.RCPC:
                self.fields[f"category-{subject.pk}"] = forms.ChoiceField(
                    label=f"Latest category of abuse for {name}",
                    choices=[("", "Unchanged"), *Plan.Category.choices],
                    required=False,
                    initial=subject.category,
                    help_text="Only if the plan continues and the category has changed: "
                    "the category it started with is kept as the initial one.",
                )
            if meeting.is_conference:
                self.fields[f"next_review_on-{subject.pk}"] = GovukDateField(
                    label=f"Review conference for {name} by",
                    name="The review conference date",
                    kind=DateKind.DUE,
                    required=False,
                    initial=subject.next_review_on,
                )
            if meeting.starts_plans:
                self.fields[f"first_core_group_on-{subject.pk}"] = GovukDateField(
                    label=f"First core group for {name} by",
                    name="The first core group date",
                    kind=DateKind.DUE,
                    required=False,
                    initial=subject.first_core_group_on,
                )
            self.fields[f"decision_notes-{subject.pk}"] = forms.CharField(
                label=f"Reasons for the decision for {name}"
                if decisions
                else f"Outcome for {name}",
                widget=forms.Textarea(attrs={"rows": 3}),
                required=False,
                max_length=20000,
                initial=subject.decision_notes,
            )
            self._offer_proposed(subject, (proposed or {}).get(subject.pk, {}))

    def _offer_proposed(self, subject, dates: dict) -> None:
        """A date the clock proposes is offered beside the box, never put in
        it: the box shows only what the record holds, so the page never shows
        a date that was not saved. Ticking the (unticked) box is the chair
        saying the proposed date; it is then saved like a typed one."""
        for field in self.PROPOSED_FIELDS:
            day = dates.get(field)
            if day is None or f"{field}-{subject.pk}" not in self.fields:
                continue
            saved = getattr(subject, field)
            # A recorded date is in the box: nothing to offer. But a page
            # that ticked the box and saved (as autosave does) keeps posting
            # the tick with the boxes still empty: it still means that date.
            if saved and not (self.is_bound and saved == day):
                continue
            self.proposed[(field, subject.pk)] = day
            self.fields[f"use-{field}-{subject.pk}"] = forms.BooleanField(
                label=f"Use the proposed date, {day.day} {day:%B %Y}",
                help_text="The latest working day the statutory timescale allows. "
                "Or type another date above.",
                required=False,
            )

    def clean(self):
        cleaned = super().clean()
        for (field, pk), day in self.proposed.items():
            if not cleaned.get(f"use-{field}-{pk}"):
                continue
            if cleaned.get(f"{field}-{pk}"):
                self.add_error(f"use-{field}-{pk}", "Type a date or use the proposed one, not both")
            else:
                cleaned[f"{field}-{pk}"] = day
        return cleaned

    def bound(self, prefix: str, obj) -> forms.BoundField | None:
        name = f"{prefix}-{obj.pk}"
        return self[name] if name in self.fields else None

    def attendance(self) -> dict[str, str]:
        return {
            str(i.pk): self.cleaned_data.get(f"attendance-{i.pk}", "") for i in self.invitations
        }

    def attendee_attendance(self) -> dict[str, str]:
        return {
            str(a.pk): self.cleaned_data.get(f"person-attendance-{a.pk}", "")
            for a in self.attendees
        }

    def minutes(self) -> dict[str, str]:
        return {str(i.pk): self.cleaned_data.get(f"minutes-{i.pk}", "") for i in self.items}

    def decisions(self) -> dict[str, dict]:
        fields = ("decision", "category", "next_review_on", "first_core_group_on", "decision_notes")
        return {
            str(s.pk): {f: self.cleaned_data.get(f"{f}-{s.pk}") for f in fields}
            for s in self.subjects
        }


class DissentForm(OwnIds, forms.Form):
    id_prefix = "dissent"
    case = forms.ChoiceField(label="About the decision for")
    person_name = forms.CharField(
        label="Name of the professional who disagrees",
        max_length=200,
        error_messages={"required": "Enter the name of the professional"},
    )
    agency = ModelChoice(
        queryset=None, label="Their agency", error_messages={"required": "Choose their agency"}
    )
    reason = forms.CharField(
        label="What they disagree with, and why",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        error_messages={"required": "Enter why they disagree"},
    )

    def __init__(self, *args, subjects, agencies, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.case_objects = {str(s.case.pk): s.case for s in subjects}
        self.fields["case"].choices = [(str(s.case.pk), s.case.child.full_name) for s in subjects]
        self.fields["agency"].queryset = agencies


class MeetingActionForm(OwnIds, ActionForm):
    """The case page's action form, plus which child's case the action is for."""

    id_prefix = "action"
    field_order = ["case", "description", "agency", "owner", "due_on"]
    case = forms.ChoiceField(label="For")

    def __init__(self, *args, subjects, agencies, people, **kwargs) -> None:
        super().__init__(*args, agencies=agencies, people=people, **kwargs)
        self.case_objects = {str(s.case.pk): s.case for s in subjects}
        self.fields["case"].choices = [(str(s.case.pk), s.case.child.full_name) for s in subjects]


class AddendumForm(OwnIds, forms.Form):
    id_prefix = "addendum"
    text = forms.CharField(
        label="Correction or addition",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=20000,
        error_messages={"required": "Enter the correction"},
    )


class MeetingFilter(ListFilterSet):
    """The meetings list's filters; its sort is the held list's keyset order
    (the index on scheduled_at and id), either way round."""

    SORTS = {
        "newest": ("Newest first", ("-scheduled_at", "-id")),
        "oldest": ("Oldest first", ("scheduled_at", "id")),
    }

    kind = django_filters.ChoiceFilter(
        label="Type of meeting", choices=Meeting.Kind.choices, empty_label="Any type"
    )
    state = django_filters.ChoiceFilter(
        label="Record",
        method="_state",
        choices=[("open", "Open (not finalised)"), ("finalised", "Finalised")],
        empty_label="Open or finalised",
    )
    date_from = GovukDateFilter(label="On or after", method="_from")
    date_to = GovukDateFilter(label="On or before", method="_to")

    class Meta:
        model = Meeting
        fields: list[str] = []

    def _state(self, queryset, name: str, value: str):
        return queryset.filter(finalised_at__isnull=value == "open")

    def _from(self, queryset, name: str, value: dt.date):
        start = dt.datetime.combine(value, dt.time.min, tzinfo=timezone.get_current_timezone())
        return queryset.filter(scheduled_at__gte=start)

    def _to(self, queryset, name: str, value: dt.date):
        end = dt.datetime.combine(
            value + dt.timedelta(days=1), dt.time.min, tzinfo=timezone.get_current_timezone()
        )
        return queryset.filter(scheduled_at__lt=end)


class AttendeeForm(forms.Form):
    """Someone invited by name: a parent, the child, an advocate or a professional."""

    name = forms.CharField(
        label="Full name", max_length=200, error_messages={"required": "Enter the person's name"}
    )
    kind = forms.ChoiceField(
        label="Who are they?",
        choices=MeetingAttendee.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose who they are"},
    )
    role = forms.CharField(
        label="Their role",
        help_text="For example: Mother, Independent advocate, Health visitor.",
        max_length=200,
        error_messages={"required": "Enter their role"},
    )
    agency = ModelChoice(
        queryset=None,
        label="Their agency (professionals only)",
        required=False,
        empty_label="Not a professional",
    )

    def __init__(self, *args, agencies, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies
