"""The `muster` console command; see docs/cli.md."""
