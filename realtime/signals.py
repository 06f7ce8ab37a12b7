"""Django's own auth signals, turned into notices to the user's board sockets
(realtime.services.board_sockets_recheck): a logout, a token deleted, a
change of the user's groups, a deactivated or deleted user. Only Django's and
DRF's models are watched, so realtime still knows no domain app; whatever
changes a login or a role elsewhere (the admin, a management command, the
token revoke endpoint) closes the sockets it ends. Connected by
RealtimeConfig.ready()."""

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_out
from django.db.models.signals import m2m_changed, post_delete, post_save
from rest_framework.authtoken.models import Token

from realtime import services


def _logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is None:
        return
    session = getattr(request, "session", None)
    services.board_sockets_recheck(user_id=user.pk, ended_session=getattr(session, "session_key", None))


def _token_deleted(sender: Any, instance: Token, **kwargs: Any) -> None:
    services.board_sockets_recheck(user_id=instance.user_id)


def _user_saved(sender: Any, instance: Any, created: bool, update_fields: Any = None, **kwargs: Any) -> None:
    # Every login saves last_login: no reason to make the sockets check.
    if created or (update_fields and set(update_fields) <= {"last_login"}):
        return
    services.board_sockets_recheck(user_id=instance.pk)


def _user_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    services.board_sockets_recheck(user_id=instance.pk)


def _groups_changed(sender: Any, instance: Any, action: str, reverse: bool, pk_set: Any, **kwargs: Any) -> None:
    if not reverse:  # user.groups.add/remove/set/clear
        if action in ("post_add", "post_remove", "post_clear"):
            services.board_sockets_recheck(user_id=instance.pk)
        return
    # group.user_set...: the users are pk_set, except for a clear, whose
    # members are read before it (the notices still go after commit).
    if action in ("post_add", "post_remove"):
        user_ids = pk_set or ()
    elif action == "pre_clear":
        user_ids = instance.user_set.values_list("pk", flat=True)
    else:
        return
    for user_id in user_ids:
        services.board_sockets_recheck(user_id=user_id)


def connect() -> None:
    user_model = get_user_model()
    user_logged_out.connect(_logged_out, dispatch_uid="realtime.logged_out")
    post_delete.connect(_token_deleted, sender=Token, dispatch_uid="realtime.token_deleted")
    post_save.connect(_user_saved, sender=user_model, dispatch_uid="realtime.user_saved")
    post_delete.connect(_user_deleted, sender=user_model, dispatch_uid="realtime.user_deleted")
    groups = getattr(user_model, "groups", None)
    if groups is not None:  # a user model without PermissionsMixin has no groups
        m2m_changed.connect(_groups_changed, sender=groups.through, dispatch_uid="realtime.groups_changed")
