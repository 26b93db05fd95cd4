"""The relay's event loop choice (MAILGUARD_EVENT_LOOP): uvloop when installed, unless told."""

from __future__ import annotations

import asyncio

import pytest
import uvloop

from mailguard import eventloop
from mailguard.settings import Settings


async def _loop_type() -> type:
    return type(asyncio.get_running_loop())


def test_auto_runs_on_uvloop_when_installed() -> None:
    assert Settings().event_loop == "auto"
    assert eventloop.run(_loop_type(), "auto") is uvloop.Loop
    assert eventloop.run(_loop_type(), "uvloop") is uvloop.Loop


def test_asyncio_is_asyncio_own_loop() -> None:
    assert not issubclass(eventloop.run(_loop_type(), "asyncio"), uvloop.Loop)
    assert eventloop.loop_factory("asyncio") is None


def test_unknown_choice_is_refused_by_the_settings() -> None:
    with pytest.raises(ValueError):
        Settings(event_loop="trio")
