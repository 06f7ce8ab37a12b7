"""Reading values from query strings, for every app's API (realtime's too,
which imports nothing from the domain apps)."""

# The largest id a bigint column holds; a larger number is no id of ours.
MAX_ID = 2**63 - 1


def query_id(raw: str) -> int | None:
    """An object id read from a query string: ASCII digits within the id
    range, else None. (`str.isdigit` alone lets through "²", which int()
    refuses, and numbers no database column can compare with.)"""
    if raw.isascii() and raw.isdigit() and int(raw) <= MAX_ID:
        return int(raw)
    return None
