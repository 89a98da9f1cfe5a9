"""JSON Schemas of the API: request bodies (validated, and documented) and answers (documented,
and checked against real answers by tests/service/test_openapi.py). One module per concept."""
