"""Two reviewers decide the same claim at the same moment: exactly one wins.

Real threads, each with its own database connection, released together by a barrier. The
compare-and-swap on `version` in `claim_set_status` is what makes one of them lose: without
it both updates succeed and the audit trail gets two rows, and this test fails.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from claims.models import Claim, StatusChange
from claims.services.status import VersionConflict, claim_set_status
from tests.factories import ClaimFactory
from tests.test_suggestion import attach, build_world


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("status", ["state_sourced", "unverifiable"])
def test_two_simultaneous_decisions_one_wins_one_conflicts(reviewer, reviewer2, status):
    world = build_world()
    claim = ClaimFactory(origin=world.northern)
    if status == "state_sourced":
        attach(claim, "http://english.news.cn/a")  # the rule suggests state_sourced
    barrier = threading.Barrier(2, timeout=30)
    outcomes: dict[str, object] = {}

    def decide(actor) -> None:
        try:
            mine = Claim.objects.get(pk=claim.pk)  # each thread reads version 1 itself
            barrier.wait()
            claim_set_status(
                claim=mine,
                status=status,
                actor=actor,
                rationale=f"{actor.username} decides.",
                version=1,
            )
            outcomes[actor.username] = "won"
        except VersionConflict as exc:
            outcomes[actor.username] = exc
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            outcomes[actor.username] = repr(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=decide, args=(u,)) for u in (reviewer, reviewer2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads)

    winners = [u for u, o in outcomes.items() if o == "won"]
    losers = [o for o in outcomes.values() if isinstance(o, VersionConflict)]
    assert len(winners) == 1, outcomes
    assert len(losers) == 1, outcomes
    assert (losers[0].expected, losers[0].current) == (1, 2)

    rows = list(StatusChange.objects.filter(claim_id=claim.pk))
    assert len(rows) == 1
    assert rows[0].actor.username == winners[0]
    fresh = Claim.objects.get(pk=claim.pk)
    assert (fresh.status, fresh.version) == (status, 2)
