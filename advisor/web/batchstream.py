"""Batch triage over HTTP: a file of cases in, its decision lines streamed out.

The records are read and decided by the same code as `advisor triage batch`
(`advisor.triage.records`, `run_batch`), so a file gives the same lines, error records
included, byte for byte. Deciding is CPU work: it runs in a worker thread, which hands
each chunk of lines to the response through a small queue (a slow client slows the
thread down instead of filling the memory; a client that goes away stops it).

Each batch has a decider of its own over the app's table (the table is read-only; the
decider's memo is the batch's own, as in a `triage batch` process).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from datetime import date
from typing import IO, Final

from advisor.engine import Decider
from advisor.errors import AdvisorError
from advisor.triage.batch import run_batch
from advisor.triage.records import csv_items, jsonl_items

FORMATS: Final = ("jsonl", "csv")
_QUEUE: Final = 8
_PUT_TIMEOUT: Final = 300.0


class _Stopped(AdvisorError):
    """The response was abandoned (the client went away): stop deciding."""


_DONE: Final = object()


async def decision_lines(
    decider: Decider, source: IO[bytes], fmt: str, encoding: str
) -> AsyncIterator[bytes]:
    """The UTF-8 decision lines of every record of `source` (a binary file, read from the
    start), in order; `fmt` is "jsonl" or "csv", `encoding` a codec that
    `records.check_encoding` accepted."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[object] = asyncio.Queue(_QUEUE)
    stop = threading.Event()
    batch_decider = Decider(decider.book, decider.table)

    def put(item: object) -> None:
        future = asyncio.run_coroutine_threadsafe(queue.put(item), loop)
        try:
            future.result(_PUT_TIMEOUT)
        except TimeoutError:
            future.cancel()
            raise _Stopped("the client stopped reading") from None

    class QueueWriter:
        def write(self, text: str, /) -> int:
            if stop.is_set():
                raise _Stopped("the response was abandoned")
            if text:
                put(text.encode("utf-8"))
            return len(text)

    def work() -> None:
        try:
            if fmt == "csv":
                header, items = csv_items(source, encoding)
                run_batch(batch_decider, items, QueueWriter(), header=header, today=date.today())
            else:
                items = jsonl_items(source, encoding)
                run_batch(batch_decider, items, QueueWriter(), today=date.today())
        except _Stopped:
            return
        except BaseException as exc:  # handed to the response, which raises it
            if not stop.is_set():
                put(exc)
            return
        if not stop.is_set():
            put(_DONE)

    worker = loop.run_in_executor(None, work)
    try:
        while True:
            item = await queue.get()
            if item is _DONE:
                break
            if isinstance(item, BaseException):
                raise item
            assert isinstance(item, bytes)
            yield item
    finally:
        stop.set()
        # A put the worker is waiting on must be able to finish, so that it sees `stop`
        # and ends by itself; nothing here waits for it.
        while not queue.empty():
            queue.get_nowait()
        worker.add_done_callback(lambda done: done.cancelled() or done.exception())
