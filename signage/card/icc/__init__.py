"""The printing condition CMYK cards are made for: ISO Coated v2 300 % (basICColor), an ICC
profile of the FOGRA39 characterisation (ISO 12647-2 offset on coated paper).

The profile is shipped unaltered from Debian's scribus-data package under the zlib licence
(the notice beside it); this module only names it, so a plan can key cards on it without
loading the PDF writer.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

PROFILE = Path(__file__).resolve().parent / "ISOcoated_v2_300_bas.icc"
# The ICC registry's name of the characterisation the profile was made from, and its description.
CONDITION_IDENTIFIER = "FOGRA39"
CONDITION = "Offset commercial and specialty printing according to ISO 12647-2:2004/Amd 1, paper type 1 or 2"
REGISTRY = "http://www.color.org"
PROFILE_NAME = "ISO Coated v2 300% (basICColor)"


@lru_cache(maxsize=1)
def profile_bytes() -> bytes:
    return PROFILE.read_bytes()


def profile_digest() -> str:
    """What names the profile in a card's cache key: a new profile re-renders every CMYK card."""
    return hashlib.sha256(profile_bytes()).hexdigest()[:16]
