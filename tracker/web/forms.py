"""The POST forms. Every one is a FlaskForm, so each carries the CSRF token CSRFProtect checks.

Rules live in the domain and services: the forms only carry values. Choice fields coerce leniently
(a bad value becomes None) and the use case says what is wrong, in the user's language.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    HiddenField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Optional
from wtforms.widgets import CheckboxInput, ListWidget

from tracker.domain.messages import Problem
from tracker.i18n import lazy_gettext as _l
from tracker.web.args import bounded_int
from tracker.web.messages import describe

FormT = TypeVar("FormT", bound=FlaskForm)


def optional_int(value: Any) -> int | None:
    """Coerce a submitted id; anything that is not a positive 32-bit integer is None."""
    return bounded_int(value)


def scoped(form: FormT, scope: str) -> FormT:
    """Give each field of ``form`` (its CSRF token and checkboxes too) the id ``scope-name``, for a
    page that holds several forms with fields of the same name: ids stay unique, so each label
    focuses its own box. The names, and so what is posted, stay as they are."""
    for field in form:
        field.id = f"{scope}-{field.name}"
    return form


class MultiCheckboxField(SelectMultipleField):
    """Checkboxes instead of a multiple select: usable on a phone."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form: Any) -> None:
        """Unknown values are the use case's to report, not WTForms'."""


class LoginForm(FlaskForm):
    username = StringField(_l("Username"))
    password = PasswordField(_l("Password"))


class NoteForm(FlaskForm):
    note = TextAreaField(_l("Reason"))


class ProposalForm(FlaskForm):
    title = StringField(_l("Title"))
    category = SelectField(_l("Category"), choices=[], validate_choice=False)
    paste = TextAreaField(_l("Paste the whole proposal"))
    background = TextAreaField(_l("Background"))
    suggestions = FieldList(TextAreaField(_l("Suggestion")), _l("Suggestions"), min_entries=0)
    closing = TextAreaField(_l("Closing remarks"))
    cosigners = StringField(_l("Invite co-signers"))
    leadin = HiddenField()
    form_token = HiddenField()


class AcceptForm(FlaskForm):
    meeting = SelectField(_l("Session"), coerce=optional_int, choices=[], validate_choice=False)
    note = TextAreaField(_l("Note"))


class MergeForm(FlaskForm):
    sources = MultiCheckboxField(_l("Proposals to merge into this one"), coerce=optional_int, choices=[])
    meeting = SelectField(_l("Session"), coerce=optional_int, choices=[], validate_choice=False)
    note = TextAreaField(_l("Note"))


class AssignForm(FlaskForm):
    lead = SelectField(_l("Lead agency"), coerce=optional_int, choices=[], validate_choice=False)
    co = MultiCheckboxField(_l("Co-handling agencies"), coerce=optional_int, choices=[])
    deadline = DateField(_l("Deadline"), validators=[Optional()])
    note = TextAreaField(_l("Note"))


class BulkAssignForm(AssignForm):
    proposals = MultiCheckboxField(_l("Proposals"), coerce=optional_int, choices=[])


@dataclass(frozen=True)
class ErrorLink:
    """One line of a form's error summary: the field's label and the problem, linking to the field."""

    target: str  # the id of the field
    label: str
    message: str


def error_links(form: FlaskForm) -> list[ErrorLink]:
    """Every problem of ``form``, in the order of its fields (rows of a list field numbered)."""
    links: list[ErrorLink] = []
    for field in form:
        if isinstance(field, FieldList):
            # a problem of the whole list (put there by put_problems) links to its first row
            first = field.entries[0].id if field.entries else field.id
            links += [ErrorLink(first, str(field.label.text), m) for m in field.errors if isinstance(m, str)]
            for n, entry in enumerate(field.entries, start=1):
                label = f"{field.label.text} {n}"
                links += [ErrorLink(entry.id, label, m) for m in entry.errors if isinstance(m, str)]
        else:
            links += [ErrorLink(field.id, str(field.label.text), m) for m in field.errors]
    return links


def ids(values: list[int | None] | None) -> list[int]:
    return [v for v in values or [] if v is not None]


def put_problems(form: FlaskForm, problems: list[Problem]) -> list[str]:
    """Show each problem beside its field; returns the messages that belong to no field."""
    general: list[str] = []
    for problem in problems:
        message = describe(problem)
        field = getattr(form, problem.field, None) if problem.field else None
        if field is None or not hasattr(field, "errors"):
            general.append(message)
            continue
        if message not in field.errors:
            field.errors = [*field.errors, message]
    return general


class SessionForm(FlaskForm):
    """A session (届次/会议) as the admin types it; tracker.domain.sessions checks it."""

    body = SelectField(_l("Body"), choices=["政协", "人大"], validate_choice=False)
    organisation = StringField(_l("Organisation (full name)"))
    term = StringField(_l("Term (届次)"))
    sitting = StringField(_l("Sitting (次会议)"))
    full_name = StringField(_l("Full name"))
    short_name = StringField(_l("Short name"))
    year = StringField(_l("Year"))
    starts_on = DateField(_l("Starts on"), validators=[Optional()])
    ends_on = DateField(_l("Ends on"), validators=[Optional()])
    intake = SelectField(_l("Takes"), choices=[], validate_choice=False)
    number_prefix = StringField(_l("Number prefix"))
    is_open = BooleanField(_l("Open: staff may accept proposals into it now"))
    make_current = BooleanField(_l("Make it the current session"))


class ButtonForm(FlaskForm):
    """A form that is only a button (open, close, make current): the CSRF token and nothing else."""
