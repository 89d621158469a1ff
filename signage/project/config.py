"""The typed shape of ``signage.yaml``: project settings, regions, branches, font roles."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from ..locales import Locale

Id = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=64)]
NonEmpty = Annotated[str, StringConstraints(min_length=1)]


def _check_locale(tag: str) -> str:
    return Locale.parse(tag).tag


LocaleTag = Annotated[str, AfterValidator(_check_locale)]


class Strict(BaseModel):
    """Base for every project model: unknown keys are errors, objects are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Region(Strict):
    """Contact facts for one region, exposed to text templates as variables."""

    hotline: NonEmpty = Field(description="anti-fraud hotline, {{ hotline }}")
    police: NonEmpty = Field(description="police number, {{ police }}")
    app: str | None = Field(default=None, description="anti-fraud app name, {{ app }}")


class Branch(Strict):
    """A bank branch whose screens the project fills."""

    id: Id
    name: NonEmpty
    locale: LocaleTag
    timezone: str = "Asia/Shanghai"


FontChain = Annotated[list[Id], Field(min_length=1)]
RoleName = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$")]


class ProjectConfig(Strict):
    """Everything in signage.yaml."""

    name: NonEmpty
    default_locale: LocaleTag = "zh-Hans-CN"
    output: NonEmpty = "output"
    regions: dict[str, Region]
    # "default" or a locale tag -> role -> fallback chain of font ids
    fonts: dict[str, dict[RoleName, FontChain]]
    branches: list[Branch] = Field(default_factory=list)

    @model_validator(mode="after")
    def _cross_checks(self) -> ProjectConfig:
        if "default" not in self.fonts:
            raise ValueError("fonts: a 'default' set of font roles is required")
        for key in self.fonts:
            if key != "default":
                Locale.parse(key)
        seen: set[str] = set()
        for branch in self.branches:
            if branch.id in seen:
                raise ValueError(f"branches: duplicate branch id {branch.id!r}")
            seen.add(branch.id)
        return self

    def roles_for(self, locale: str) -> dict[str, list[str]]:
        """Font role -> fallback chain for one locale: the defaults with its overrides."""
        roles = dict(self.fonts["default"])
        roles.update(self.fonts.get(locale, {}))
        return roles
