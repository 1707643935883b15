"""Reads the shop's content files (journey map, replies, catalogue, FAQ) into a ``Shop``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from journeys.shop import Shop

FILES = ("journey_map.yml", "replies.yml", "catalogue.yml")
OPTIONAL_FILES = ("faq.yml",)
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
    when the shop has one, ``faq.yml``; ``catalogue`` (parsed) stands in for the file."""
    journey_map, replies = (read_yaml(directory / name) for name in FILES[:2])
    if catalogue is None:
        catalogue = read_yaml(directory / CATALOGUE_FILE)
    faq_path = directory / OPTIONAL_FILES[0]
    faq = read_yaml(faq_path) if faq_path.exists() else None
    return Shop.from_mappings(journey_map, replies, catalogue, faq)
