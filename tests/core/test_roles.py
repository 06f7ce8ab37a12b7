"""The migrations grant every role exactly its permissions, although the
first role migration runs before the follow-up permissions exist."""

from django.contrib.auth.models import Group

from core.roles import role_permissions


def test_the_migrated_groups_hold_exactly_the_role_permissions(db):
    # No `users` fixture here: it would sync the groups again and hide a gap.
    for role, perms in role_permissions().items():
        group = Group.objects.get(name=str(role))
        held = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}
        assert held == set(perms), role
