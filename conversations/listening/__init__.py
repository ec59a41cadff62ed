"""The listening engine (theme, feelings, reflection for a narrative) and its content data."""

from conversations.listening.content import (
    SUPPORTED_CONTENT_LOCALES,
    THEME_IDS,
    Activity,
    AimTemplate,
    Content,
    HomeTip,
    Reframe,
    Theme,
    load_content,
)
from conversations.listening.engine import Analysis, ThemeScore, analyse

__all__ = [
    "SUPPORTED_CONTENT_LOCALES",
    "THEME_IDS",
    "Activity",
    "AimTemplate",
    "Analysis",
    "Content",
    "HomeTip",
    "Reframe",
    "Theme",
    "ThemeScore",
    "analyse",
    "load_content",
]
