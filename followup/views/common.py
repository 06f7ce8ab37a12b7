"""What every follow-up screen does the same way: the role check made against
the tuples of `dispatch.screens` (so the nav and the views agree), and a
service's error put next to the form's fields."""


from django import forms
from django.utils.translation import gettext_lazy

from core.errors import DomainError
from core.roles import roles_required  # noqa: F401 - the followup views' import

YES_NO = [("yes", gettext_lazy("Yes")), ("no", gettext_lazy("No"))]


def put_errors(form: forms.Form, exc: DomainError) -> None:
    """A service's field messages next to the form's fields; the rest on top."""
    for field, errors in (exc.fields or {"__all__": [exc.message]}).items():
        for error in errors:
            form.add_error(field if field in form.fields else None, str(error))
