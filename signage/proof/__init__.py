"""Proof of play: what the browser players report, and the database it is kept in.

``store`` owns ``output/proof/events.sqlite`` (its tables and every write), ``batch`` the shape
of what a player sends (the JSON Schema), ``ingest`` the checks of ``POST /api/v1/events``.
Above the rotation and below ``signage serve``, which carries the requests to ``ingest``.
"""
