"""Model mixins and fields every app may use."""

from django.db import models

from core.text import no_control_characters, without_unpaired_bidi


class AppendOnly:
    """For a model whose rows are a record: written once, never changed or
    deleted (history, access logs, notes on a complaint)."""

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValueError(f"{type(self).__name__} rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError(f"{type(self).__name__} rows are never deleted")


class _TypedText:
    """Stored without unpaired bidirectional controls (core.text), whichever
    door wrote it: a service, the admin, a bulk update."""

    def pre_save(self, model_instance, add):
        value = super().pre_save(model_instance, add)
        if isinstance(value, str):
            cleaned = without_unpaired_bidi(value)
            if cleaned != value:
                setattr(model_instance, self.attname, cleaned)
            return cleaned
        return value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return without_unpaired_bidi(value) if isinstance(value, str) else value


class TypedText(_TypedText, models.TextField):
    """Free text a person typed: a note, a remark. Give it a max_length
    (core.text): the forms and the API refuse longer text."""


class TypedLine(_TypedText, models.CharField):
    """One line a person typed: a reason, a label."""


class NameOrAddress(_TypedText, models.CharField):
    """A name or an address: no control character at all (core.text)."""

    default_validators = [no_control_characters]
