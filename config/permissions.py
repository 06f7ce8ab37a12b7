"""API permission classes: a view names the Django permissions each action needs."""

from rest_framework.permissions import BasePermission


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
