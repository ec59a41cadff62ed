"""QR codes of invite links, as PNG images to print for the nursery door."""

from __future__ import annotations

import io

import segno


def qr_png(link: str, scale: int = 10) -> bytes:
    """A PNG QR code of the link (error correction M, the standard four-module quiet zone)."""
    buffer = io.BytesIO()
    segno.make_qr(link, error="m").save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()
