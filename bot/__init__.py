"""The running service: channels, the message pipeline, web app, scheduler, settings, CLI."""
