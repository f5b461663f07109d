"""Request and response schemas of the HTTP API, one module per resource.

Following the schema-family habit: `XBase` holds the shared fields, `XCreate` / `XUpdate` what a
client sends, `XPublic` what the API answers; lists are `{items, total}` (`Page`).
"""
