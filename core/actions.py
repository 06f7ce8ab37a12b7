"""An action a user takes on one object (an order's transition, a complaint's
note), declared once: its name, label, the permission it needs, its input
and its service. The API endpoint, the screens' forms and buttons are built
from the declaration, so an action cannot mean one thing on a screen and
another in the API.

An app lists its actions in its `actions.py`; each service that runs one is
marked `@implements(THE_ACTION)` in its `services.py`. The service takes the
acting user, the object's id under `Action.target` and the input's validated
fields as keyword arguments, and is the one that checks, changes and records.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action as drf_action
from rest_framework.response import Response

from core.roles import require_perm


@dataclass(eq=False)
class Action:
    name: str
    label: Promise
    # "app_label.codename": the roles that hold it may run the action.
    permission: str
    # Its input: the API's request body, and the fields of its form on a screen.
    input: type[serializers.Serializer]
    # The OpenAPI summary of its endpoint.
    summary: str
    # The service's keyword for the id of the object acted on.
    target: str
    # Raises a Conflict when the object's state does not allow the action;
    # run before the input's fields are validated (None: only the service checks).
    check: Callable[[Any], None] | None = None
    service: Callable[..., Any] | None = field(default=None, repr=False)

    def run(self, *, actor: Any, target_id: int, **data: Any) -> Any:
        """Run the action's service. Raises what the service raises."""
        if self.service is None:
            raise LookupError(f"no service implements the action {self.name!r}")
        return self.service(actor=actor, **{self.target: target_id}, **data)


def implements(action: Action) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Mark a service function as the one that runs `action`."""

    def decorate(service: Callable[..., Any]) -> Callable[..., Any]:
        action.service = service
        return service

    return decorate


def text_input(label, max_length: int, *, required: bool = True, **extra) -> serializers.CharField:
    """A free-text input of an action, shown as a text box; optional ones default to ""."""
    optional = {} if required else {"required": False, "allow_blank": True, "default": ""}
    return serializers.CharField(label=label, max_length=max_length, style={"base_template": "textarea.html"},
                                 **optional, **extra)


# --- The API endpoint ----------------------------------------------------------------


def api_endpoint(action: Action, *, response: type[serializers.Serializer],
                 answer: Callable[[Any, Any], Response]) -> Callable[..., Any]:
    """A viewset's `POST {object}/{action.name}/`: 404 for an object the user
    may not see, 400 for a body that cannot be read, 403 for a role without
    the action's permission, 409 when the object's state does not allow the
    action (before the fields are validated: the real obstacle, not a missing
    field), 400 with field messages for bad input; else the service runs and
    `answer(viewset, result)` is the response. Its schema documents the
    request body and the answer (the errors: core.schema)."""

    def endpoint(self, request, pk=None):
        target = self.get_object()
        body = request.data  # unreadable JSON: 400 here
        if not isinstance(body, Mapping):
            # No object at all ("[]", "null"): 400 as unreadable, in DRF's words.
            action.input(data=body).is_valid(raise_exception=True)
        require_perm(request.user, action.permission)
        if action.check is not None:
            action.check(target)
        data = action.input(data=body)
        data.is_valid(raise_exception=True)
        return answer(self, action.run(actor=request.user, target_id=target.pk, **data.validated_data))

    endpoint.__name__ = action.name
    endpoint.__doc__ = action.summary
    routed = drf_action(detail=True, methods=["post"], url_path=action.name)(endpoint)
    # Applied over DRF's action(), which would otherwise replace the schema.
    return extend_schema(request=action.input, responses={200: response}, summary=action.summary)(routed)


def with_endpoints(actions: list[Action], *, response: type[serializers.Serializer],
                   answer: Callable[[Any, Any], Response]) -> Callable[[type], type]:
    """A viewset class decorator: an `api_endpoint` for each action."""

    def decorate(viewset: type) -> type:
        for action in actions:
            setattr(viewset, action.name, api_endpoint(action, response=response, answer=answer))
        return viewset

    return decorate


# --- The form on a screen ---------------------------------------------------------------
# Built from the input's fields, with the same limits; a screen validates with
# it and hands the cleaned values to the same service. A field that names an
# object by id gets its choices from the screen (`options`).


def _form_field(field: serializers.Field, options: list[tuple[Any, str]] | None) -> forms.Field:
    common = {"label": field.label, "required": field.required, "help_text": field.help_text or "",
              "error_messages": {"required": field.error_messages["required"]}}
    if options is not None:
        return forms.TypedChoiceField(choices=[("", _("Choose…")), *options], coerce=int, empty_value=None, **common)
    if isinstance(field, serializers.BooleanField):
        return forms.BooleanField(**{**common, "required": False})
    if isinstance(field, serializers.ChoiceField):
        return forms.ChoiceField(choices=list(field.choices.items()), **common)
    if isinstance(field, serializers.DateTimeField):
        widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
        return forms.DateTimeField(widget=widget, **common)
    if isinstance(field, serializers.DecimalField):
        return forms.DecimalField(max_digits=field.max_digits, decimal_places=field.decimal_places,
                                  min_value=field.min_value, **common)
    if isinstance(field, serializers.IntegerField):
        return forms.IntegerField(min_value=field.min_value, max_value=field.max_value, **common)
    widget = forms.Textarea(attrs={"rows": 2}) if field.style.get("base_template") == "textarea.html" else None
    return forms.CharField(max_length=field.max_length, widget=widget, **common)


def form_class(action: Action, *, options: dict[str, list[tuple[Any, str]]] | None = None,
               required: list[str] | tuple[str, ...] = ()) -> type[forms.Form]:
    """A Django form with the fields of the action's input; `options` gives
    the choices of fields that name an object by id; `required` makes
    optional input fields required on this screen."""
    options = options or {}
    fields = {}
    for name, f in action.input().fields.items():
        fields[name] = _form_field(f, options.get(name))
        if name in required:
            fields[name].required = True
    return type(f"{action.name.title().replace('_', '')}Form", (forms.Form,), fields)


def service_arguments(action: Action, cleaned: dict[str, Any]) -> dict[str, Any]:
    """A valid form's values as the service's keyword arguments (a field's
    `source` when it has one: `worker` arrives as `worker_id`)."""
    return {f.source: cleaned[name] for name, f in action.input().fields.items() if name in cleaned}
