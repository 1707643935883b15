"""Reads the shop's content files (journey map, replies, catalogue, FAQ, facts) into a ``Shop``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from journeys.facts import ShopFacts
from journeys.journey_map import JourneyMap
from journeys.shop import Shop, shop_facts

FILES = ("journey_map.yml", "replies.yml", "catalogue.yml")
OPTIONAL_FILES = ("faq.yml", "facts.yml")
CATALOGUE_FILE = "catalogue.yml"


class ShopFilesError(Exception):
    """A content file is missing or is not valid YAML; the message names the file."""


def read_yaml(path: Path) -> Any:
    """Parse one YAML file, naming the file and line on a syntax error."""
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.safe_load(fh)
    except FileNotFoundError as exc:
        raise ShopFilesError(f"{path}: file not found") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        raise ShopFilesError(f"{where}: invalid YAML: {getattr(exc, 'problem', exc)}") from exc


def load_shop(directory: Path, catalogue: Any = None) -> Shop:
    """Build the ``Shop`` from ``journey_map.yml``, ``replies.yml``, ``catalogue.yml`` and,
    when the shop has them, ``faq.yml`` and ``facts.yml``; ``catalogue`` (parsed) stands in
    for the file."""
    journey_map, replies = (read_yaml(directory / name) for name in FILES[:2])
    if catalogue is None:
        catalogue = read_yaml(directory / CATALOGUE_FILE)
    faq, facts = (
        read_yaml(path) if path.exists() else None
        for path in (directory / name for name in OPTIONAL_FILES)
    )
    return Shop.from_mappings(journey_map, replies, catalogue, faq, facts)


def load_facts(directory: Path, catalogue: Any) -> ShopFacts:
    """The shop's facts alone (empty without ``facts.yml``), for checking catalogue rows
    before the whole shop is loaded; ``catalogue`` (parsed) gives the currency."""
    path = directory / OPTIONAL_FILES[1]
    journey_map = JourneyMap.from_mapping(read_yaml(directory / FILES[0]))
    return shop_facts(read_yaml(path) if path.exists() else None, journey_map, catalogue)
