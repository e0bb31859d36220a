"""A coordinator's first sign-in: forced to enrol TOTP, then signs in with a code."""

import time

import pyotp
import pytest
import time_machine

from muster.accounts.choices import Role
from muster.agencies.choices import AgencyKind
from muster.agencies.models import Agency
from muster.test import PASSWORD, make_person, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, url: str) -> None:
    page.goto(f"{url}/")
    page.fill("#id_login", "alice")
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")


def next_window(totp: pyotp.TOTP, clock) -> None:
    """Move the clock (this process's: the live server's too) to the start of the
    next 30-second window, so that a new code is due and has its whole window
    left when the server checks it, however slow the machine. No waiting."""
    now = time.time()
    clock.move_to(now - now % totp.interval + totp.interval + 0.5)


def test_a_coordinator_enrols_totp_then_signs_in_with_a_code(
    live_server, page, settings, artifacts_dir
):
    with time_machine.travel(time.time(), tick=True) as clock:
        enrol_then_sign_in(live_server, page, settings, artifacts_dir, clock)


def enrol_then_sign_in(live_server, page, settings, artifacts_dir, clock) -> None:
    settings.MUSTER_REQUIRE_MFA = True
    agency = Agency.objects.create(
        name="Riverton Police Department",
        code="riverton-pd",
        kind=AgencyKind.POLICE_DEPARTMENT,
        state="MO",
    )
    bob = make_person("Bob", "Baker", agency)
    make_user("alice", (Role.COORDINATOR, agency))
    # The Content Security Policy allows no inline script or style: any page that
    # relies on one reports a violation in the console.
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            "Content Security Policy" in message.text
            and violations.append(message.text)
        ),
    )

    # First sign-in: the password is accepted, then enrolment is the only way on.
    sign_in(page, live_server.url)
    page.wait_for_url("**/accounts/reauthenticate/**")
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/accounts/2fa/totp/activate/")
    page.goto(f"{live_server.url}/people/{bob.pk}/")
    page.wait_for_url("**/accounts/2fa/totp/activate/")
    page.screenshot(path=artifacts_dir / "mfa-enrolment.png", full_page=True)

    secret = page.input_value("#authenticator_secret")
    totp = pyotp.TOTP(secret)
    next_window(totp, clock)
    enrolment_code = totp.now()
    page.fill("#id_code", enrolment_code)
    page.click("main button[type=submit]")
    page.wait_for_url("**/accounts/2fa/recovery-codes/")
    page.screenshot(path=artifacts_dir / "mfa-recovery-codes.png", full_page=True)

    page.click("header button:has-text('Sign out')")
    page.wait_for_url("**/accounts/login/")

    # A code is accepted once: the sign-in uses the next window's.
    sign_in(page, live_server.url)
    page.wait_for_url("**/accounts/2fa/authenticate/")
    page.screenshot(path=artifacts_dir / "mfa-code-prompt.png", full_page=True)
    next_window(totp, clock)
    assert totp.now() != enrolment_code
    page.fill("#id_code", totp.now())
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/agencies/riverton-pd/")
    assert "Riverton Police Department" in page.locator("h1").inner_text()
    assert page.get_by_text("Baker").first.is_visible()
    page.screenshot(path=artifacts_dir / "mfa-signed-in-home.png", full_page=True)
    page.goto(f"{live_server.url}/people/{bob.pk}/")
    assert page.locator("h1").inner_text() == "Bob Baker"
    assert violations == []
