"""An image message's thumbnail: made once with Pillow when the image is sent, kept as a generated file.

The thumbnail fits in ``SIZE`` pixels, keeps the image's orientation (EXIF) and is a JPEG for a
photograph, a PNG for the rest (transparency survives). An image Pillow cannot read, or one
larger than ``MAX_PIXELS``, has no thumbnail: the page then shows the image itself.
"""

from __future__ import annotations

import io
from typing import Any

from PIL import Image, ImageOps

from zhengtong.platform.files import services as files

SIZE = (320, 320)
MAX_PIXELS = 40_000_000  # a 40-megapixel photograph; past it, decoding is how a small file fills memory


def make(*, stored: Any, data: bytes, kept_for: Any) -> Any:
    """The thumbnail of the image ``stored`` (whose content is ``data``) as a new stored file, or None."""
    photo = stored.kind == "jpeg"
    out = io.BytesIO()
    try:
        with Image.open(io.BytesIO(data)) as image:  # reads the header only: the size is known before decoding
            if image.width * image.height > MAX_PIXELS:
                return None
            small = ImageOps.exif_transpose(image)  # a GIF: its first frame
            small.thumbnail(SIZE)
            if photo:
                small.convert("RGB").save(out, "JPEG", quality=80, optimize=True)
            else:
                clear = "A" in small.getbands() or "transparency" in small.info
                small.convert("RGBA" if clear else "RGB").save(out, "PNG", optimize=True)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return None
    stem = stored.name.rsplit(".", 1)[0][:150] or "image"
    extension, kind = ("jpg", "jpeg") if photo else ("png", "png")
    return files.keep_generated(content=out.getvalue(), name=f"{stem}-thumbnail.{extension}", owner=stored.owner,
                                kept_for=kept_for, allowed_kinds={kind})
