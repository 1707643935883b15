"""Channel adapters: each maps platform payloads to ``InboundMessage`` and back."""
