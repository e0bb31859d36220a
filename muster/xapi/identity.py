"""How the LRS names agents and groups: by their inverse functional identifier.

Two agents are the same when they share an identifier, whatever their names, so
indexes, documents and filters all use `agent_key`: "mbox:mailto:a@b.org",
"account:https://lms.example|ann" and so on.
"""

from __future__ import annotations

from typing import Any

from muster.xapi.validation import IFIS


def agent_key(actor: dict) -> str | None:
    """The identifier of an Agent or identified Group; None for an anonymous Group."""
    for ifi in IFIS:
        if ifi in actor:
            value = actor[ifi]
            if ifi == "account":
                return f"account:{value['homePage']}|{value['name']}"
            return f"{ifi}:{value}"
    return None


def actor_keys(actor: dict) -> list[str]:
    """The actor's own key and, for a Group, its members' keys."""
    keys = [agent_key(actor)]
    keys += [agent_key(member) for member in actor.get("member", [])]
    return [key for key in keys if key]


def ids_only(actor: dict) -> dict[str, Any]:
    """The actor as format=ids returns it: objectType and identifier (members for
    an anonymous Group)."""
    kind = actor.get("objectType", "Agent")
    result: dict[str, Any] = {"objectType": kind}
    for ifi in IFIS:
        if ifi in actor:
            result[ifi] = actor[ifi]
            return result
    if "member" in actor:
        result["member"] = [ids_only(member) for member in actor["member"]]
    return result
