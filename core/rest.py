"""DRF building blocks every app's API uses: the JSON parser and pagination
the settings name, the permission check by action, the id field, and ids
read from query strings. Kept apart from core.exception_handler, which imports
rest_framework.views: that module reads these settings when it loads."""

import copy

from django.utils.translation import gettext as _
from rest_framework import exceptions, parsers, serializers
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.permissions import BasePermission

# The largest id a bigint column holds; a larger number is no id of ours.
MAX_ID = 2**63 - 1


def query_id(raw: str) -> int | None:
    """An object id read from a query string: ASCII digits within the id
    range, else None. (`str.isdigit` alone lets through "²", which int()
    refuses, and numbers no database column can compare with.)"""
    if raw.isascii() and raw.isdigit() and int(raw) <= MAX_ID:
        return int(raw)
    return None


class ActionPermissions(BasePermission):
    """Grants an action when the user holds every permission the view lists for
    it in `action_permissions` (key "*" for actions not listed)."""

    def has_permission(self, request, view) -> bool:
        if not request.user or not request.user.is_authenticated:
            return False
        mapping = getattr(view, "action_permissions", {})
        action = getattr(view, "action", None) or request.method.lower()
        perms = mapping.get(action, mapping.get("*", ()))
        return all(request.user.has_perm(p) for p in perms)


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, with a body nested too deeply to parse ("[[[[…")
    refused as unreadable JSON (400) instead of a RecursionError (500)."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError(_("JSON parse error - the data is nested too deeply.")) from None


class Pagination(LimitOffsetPagination):
    # A page no larger than this: `?limit=` of any size would otherwise go
    # to the database as is (and overflow its integer).
    max_limit = 1000


class IdRelatedField(serializers.PrimaryKeyRelatedField):
    """A related object named by its id: a whole number or its digits.
    DRF's field also takes 1.5 (as 1) or true (as 1); this one refuses them."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | str):
            self.fail("incorrect_type", data_type=type(data).__name__)
        if isinstance(data, str) and not (data.isascii() and data.isdigit()):
            self.fail("incorrect_type", data_type="str")
        if int(data) > MAX_ID:
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(data)


class EmptyInput(serializers.Serializer):
    """The body of a POST that takes nothing: empty, or `{}`."""

    @classmethod
    def check(cls, request) -> None:
        """400 for a body that is not one (unreadable, or not an object)."""
        cls(data=request.data).is_valid(raise_exception=True)


class DateTimeInput(serializers.DateTimeField):
    """DRF's date-time field for a time a person gives, with a local time no
    datetime can hold in UTC (year 1, east of UTC) refused as out of range
    (400) instead of DRF's OverflowError (500). Whether the time makes sense
    is the service's rule (core.times)."""

    def enforce_timezone(self, value):
        try:
            return super().enforce_timezone(value)
        except OverflowError:
            self.fail("overflow")


class FieldsBuiltOnce:
    """For a ModelSerializer on a hot path: its fields are worked out from the
    model once per class, not on every instance (DRF rebuilds them each time,
    a fifth of a small request's time). Each instance gets a deep copy, as DRF
    gives each instance copies of the declared fields. Only for serializers
    whose fields do not depend on the context or the instance."""

    def get_fields(self):
        cls = type(self)
        built = cls.__dict__.get("_fields_built_once")
        if built is None:
            built = super().get_fields()
            cls._fields_built_once = built  # a race builds it twice: harmless
        return copy.deepcopy(built)
