"""What the admin may do with a model's rows, for every app's admin classes:
nothing is hard-deleted (DESIGN.md section 3); a record (history, an access
log, a complaint) is written once; rows that only a service writes are read-only
here. Each works for a ModelAdmin and for an inline."""


class NeverDeleted:
    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class AppendOnlyAdmin(NeverDeleted):
    def has_change_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyAdmin(AppendOnlyAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False
