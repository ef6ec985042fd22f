"""The /api/v1 JSON API: the public programme (read) and the organiser API (bearer tokens)."""

# Merged into the generated OpenAPI document (see create_app).
SPEC_OPTIONS = {
    "info": {
        "description": (
            "Read the public programme of eventhub, and (with a personal access token from "
            "`flask --app wsgi eventhub create-token EMAIL`, sent as `Authorization: Bearer …`) "
            "create and change series and sessions. Times are ISO 8601 with their UTC offset."
        )
    },
    "components": {
        "securitySchemes": {
            "bearerAuth": {
                "type": "http",
                "scheme": "bearer",
                "description": "A personal access token of an organiser.",
            }
        }
    },
}
