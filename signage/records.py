"""The records the build writes and the network step reads, as typed models: one home for their shape.

A catalogue record (``catalogue.json``, each artifact's ``manifest.json``), an assembled
playlist (``playlist.json`` and the formats made from it), a published version
(``version.json``) and its timeline (``timeline.js``). Fields are declared in the order
the files spell them, so dumping a model (``to_data``) gives the same JSON, key for key,
as before the models existed. The JSON Schemas in ``signage/schemas/`` are generated from
these models: ``python -m signage.records --write-schemas``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated, Any, Final, Generic, Literal, NamedTuple, TypeVar

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, JsonValue, model_serializer
from pydantic.json_schema import GenerateJsonSchema
from pydantic_core import core_schema

SCHEMAS_DIR = Path(__file__).parent / "schemas"
SCHEMA_BASE = "https://signage.invalid/schemas/"
CATALOGUE_VERSION: Final = 1
PLAYLIST_VERSION: Final = 1

Sha256 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
Date = Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$")]
ArtifactKind = Literal["led", "card", "video", "media"]
ContentKind = Literal["slogan", "case", "text", "image", "video"]
ItemKind = Literal["image", "animation", "video"]
ScreenKind = Literal["led", "tv"]


def schema_url(name: str) -> str:
    """The ``$schema``/``$id`` address of one of our schemas (``catalogue``, ``playlist``, ...)."""
    return f"{SCHEMA_BASE}{name}.schema.json"


class _Model(BaseModel):
    """A record read from or written to one of our JSON files: no unknown keys, not edited once made."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    def to_data(self) -> dict[str, Any]:
        """The record as JSON data (keys as the files spell them, in field order), for ``json.dumps``."""
        return self.model_dump(mode="json", by_alias=True)


# -- the catalogue ---------------------------------------------------------------------------------


class StoredFile(_Model):
    """One file of an artifact: its name there, and where its bytes live under the output folder."""

    name: Annotated[str, Field(pattern=r"^[^/]+$", description="file name in the artifact folder")]
    path: Annotated[
        str, Field(description="where the bytes are, relative to the output folder: store/ab/<sha256>.<ext>")
    ]
    sha256: Sha256
    bytes: Annotated[int, Field(ge=0)]


class ContentRef(_Model):
    """The content an artifact shows: a slogan, a case, a text, or a supplied image or video."""

    kind: ContentKind
    id: str


class Validity(_Model):
    """The content's days of validity (ISO dates; null: open-ended)."""

    from_: Date | None = Field(validation_alias=AliasChoices("from", "from_"), serialization_alias="from")
    until: Date | None


class LedPage(BaseModel):
    """One page of a paged LED sign, as its record's ``meta`` gives it."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    file: str
    stay: float
    text: str
    clip: str | None = None  # the page as an H.264 clip of its stay (screens with clips)


class LedMeta(BaseModel):
    """What playing an LED record needs from its ``meta``: pages, or the animation's files."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    mode: str
    pages: list[LedPage] = []
    mp4: str | None = None  # a full-colour scroll: the controller's own video
    gif: str | None = None
    clip: str | None = None  # another colour's scroll as an H.264 clip (screens with clips)


class Record(_Model):
    """The catalogue's record of one artifact the build made (also its folder's ``manifest.json``)."""

    id: Annotated[
        str, Field(description="the artifact folder under the output folder: KIND/TARGET/LOCALE/CONTENT[@BRANCH]")
    ]
    kind: ArtifactKind
    content: ContentRef
    locale: Annotated[
        str,
        Field(pattern=r"^(zh-Han[st]-[A-Z]{2}|und)$", description="und for supplied media, shown in every locale"),
    ]
    branch: Annotated[str | None, Field(description="the branch it was made for, when its text names the branch")]
    target: Annotated[str, Field(description="LED screen id, or card or video template name")]
    key: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$", description="SHA-256 of everything that decides its bytes")]
    text: Annotated[str, Field(description="the main text shown")]
    valid: Validity
    duration: Annotated[float | None, Field(ge=0, description="seconds it plays for (LED, video); null for print")]
    files: Annotated[list[StoredFile], Field(min_length=1)]
    warnings: list[str]
    meta: Annotated[
        dict[str, JsonValue],
        Field(description="what the kind's renderer says of it: LED pages or scroll frames, card trim, video scenes"),
    ]

    def file(self, name: str) -> StoredFile | None:
        """The artifact's file called ``name``, if it has one."""
        return next((f for f in self.files if f.name == name), None)

    def led(self) -> LedMeta:
        """How this LED sign plays (pages, or an animation), read from ``meta``."""
        return LedMeta.model_validate(self.meta)


class CatalogueFile(_Model):
    """output/catalogue.json: one record per artifact of the last build. Each artifact folder's
    manifest.json is its record."""

    model_config = ConfigDict(title="signage output catalogue")

    schema_: str = Field(default=schema_url("catalogue"), alias="$schema")
    version: Literal[1]
    generator: str
    records: list[Record]


# -- the assembled playlist ------------------------------------------------------------------------


class Ticker(_Model):
    """Texts running in a band over the screen (a ticker campaign)."""

    texts: list[str]


class PlaylistBranch(_Model):
    """The branch a playlist plays at."""

    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$")]
    name: str
    locale: str
    timezone: Annotated[str, Field(description="IANA zone")]


class PlaylistScreen(_Model):
    """The screen a playlist plays on; ``color`` is an LED sign's (absent on a TV)."""

    id: str
    profile: str
    kind: ScreenKind
    size: tuple[Annotated[int, Field(ge=1)], Annotated[int, Field(ge=1)]]
    color: str | None = None

    @model_serializer(mode="wrap")
    def _led_colour(self, handler: core_schema.SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        if self.kind != "led":
            data.pop("color", None)
        return data


class PlaylistItem(_Model):
    """One item of a screen's loop: a stored file and how long it plays."""

    file: Annotated[str, Field(description="the file, relative to the output folder: store/ab/<sha256>.<ext>")]
    name: Annotated[str, Field(description="the file's name in its artifact (page-01.png, video.mp4, ...)")]
    sha256: Sha256
    bytes: Annotated[int, Field(ge=0)]
    kind: ItemKind
    duration: Annotated[float, Field(gt=0)]
    text: str
    content: ContentRef
    valid: Validity
    source: Annotated[str, Field(description="the catalogue record it comes from")]
    entry: Annotated[int, Field(ge=0, description="index of the playlist entry that selected it")]
    clip: Annotated[
        str | None,
        Field(
            description="a still or an LED scroll as an H.264 clip of its duration, relative to the output folder "
            "(screens whose profile has clips): what the M3U links, since media players show a picture for a "
            "time of their own"
        ),
    ] = None

    @model_serializer(mode="wrap")
    def _clip_only_when_made(self, handler: core_schema.SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        for name in ("clip", "clip_href"):
            if data.get(name, "") is None:
                del data[name]
        return data


class LinkedItem(PlaylistItem):
    """A playlist item as a written playlist holds it: with the link a player follows."""

    href: Annotated[str, Field(description="the link to follow from this playlist's folder")]
    clip_href: Annotated[str | None, Field(description="the link to the item's clip, when it has one")] = None


ItemT = TypeVar("ItemT", bound=PlaylistItem)


class _PlaylistOf(_Model, Generic[ItemT]):
    """What a screen of a branch plays, in order, on a loop (the same fields in memory and on disk)."""

    ticker: Ticker | None = None  # only written when there is one, and then first
    version: Literal[1]
    branch: PlaylistBranch
    screen: PlaylistScreen
    playlist: Annotated[str, Field(description="playlists/NAME.yaml it was assembled from")]
    chosen_by: Annotated[str, Field(description="the rule or branch setting that chose the playlist")]
    duration: Annotated[float, Field(ge=0, description="seconds of one loop")]
    items: Annotated[list[ItemT], Field(min_length=1)]

    @model_serializer(mode="wrap")
    def _layout(self, handler: core_schema.SerializerFunctionWrapHandler) -> dict[str, Any]:
        """The ticker only when there is one; a file's ``$schema`` first, as every file we write has it."""
        data: dict[str, Any] = handler(self)
        if self.ticker is None:
            data.pop("ticker", None)
        schema = data.pop("$schema", None)
        return data if schema is None else {"$schema": schema} | data


class Playlist(_PlaylistOf[PlaylistItem]):
    """A screen's assembled playlist: items with store paths, before any format links them."""


class PlaylistFile(_PlaylistOf[LinkedItem]):
    """publish/BRANCH/VERSION/SCREEN/playlist.json: what one screen of one branch plays, in order, on a loop."""

    model_config = ConfigDict(title="signage screen playlist")

    schema_: str = Field(default=schema_url("playlist"), alias="$schema")

    @classmethod
    def linked(cls, playlist: Playlist, href: Callable[[str], str]) -> PlaylistFile:
        """``playlist`` with each item's link: ``href`` of its store path."""
        fields = {name: getattr(playlist, name) for name in Playlist.model_fields if name != "items"}
        items = [
            LinkedItem(**dict(item), href=href(item.file), clip_href=href(item.clip) if item.clip else None)
            for item in playlist.items
        ]
        return cls(**fields, items=items)

    def unlinked(self) -> Playlist:
        """The playlist without its links (to write it again with others, as an export does)."""
        fields = {name: getattr(self, name) for name in Playlist.model_fields if name != "items"}
        items = [
            PlaylistItem(**{k: v for k, v in dict(item).items() if k not in ("href", "clip_href")})
            for item in self.items
        ]
        return Playlist(**fields, items=items)


# -- a published version ---------------------------------------------------------------------------


class VersionScreen(_Model):
    """One screen folder of a version, in brief."""

    playlist: str
    items: Annotated[int, Field(ge=0)]
    duration: Annotated[float, Field(ge=0)]


class Version(_Model):
    """publish/BRANCH/VERSION/version.json: what a published version of a branch holds."""

    model_config = ConfigDict(title="signage published version")

    version: Annotated[str, Field(pattern=r"^v\d+$")]
    branch: str
    digest: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$", description="SHA-256 of its playlists and timeline")]
    created: Annotated[str, Field(description="when it was published (ISO 8601, seconds)")]
    screens: Annotated[dict[str, VersionScreen], Field(description="by screen folder: SCREEN or SCREEN~VARIANT")]


class Switch(NamedTuple):
    """From ``at`` (ISO 8601) on, the screen plays the version's ``folder``."""

    at: str
    folder: str


class Timeline(_Model):
    """publish/BRANCH/VERSION/timeline.js (the argument of signage.setTimeline): each screen's
    switches for the coming week, for the browser player."""

    model_config = ConfigDict(title="signage screen timeline")

    screens: dict[str, list[Switch]]


# -- the schemas -----------------------------------------------------------------------------------

FILES: dict[str, type[BaseModel]] = {
    "catalogue": CatalogueFile,
    "playlist": PlaylistFile,
    "version": Version,
    "timeline": Timeline,
}


class _Schema(GenerateJsonSchema):
    """Pydantic's schema without a title on every field (the names say it)."""

    def field_title_should_be_set(self, schema: Any) -> bool:
        return False


def json_schema(name: str) -> str:
    """The text of ``signage/schemas/NAME.schema.json``, generated from its model."""
    return schema_text(FILES[name], name)


def schema_text(model: type[BaseModel], name: str) -> str:
    """The JSON Schema of ``model`` as ``signage/schemas/NAME.schema.json`` spells it (also for models
    kept beside what they describe, such as the players' event batches in signage/proof)."""
    generated = model.model_json_schema(schema_generator=_Schema)
    head = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": schema_url(name)}
    return json.dumps(head | generated, ensure_ascii=False, indent=2) + "\n"


def write_schemas(folder: Path = SCHEMAS_DIR) -> list[Path]:
    """Write every schema file that differs from its model; the files written."""
    written = []
    for name in FILES:
        path = folder / f"{name}.schema.json"
        text = json_schema(name)
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            written.append(path)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m signage.records", description=__doc__)
    parser.add_argument("--write-schemas", action="store_true", help="write signage/schemas/*.schema.json")
    args = parser.parse_args(argv)
    if not args.write_schemas:
        parser.print_help()
        return 2
    for path in write_schemas():
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
