"""The person page shows what a mandate file says the law leaves unclear: a note
about some requirements beside their figures, the others under the mandate."""

import re

import time_machine
from django.utils.html import escape

from muster.rules import load_mandates
from muster.test import BaseTestCase

UNCLEAR = "The regulatory text adding implicit bias and de-escalation was not found"


@time_machine.travel("2026-11-27 12:00:00+00:00", tick=False)
class UncertainNotesTestCase(BaseTestCase):
    def test_a_note_on_a_requirement_is_beside_its_figures(self) -> None:
        self.client.force_login(self.alice)
        page = self.client.get(f"/people/{self.bob_person.pk}/").content.decode()
        rows = re.findall(
            r"<tr>\s*<td data-label=\"Requirement\">(.*?)</tr>", page, re.S
        )
        with_note = [row.split("<")[0] for row in rows if UNCLEAR in row]
        self.assertEqual(with_note, ["Implicit bias", "De-escalation"])
        # The mandate's other notes once, under its table.
        unclear, _, _ = page.partition("<h4>How each training line counted</h4>")
        section = unclear.split("What the rules leave unclear", 1)[1]
        mandate = load_mandates().mandate("us.mo.peace_officer")
        for note in mandate.uncertain_overall:
            self.assertIn(escape(note), section)
        self.assertNotIn(UNCLEAR, section)
        self.assertEqual(page.count(UNCLEAR), 2)
