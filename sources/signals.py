"""Signals other apps listen to. `sources` never imports `claims`: claims connects receivers.

The first two are sent once per outcome, after the outcome is committed, with `send_robust` (a failing
receiver is logged and never undoes an archive).

- `snapshot_archived(sender=Snapshot, snapshot=<Snapshot>)`: the snapshot is `archived`; its
  `text`, `sha256` and `drift` (against the previous snapshot of a re-check) are set.
- `snapshot_failed(sender=Snapshot, snapshot=<Snapshot>)`: the snapshot ended `failed` for good
  (permanent error or attempts used up); `drift` is `vanished` when a re-check found 404/410.
- `snapshot_state_written(sender=Snapshot, snapshot_ids=[...])`: `sources.services` changed the
  state of these snapshots (reserved, archived, failed, back to pending); sent inside the
  writing transaction with `send`, so what is derived from a snapshot's state (the claims'
  stored suggestions) is rewritten in the same commit, and a failing receiver undoes the write.
"""

from __future__ import annotations

from django.dispatch import Signal

snapshot_archived = Signal()
snapshot_failed = Signal()
snapshot_state_written = Signal()
