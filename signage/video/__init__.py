"""Lobby videos: scenes laid out by the typography core, a ticker bar, fast H.264 encoding."""
