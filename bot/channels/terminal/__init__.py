"""The terminal channel: ``journeybot chat``."""
