"""The domain core: journey map, stage tracking, dialogue decisions. Pure Python, no I/O."""
