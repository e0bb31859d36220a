"""The Agents resource's Person object: every identifier known for one person.

xAPI (1.0.3 Part Three 2.4, 9274.1.1 alike) answers GET /agents with a Person
object "that combines the information of all the Agent Objects" the LRS knows
to be the same person, in arrays: name, mbox, mbox_sha1sum, openid, account.
The LRS knows that of Muster's own learners: an officer on the agency's current
staff is named in statements by Muster's own accounts (`person-<id>` from
online courses, `muster-person-<id>` from cmi5) and by their email address
(as completions find them). Any of these, or the email's SHA-1, finds the
officer, and the Person then holds them all. Any other agent is given back
as itself.

A client that a policy narrows (cmi5's one-session AU credential) gets no
joining: cmi5 keeps the learner's email out of the AU's reach (8.1, 9.2).
"""

from __future__ import annotations

import hashlib
import re

from django.db.models import QuerySet

from muster.agencies.models import Person
from muster.xapi.identity import agent_key, normal_iri, normal_mbox
from muster.xapi.models import lrs_home_page
from muster.xapi.validation import IFIS

MUSTER_ACCOUNT = re.compile(r"^(?:muster-)?person-(?P<pk>[0-9]+)$")


def person_object(agent: dict, staff: QuerySet[Person] | None) -> dict:
    """The Person object for `agent` (already checked to be an Agent), joined
    with what Muster knows of the one officer among `staff` it names (the
    client's agency's people, from muster.accounts.access; None: no joining)."""
    person: dict = {"objectType": "Person"}
    _add(person, "name", agent.get("name"))
    for ifi in IFIS:
        _add(person, ifi, agent.get(ifi))
    officer = None if staff is None else _officer(staff, agent)
    if officer is not None:
        _add(person, "name", officer.get_full_name())
        if officer.email:
            mbox = f"mailto:{officer.email}"
            _add(person, "mbox", mbox)
            _add(person, "mbox_sha1sum", mbox_sha1sum(mbox))
        for name in (f"person-{officer.pk}", f"muster-person-{officer.pk}"):
            _add(person, "account", {"homePage": lrs_home_page(), "name": name})
    return person


def mbox_sha1sum(mbox: str) -> str:
    """The SHA-1 of a mailto IRI, its domain in lower case (Part Two 2.4.2.3:
    clients "SHOULD use lowercase for the domain" when they hash)."""
    return hashlib.sha1(normal_mbox(mbox).encode(), usedforsecurity=False).hexdigest()


def _officer(staff: QuerySet[Person], agent: dict) -> Person | None:
    account = agent.get("account")
    if account is not None:
        match = MUSTER_ACCOUNT.match(account["name"])
        if match and normal_iri(account["homePage"]) == normal_iri(lrs_home_page()):
            return staff.filter(pk=int(match["pk"])).first()
        return None
    if "mbox" in agent:
        email = normal_mbox(agent["mbox"]).removeprefix("mailto:")
        return _only_one(staff.filter(email__iexact=email))
    if "mbox_sha1sum" in agent:
        wanted = agent["mbox_sha1sum"].lower()
        found = [
            person
            for person in staff.exclude(email="").only("pk", "email")
            if wanted
            in (
                mbox_sha1sum(f"mailto:{person.email}"),
                hashlib.sha1(
                    f"mailto:{person.email}".encode(), usedforsecurity=False
                ).hexdigest(),
            )
        ]
        return staff.get(pk=found[0].pk) if len(found) == 1 else None
    return None


def _only_one(people) -> Person | None:
    """The one person so named; none when two share it (a shared address
    names no one in particular)."""
    found = list(people[:2])
    return found[0] if len(found) == 1 else None


def _add(person: dict, key: str, value) -> None:
    """Add `value` to the Person's array, unless it holds the same identifier
    already (compared as agent keys compare: an mbox's domain without case)."""
    if value is None or value == "":
        return
    values = person.setdefault(key, [])
    if key == "name":
        same = value in values
    else:
        same = agent_key({key: value}) in {agent_key({key: v}) for v in values}
    if not same:
        values.append(value)
