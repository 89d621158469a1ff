"""signage: anti-fraud slogans and case summaries into LED images, lobby videos and print cards."""

__version__ = "0.1.0"
