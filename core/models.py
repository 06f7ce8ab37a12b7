"""Model mixins every app may use."""


class AppendOnly:
    """For a model whose rows are a record: written once, never changed or
    deleted (history, access logs, notes on a complaint)."""

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValueError(f"{type(self).__name__} rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError(f"{type(self).__name__} rows are never deleted")
