"""People, licenses, training records and their compliance standing."""
