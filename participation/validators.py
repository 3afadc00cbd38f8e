"""Upload checks: size, extension and what the bytes really are."""

import filetype
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

IMAGE_TYPES = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
DOCUMENT_TYPES = {
    "pdf": {"application/pdf"},
    "hwpx": {"application/zip"},
    "docx": {
        "application/zip",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    },
    "xlsx": {
        "application/zip",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    },
    "hwp": {"application/x-ole-storage", "application/x-hwp"},
}
DEFAULT_MAX_BYTES = 5 * 1024 * 1024


def _extension(upload):
    name = getattr(upload, "name", "") or ""
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _head(upload):
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    return head


def _check_size(upload, max_bytes):
    if upload.size > max_bytes:
        raise ValidationError(
            _("The file %(name)s is %(size)s; the largest allowed is %(limit)s.")
            % {
                "name": upload.name,
                "size": filesizeformat(upload.size),
                "limit": filesizeformat(max_bytes),
            },
            code="too_large",
        )


def validate_image(upload, max_bytes=DEFAULT_MAX_BYTES):
    _check_size(upload, max_bytes)
    extension = _extension(upload)
    if extension not in IMAGE_TYPES:
        raise ValidationError(
            _("Images must be JPEG, PNG or WebP files (.jpg, .png, .webp)."), code="image_type"
        )
    kind = filetype.guess(_head(upload))
    if kind is None or kind.mime != IMAGE_TYPES[extension]:
        raise ValidationError(
            _("The file %(name)s is not a valid %(ext)s image.")
            % {"name": upload.name, "ext": extension.upper()},
            code="image_content",
        )
    from django.conf import settings
    from PIL import Image

    try:
        with Image.open(upload) as image:
            width, height = image.size
            if width * height > settings.MAX_IMAGE_PIXELS:
                raise ValidationError(
                    _(
                        "The image %(name)s is %(width)d × %(height)d pixels; "
                        "images can have at most %(limit)d million pixels."
                    )
                    % {
                        "name": upload.name,
                        "width": width,
                        "height": height,
                        "limit": settings.MAX_IMAGE_PIXELS // 1_000_000,
                    },
                    code="too_many_pixels",
                )
            image.verify()
    except ValidationError:
        raise
    except Exception as error:
        raise ValidationError(
            _("The file %(name)s is not a valid %(ext)s image.")
            % {"name": upload.name, "ext": extension.upper()},
            code="image_content",
        ) from error
    finally:
        upload.seek(0)


def validate_attachment(upload, max_bytes=DEFAULT_MAX_BYTES):
    _check_size(upload, max_bytes)
    extension = _extension(upload)
    if extension not in DOCUMENT_TYPES:
        raise ValidationError(
            _("Attachments must be PDF, HWP, HWPX, DOCX or XLSX files."), code="document_type"
        )
    head = _head(upload)
    kind = filetype.guess(head)
    mime = (
        kind.mime
        if kind
        else ("application/x-ole-storage" if head.startswith(b"\xd0\xcf\x11\xe0") else None)
    )
    if mime not in DOCUMENT_TYPES[extension]:
        raise ValidationError(
            _("The file %(name)s is not really a %(ext)s file.")
            % {"name": upload.name, "ext": extension.upper()},
            code="document_content",
        )
