"""The hash-chained, append-only audit log: writing, querying, streaming, verifying, checkpoints."""
