"""/verify/ without a code is a lookup box, and a typed code opens its page."""

from django.test import override_settings

from muster.test import BaseTestCase


@override_settings(DEBUG=False)
class VerifyLookupTestCase(BaseTestCase):
    def test_it_shows_a_lookup_box_without_a_code(self) -> None:
        response = self.client.get("/verify/")
        self.assertContains(response, '<form method="get" action="/verify/"')
        self.assertContains(response, 'name="code"')
        self.assertNotContains(response, "URLconf")

    def test_it_sends_a_typed_code_to_its_page_normalised(self) -> None:
        response = self.client.get("/verify/", {"code": " abcd efgh-jkLM npqr "})
        self.assertRedirects(
            response, "/verify/ABCD-EFGH-JKLM-NPQR/", target_status_code=404
        )

    def test_an_empty_or_blank_code_stays_on_the_box(self) -> None:
        for code in ("", "  ", "--"):
            response = self.client.get("/verify/", {"code": code})
            self.assertEqual(response.status_code, 200)
            self.assertContains(response, 'name="code"')

    def test_an_unknown_code_says_not_found_and_offers_the_box_again(self) -> None:
        response = self.client.get("/verify/ABCD-EFGH-JKLM-NPQR/")
        self.assertContains(response, "Not found", status_code=404)
        self.assertContains(response, "Check another code", status_code=404)
