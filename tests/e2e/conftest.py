"""End-to-end fixtures: the real embedded NLU, trained once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.app import product_lookup
from bot.settings import DEMO_SHOP, NluSettings
from bot.shop_files import load_shop
from nlu.embedded import EmbeddedBackend


@pytest.fixture(scope="session")
def embedded_nlu(tmp_path_factory: pytest.TempPathFactory) -> EmbeddedBackend:
    """The embedded classifier trained on nlu/data with the demo catalogue's products."""
    settings = NluSettings(_env_file=None)  # type: ignore[call-arg]
    return EmbeddedBackend.train_or_load(
        [settings.data],
        Path(tmp_path_factory.mktemp("nlu-cache")),
        lookups=(product_lookup(load_shop(DEMO_SHOP)),),
        threshold=settings.threshold,
    )
