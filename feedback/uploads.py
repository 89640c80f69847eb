"""Appeal attachments use the shared checks of dms_portal.uploads (support uses them too)."""

from dms_portal.uploads import MAX_FILE_SIZE, MAX_FILES, SIGNATURES, sniff_content_type

__all__ = ["MAX_FILE_SIZE", "MAX_FILES", "SIGNATURES", "sniff_content_type"]
