"""The HTTP service: chat page, REST and WebSocket channels, health, Telegram webhook."""
