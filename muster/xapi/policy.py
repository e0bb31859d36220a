"""Rules some LRS clients follow beyond xAPI's own: a hook other apps fill in.

The LRS knows nothing of who its clients are. An app that hands out narrower
credentials registers a `ClientPolicy` for them at start-up: cmi5 does
(muster.packages.cmi5), for the one-session credential an AU fetches, which may
only send its own session's statements in cmi5's order and touch its own
learner's documents. A client no policy claims is an ordinary agency client.
"""

from __future__ import annotations

from contextlib import nullcontext


class ClientPolicy:
    """What a policy may add; each method may raise Refused or Invalid."""

    def applies(self, client) -> bool:
        return False

    def serialized(self, client):
        """The context a batch is checked, stored and followed up in (`stored`):
        a policy whose rules read what earlier batches left (cmi5's one Passed per
        registration) returns one that holds a lock to the end of its
        transaction, so that two batches arriving together are judged one after
        the other, never both against the state before either."""
        return nullcontext()

    def check_statements(
        self, client, statements: list[dict], *, without_id=frozenset()
    ) -> None:
        """Refuse the batch (nothing stored) if the client may not send it.
        `without_id`: the indexes of statements that came without an id (the LRS
        has given them one since)."""

    def stored(self, client, rows) -> None:
        """After the batch is stored (in place of the xAPI completion mapping)."""

    def check_request(self, client, resource: str, xrequest) -> None:
        """Refuse a request to `resource` (the handler's name: "state",
        "agent_profile"...) before it is handled."""

    def reading_agent(self, client) -> str | None:
        """The only agent (agent_key) whose statements the client may read."""
        return None


POLICIES: list[ClientPolicy] = []


def register(policy: ClientPolicy) -> None:
    if not any(type(p) is type(policy) for p in POLICIES):
        POLICIES.append(policy)


def for_client(client) -> ClientPolicy | None:
    if client is None:
        return None
    return next((p for p in POLICIES if p.applies(client)), None)
