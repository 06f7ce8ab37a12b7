"""What a user can do to a subscription, each declared once (core.actions):
its API endpoint is built from it, its service is marked `@implements` in
subscriptions.services."""

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from core.actions import Action
from core.errors import Conflict
from subscriptions.models import Subscription

Status = Subscription.Status


class SubscriptionNoteInput(serializers.Serializer):
    note = serializers.CharField(label=gettext_lazy("Note"), required=False, allow_blank=True, default="",
                                 max_length=2000)


@dataclass(eq=False)
class SubscriptionAction(Action):
    target: str = "subscription_id"
    # The statuses it runs from, and the one it leaves the subscription in.
    sources: tuple[str, ...] = ()
    to: str = ""

    def __post_init__(self) -> None:
        self.check = self.possible

    def possible(self, subscription: Subscription) -> None:
        """Raise Conflict unless the subscription's status allows this."""
        if subscription.status not in self.sources:
            raise Conflict(
                _("The subscription is %(status)s; this is not possible now.")
                % {"status": subscription.get_status_display()},
                state=subscription.status,
            )


def _move(name: str, label, summary: str, sources: tuple[str, ...], to: str) -> SubscriptionAction:
    return SubscriptionAction(name=name, label=label, permission="subscriptions.change_subscription", input=SubscriptionNoteInput,
                              summary=summary, sources=sources, to=to)


PAUSE = _move("pause", gettext_lazy("Pause"), "Stop creating orders until resumed", (Status.ACTIVE,), Status.PAUSED)
RESUME = _move("resume", gettext_lazy("Resume"), "Create orders again from the next occurrence", (Status.PAUSED,),
               Status.ACTIVE)
END = _move("end", gettext_lazy("End"), "End the subscription now", (Status.ACTIVE, Status.PAUSED), Status.ENDED)

ACTIONS = {action.name: action for action in [PAUSE, RESUME, END]}
