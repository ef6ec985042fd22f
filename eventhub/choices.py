"""Select fields whose options are the members of an enum, each shown with its label."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any, TypeVar

from wtforms import SelectField
from wtforms.fields.choices import SelectChoice

Member = TypeVar("Member", bound=enum.StrEnum)


def labelled_select(label: Any, labels: Mapping[Member, Any], default: Member) -> SelectField:
    """A select offering `labels` in their order; `label` and the labels may be lazy strings."""
    return SelectField(
        label,
        choices=[SelectChoice(member.value, text) for member, text in labels.items()],
        default=default.value,
    )
