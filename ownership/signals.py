"""Signals other apps listen to. `ownership` never imports `claims`: claims connects receivers.

- `register_changed(sender=<module name>)`: a bulk write of entities, ownership edges or
  domains (an import) that sends no model signals; sent inside its transaction, with `send`
  (a failing receiver rolls the import back: what depends on the register must follow it).
"""

from __future__ import annotations

from django.dispatch import Signal

register_changed = Signal()
