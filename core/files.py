"""Names under which stored uploads are served."""

from __future__ import annotations

import filetype

# The extension the content itself says, for the types detection names differently ("jpeg" is "jpg").
_SAME = {"jpeg": "jpg", "tif": "tiff"}


def extension_for(content_type: str) -> str:
    """The extension of a detected content type ("application/pdf" -> "pdf"), "" if unknown."""
    kind = filetype.get_type(mime=content_type) if content_type else None
    return _SAME.get(kind.extension, kind.extension) if kind else ""


def download_name(name: str, extension: str, *, default_stem: str = "tep") -> str:
    """The name a download is served under: the uploader's name with the extension of what the file really
    is, so a PDF uploaded as "x.html" downloads as "x.pdf" (the browser or the OS would open it by its
    name). Without a known extension the name is kept as it is."""
    name = (name or "").strip()
    if not extension:
        return name or default_stem
    stem = name.rsplit(".", 1)[0].strip() if "." in name else name
    return f"{stem or default_stem}.{extension.lower()}"
