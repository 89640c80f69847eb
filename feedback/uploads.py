"""Attachment checks: the type is decided by the file's first bytes, never by its name."""

from django.core.files.uploadedfile import UploadedFile

MAX_FILE_SIZE = 5 * 1024 * 1024
MAX_FILES = 5

# Magic numbers of the formats we accept (PDF, JPEG, PNG).
SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)


def sniff_content_type(upload: UploadedFile) -> str | None:
    """The MIME type the content really is, or None when it is none of the accepted ones."""
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for magic, content_type in SIGNATURES:
        if head.startswith(magic):
            return content_type
    return None
