"""The snapshot the app serves now; a reload swaps in a new one only when it is valid."""

from __future__ import annotations

from flask import current_app

from publisher.config import Settings
from publisher.snapshot import Snapshot


class PublisherState:
    def __init__(self, settings: Settings, snapshot: Snapshot):
        self.settings = settings
        self.snapshot = snapshot


def current_snapshot() -> Snapshot:
    return current_app.extensions["publisher"].snapshot
