"""A service's domain error shown on the form it came from."""

from django import forms

from core.errors import DomainError


def put_errors(form: forms.Form, exc: DomainError) -> None:
    """A service's field messages next to the form's fields; the rest on top."""
    for field, errors in (exc.fields or {"__all__": [exc.message]}).items():
        for error in errors:
            form.add_error(field if field in form.fields else None, str(error))
