"""The step from a catalogue to a bank's screens: what each branch screen plays, published atomically.

``screens.Network`` is what a build publishes through; ``select`` and ``scheduled`` say what
each screen plays, ``assemble`` and ``formats`` write its playlists, ``publish`` makes versions.
This package file imports nothing, so ``signage plan`` loads only the selection modules.
"""
