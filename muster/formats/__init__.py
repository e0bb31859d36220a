"""Date formats: ISO dates everywhere, as in the mandate files and the engine's notes."""
