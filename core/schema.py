"""The OpenAPI schema's shared parts: every operation documents the error
shape of `core.exception_handler`, and a POST that takes nothing documents an
empty body. Loaded when core is ready (drf-spectacular's extensions register
on import)."""

from drf_spectacular.extensions import OpenApiSerializerExtension

ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "fields": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
    },
    "required": ["detail", "code"],
}

# Statuses any operation may answer with the error shape; those that take a
# body can also refuse it (409 a conflict, 413 too large, 415 not JSON).
_EVERY_OPERATION = {
    "400": "Bad input, with field messages",
    "401": "Not logged in",
    "403": "The role may not",
    "404": "Unknown or invisible object",
    "429": "Too many requests",
}
_WITH_A_BODY = {"409": "A conflict: the object is not in a state that allows this", "413": "Request too large",
                "415": "Not a supported media type"}


def document_errors(result: dict, generator, request, public) -> dict:
    """drf-spectacular postprocessing hook: every operation documents the
    error answers of `core.exception_handler`, so clients and the schema tests know
    an error is JSON with `detail`, `code` and perhaps `fields`."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    reference = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            statuses = dict(_EVERY_OPERATION)
            if method in ("post", "put", "patch"):
                statuses.update(_WITH_A_BODY)
            responses = operation.setdefault("responses", {})
            for status_code, description in statuses.items():
                documented = responses.setdefault(status_code, {"description": description})
                documented.setdefault("content", reference)
    return result


class EmptyInputSchema(OpenApiSerializerExtension):
    """core.rest.EmptyInput in the schema: an object the endpoint reads
    nothing from (drf-spectacular would otherwise drop a body without fields,
    and the operation would document no request body)."""

    target_class = "core.rest.EmptyInput"

    def map_serializer(self, auto_schema, direction) -> dict:
        return {"type": "object", "additionalProperties": True,
                "description": "Nothing is read from the body: send {} or nothing."}
