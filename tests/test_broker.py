"""The embedded broker (plumbing.broker): a message file is visible to a consumer only once it
is written whole. Real kombu connections on a real folder, a writer and a thread watching the
folder as a consumer's `_get` does; no mocks."""

from __future__ import annotations

import contextlib
import os
import threading

from kombu import Connection


def connection(folder, transport):
    queue = folder / "queue"
    queue.mkdir(exist_ok=True)
    return Connection(
        "filesystem://",
        transport=transport,
        transport_options={
            "data_folder_in": str(queue),
            "data_folder_out": str(queue),
            "processed_folder": str(folder / "processed"),
            "control_folder": str(folder / "control"),
            "store_processed": False,
        },
    )


def sizes_seen_while_writing(folder, transport, megabytes=40):
    """Put one large message while another thread lists the queue folder and notes the size of
    every file a consumer would take (`*.msg`); returns those sizes and the final one."""
    seen: set[int] = set()
    done = threading.Event()
    queue = folder / "queue"

    def watch():
        while not done.is_set():
            for name in os.listdir(queue):
                if name.partition(".")[2] == "big.msg":  # what kombu's _get picks
                    with contextlib.suppress(FileNotFoundError):  # taken meanwhile
                        seen.add(os.path.getsize(queue / name))

    with connection(folder, transport) as conn:
        q = conn.SimpleQueue("big")
        watcher = threading.Thread(target=watch)
        watcher.start()
        try:
            q.put({"body": "x" * (megabytes * 1_000_000)})
        finally:
            done.set()
            watcher.join()
        (final,) = [os.path.getsize(queue / n) for n in os.listdir(queue) if n.endswith(".msg")]
        message = q.get(timeout=5)
        assert len(message.payload["body"]) == megabytes * 1_000_000
        message.ack()
    return seen, final


def test_a_consumer_never_sees_a_message_file_before_it_is_written_whole(tmp_path):
    seen, final = sizes_seen_while_writing(tmp_path, "plumbing.broker:Transport")
    assert seen <= {final}, f"a consumer could have read {sorted(seen)[:3]} of {final} bytes"


def test_the_settings_use_the_whole_message_transport_without_redis(settings):
    from kombu import Connection as KombuConnection

    from plumbing.broker import Transport

    if not settings.CELERY_BROKER_URL.startswith("redis"):
        # the URL alone names the transport (what a test's dead-broker URL relies on)
        assert KombuConnection(settings.CELERY_BROKER_URL).get_transport_cls() is Transport
