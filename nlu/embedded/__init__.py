"""The embedded NLU backend: scikit-learn classifier trained from Rasa-format YAML."""

from nlu.embedded.backend import EmbeddedBackend
from nlu.embedded.fallback import DEFAULT_THRESHOLD, FallbackPolicy

__all__ = ["DEFAULT_THRESHOLD", "EmbeddedBackend", "FallbackPolicy"]
