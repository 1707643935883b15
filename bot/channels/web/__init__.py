"""The web channels: Rasa-compatible REST webhook and the browser WebSocket."""
