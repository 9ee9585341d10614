"""The embedded broker (no Redis): kombu's filesystem transport with each message written whole
before a consumer can see it.

kombu's own `_put` opens the message file under its final name and only then writes it, and
`_get` moves any `*.msg` file it lists without taking the writer's lock. A worker polling at
the wrong moment moved an empty file, failed to decode it ("JSONDecodeError: Expecting value")
and stopped with an unrecoverable error, taking `make run` down with it, while the message
being written was lost. Here the message is written under a name `_get` never picks (it does
not end in ".msg") and renamed into place, which is atomic on one file system.

Importing this module registers the URL scheme `SCHEME` with kombu, so the broker URL alone
("reexfs://") names this transport, as "redis://" names Redis: whatever points the app at
another URL (a test's dead broker) gets that URL's transport."""

from __future__ import annotations

import os
import uuid
from time import monotonic

from kombu.exceptions import ChannelError
from kombu.transport import TRANSPORT_ALIASES, filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        name = f"{round(monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        partial = os.path.join(self.data_folder_out, f".{name}.part")
        try:
            with open(partial, "wb") as f:
                f.write(str_to_bytes(dumps(payload)))
                f.flush()
                os.fsync(f.fileno())
            os.replace(partial, final)
        except OSError as exc:
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc


class Transport(filesystem.Transport):
    Channel = Channel


SCHEME = "reexfs"
TRANSPORT_ALIASES.setdefault(SCHEME, f"{__name__}:Transport")
