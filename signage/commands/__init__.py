"""One function per CLI command: what the command does, without Click."""
