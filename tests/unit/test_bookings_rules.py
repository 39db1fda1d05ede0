"""What a resident presents at the kiosk's check-in field, and what a scanned ticket that is not missed says."""

from __future__ import annotations

import pytest

from kiosk.domain import bookings as rules
from kiosk.domain.errors import BadRequest


def test_a_slip_link_a_ticket_link_and_a_typed_code_are_told_apart():
    assert rules.read_presented("http://kios.local/b/AbCdEfGh12") == rules.Presented(token="AbCdEfGh12")
    assert rules.read_presented(" http://kios.local/t/AbCdEfGh12/ ") == rules.Presented(ticket_token="AbCdEfGh12")
    assert rules.read_presented("k7m 3qx") == rules.Presented(code="K7M3QX")
    assert rules.read_presented("http://kios.local/x/AbCdEfGh12") == rules.Presented(code="")  # neither: unknown
    assert rules.read_presented("http://kios.local/t/short") == rules.Presented(code="")  # a token is 8+ characters
    with pytest.raises(BadRequest):
        rules.read_presented("")


@pytest.mark.parametrize(
    "status, words",
    [
        ("waiting", "masih dalam antrean"),
        ("called", "menuju loket"),
        ("serving", "sedang dilayani"),
        ("done", "ambil nomor baru"),
        ("cancelled", "ambil nomor baru"),
    ],
)
def test_a_ticket_that_was_not_missed_says_what_to_do_instead(status, words):
    message = rules.not_missed(status, "B-001")
    assert words in message and "B-001" in message
