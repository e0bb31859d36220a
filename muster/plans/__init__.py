"""Plans nobody else makes: the cheapest way to compliance, what-if rule changes,
and a state auditor's view (docs/plans.md)."""
