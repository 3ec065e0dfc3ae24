"""Text as quotes are compared with captured sources."""

from __future__ import annotations


def normalise_quote(text: str) -> str:
    """Text as quotes are compared with sources: typographic quotes and dashes made plain,
    runs of whitespace (non-breaking spaces too) made one space."""
    return " ".join(text.translate(_PLAIN).split())


_PLAIN = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2033": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
    }
)
