"""The OpenAPI 3.1 description of API v1 (shared/design/api.md), served at /api/v1/openapi.json."""

_ERROR = {"$ref": "#/components/schemas/Error"}
_DATETIME = {"type": "string", "format": "date-time", "description": "ISO 8601 with the branch's UTC offset"}


def _error_response(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": _ERROR}}}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


_REFERENCE = {"name": "reference", "in": "path", "required": True,
              "schema": {"type": "string", "maxLength": 32}}
_BEARER = [{"bearer": []}]

SCHEMAS = {
    "Error": {
        "type": "object", "required": ["error", "message"],
        "properties": {"error": {"type": "string"}, "message": {"type": "string"},
                       "fields": {"type": "object", "additionalProperties": {"type": "string"}}},
    },
    "Branch": {
        "type": "object", "required": ["slug", "name", "address", "timezone"],
        "properties": {"slug": {"type": "string"}, "name": {"type": "string"},
                       "address": {"type": "string"}, "timezone": {"type": "string"}},
    },
    "Service": {
        "type": "object", "required": ["slug", "name", "kind", "duration_minutes"],
        "properties": {"slug": {"type": "string"}, "name": {"type": "string"},
                       "kind": {"enum": ["appointment", "event"]},
                       "duration_minutes": {"type": "integer", "minimum": 1}},
    },
    "Volunteer": {
        "type": ["object", "null"], "required": ["id", "first_name"],
        "properties": {"id": {"type": "integer"}, "first_name": {"type": "string"}},
    },
    "Slot": {
        "type": "object",
        "required": ["id", "start", "end", "service", "branch", "volunteer", "places_left"],
        "properties": {"id": {"type": "string", "description": "opaque"}, "start": _DATETIME, "end": _DATETIME,
                       "service": {"type": "string"}, "branch": {"type": "string"},
                       "volunteer": {"$ref": "#/components/schemas/Volunteer"},
                       "places_left": {"type": "integer", "minimum": 0}},
    },
    "NewBooking": {
        "type": "object", "required": ["slot", "name"],
        "properties": {
            "slot": {"type": "string", "minLength": 1}, "name": {"type": "string", "minLength": 1, "maxLength": 80},
            "email": {"type": ["string", "null"], "maxLength": 254},
            "phone": {"type": ["string", "null"], "maxLength": 32},
            "topic": {"type": ["string", "null"]}, "language": {"enum": ["nl", "en"]},
            "referral": {"type": ["string", "null"]},
        },
        "description": "A first name and an e-mail address or phone number. Unknown fields are ignored.",
    },
    "Booking": {
        "type": "object",
        "required": ["reference", "status", "start", "end", "service", "branch", "manage_url", "calendar_url"],
        "properties": {
            "reference": {"type": "string"}, "token": {"type": "string", "description": "only when created"},
            "status": {"enum": ["confirmed", "waitlisted", "cancelled", "attended", "no_show"]},
            "waitlist_position": {"type": "integer", "minimum": 1},
            "start": _DATETIME, "end": _DATETIME, "service": {"type": "string"}, "branch": {"type": "string"},
            "volunteer": {"$ref": "#/components/schemas/Volunteer"},
            "name": {"type": ["string", "null"]}, "topic": {"type": ["string", "null"]},
            "language": {"type": "string"},
            "manage_url": {"type": "string", "format": "uri"}, "calendar_url": {"type": "string", "format": "uri"},
        },
    },
    "Cancelled": {
        "type": "object", "required": ["reference", "status"],
        "properties": {"reference": {"type": "string"}, "status": {"const": "cancelled"}},
    },
}


def openapi_document() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {"title": "Spreekuur booking API", "version": "1.0.0",
                 "description": "Book library appointments and places in sessions."},
        "servers": [{"url": "/api/v1"}],
        "paths": {
            "/branches": {"get": {"operationId": "listBranches", "responses": {
                "200": _json({"type": "array", "items": {"$ref": "#/components/schemas/Branch"}}, "Branches")}}},
            "/services": {"get": {"operationId": "listServices", "responses": {
                "200": _json({"type": "array", "items": {"$ref": "#/components/schemas/Service"}}, "Services")}}},
            "/slots": {"get": {
                "operationId": "listSlots",
                "parameters": [
                    {"name": "service", "in": "query", "required": True, "schema": {"type": "string"}},
                    {"name": "branch", "in": "query", "schema": {"type": "string"}},
                    {"name": "from", "in": "query", "schema": {"type": "string", "format": "date"}},
                    {"name": "to", "in": "query", "schema": {"type": "string", "format": "date"},
                     "description": "inclusive; at most 92 days after from"},
                    {"name": "volunteer", "in": "query", "schema": {"type": "integer"}},
                ],
                "responses": {
                    "200": _json({"type": "array", "items": {"$ref": "#/components/schemas/Slot"}}, "Free slots"),
                    "400": _error_response("Bad dates or range"),
                    "404": _error_response("Unknown service or branch"),
                }}},
            "/bookings": {"post": {
                "operationId": "createBooking",
                "requestBody": {"required": True, "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/NewBooking"}}}},
                "responses": {
                    "201": _json({"$ref": "#/components/schemas/Booking"}, "Booked or on the waiting list"),
                    "400": _error_response("Not a JSON object"),
                    "404": _error_response("Unknown slot"),
                    "409": _error_response("slot_taken or full"),
                    "415": _error_response("Not JSON"),
                    "422": _error_response("Invalid fields"),
                    "429": _error_response("Rate limited"),
                }}},
            "/bookings/{reference}": {"get": {
                "operationId": "getBooking", "security": _BEARER, "parameters": [_REFERENCE],
                "responses": {"200": _json({"$ref": "#/components/schemas/Booking"}, "The booking"),
                              "404": _error_response("Wrong reference or token")}}},
            "/bookings/{reference}/cancel": {"post": {
                "operationId": "cancelBooking", "security": _BEARER, "parameters": [_REFERENCE],
                "responses": {"200": _json({"$ref": "#/components/schemas/Cancelled"}, "Cancelled (also again)"),
                              "404": _error_response("Wrong reference or token"),
                              "422": _error_response("Cannot be cancelled any more")}}},
            "/bookings/{reference}/reschedule": {"post": {
                "operationId": "rescheduleBooking", "security": _BEARER, "parameters": [_REFERENCE],
                "requestBody": {"required": True, "content": {"application/json": {"schema": {
                    "type": "object", "required": ["slot"],
                    "properties": {"slot": {"type": "string", "minLength": 1}}}}}},
                "responses": {"200": _json({"$ref": "#/components/schemas/Booking"}, "Moved"),
                              "400": _error_response("Not a JSON object"),
                              "404": _error_response("Wrong reference, token or slot"),
                              "409": _error_response("The new time was just taken; nothing changed"),
                              "415": _error_response("Not JSON"),
                              "422": _error_response("Invalid; nothing changed"),
                              "429": _error_response("Rate limited")}}},
            "/openapi.json": {"get": {"operationId": "openapi", "responses": {
                "200": {"description": "This document", "content": {"application/json": {}}}}}},
        },
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "description": "The booking's token, returned once on creation"}},
        },
    }
