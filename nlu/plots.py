"""The two pictures of an intent evaluation, as PNG files (matplotlib, Agg backend).

* the confusion matrix: annotated intents down, predictions across, colour = share of the
  row (so rare intents are as visible as common ones), counts written in small matrices;
* the confidence histogram: how confident the model was on its right and on its wrong
  predictions, side by side (Rasa's ``intent_histogram.png``).

The figures are drawn with matplotlib's object interface on an Agg canvas: no display, no
global pyplot state.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from nlu.report import IntentPrediction, confusion_matrix, labels_of

LABELLED_UP_TO = 60
"""Intent names are written on the axes up to this many labels."""
COUNTS_UP_TO = 25
"""Counts are written in the cells up to this many labels."""
BINS = 20


def save_confusion_matrix(predictions: Sequence[IntentPrediction], path: Path) -> None:
    """Draw the confusion matrix of ``predictions`` into the PNG file ``path``."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    labels = labels_of(predictions)
    matrix = confusion_matrix(predictions, labels)
    rows = matrix.sum(axis=1, keepdims=True)
    shares = np.divide(matrix, rows, out=np.zeros(matrix.shape), where=rows > 0)
    size = min(max(6.0, 0.28 * len(labels) + 3), 40.0)
    figure = Figure(figsize=(size, size), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    image = axes.imshow(shares, cmap="Blues", vmin=0.0, vmax=1.0, interpolation="nearest")
    figure.colorbar(image, ax=axes, fraction=0.046, pad=0.04, label="share of the row")
    _label_axes(axes, labels)
    if len(labels) <= COUNTS_UP_TO:
        for (i, j), count in np.ndenumerate(matrix):
            if count:
                colour = "white" if shares[i, j] > 0.5 else "black"
                axes.text(j, i, str(count), ha="center", va="center", color=colour, fontsize=8)
    axes.set_title(f"Intent confusion matrix ({len(predictions)} examples)")
    figure.tight_layout()
    _save(figure, path)


def _label_axes(axes: Any, labels: Sequence[str]) -> None:
    axes.set_xlabel("predicted intent")
    axes.set_ylabel("annotated intent")
    if len(labels) > LABELLED_UP_TO:
        axes.set_xticks([])
        axes.set_yticks([])
        return
    ticks = np.arange(len(labels))
    axes.set_xticks(ticks, labels=list(labels), rotation=90, fontsize=7)
    axes.set_yticks(ticks, labels=list(labels), fontsize=7)


def save_confidence_histogram(predictions: Sequence[IntentPrediction], path: Path) -> None:
    """Draw the histogram of confidences of right and wrong predictions into ``path``."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    hits = [p.confidence for p in predictions if p.correct]
    misses = [p.confidence for p in predictions if not p.correct]
    figure = Figure(figsize=(8, 5), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    edges = np.linspace(0.0, 1.0, BINS + 1).tolist()
    axes.hist(
        [hits, misses],
        bins=edges,
        label=[f"right ({len(hits)})", f"wrong ({len(misses)})"],
        color=["#2b8cbe", "#e34a33"],
    )
    axes.set_xlabel("confidence")
    axes.set_ylabel("number of examples")
    axes.set_title("Intent prediction confidence")
    axes.legend()
    figure.tight_layout()
    _save(figure, path)


def _save(figure: Any, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, format="png")
