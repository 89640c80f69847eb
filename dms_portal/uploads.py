"""Attachment checks shared by appeals and support: the type is decided by the file's first
bytes, never by its name; size and count are capped the same way everywhere."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models
from django.template.defaultfilters import filesizeformat

MAX_FILE_SIZE = 5 * 1024 * 1024
MAX_FILES = 5

# Magic numbers of the formats we accept (PDF, JPEG, PNG).
SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)

HELP_TEXT = f"До {MAX_FILES} файлов, каждый не больше {filesizeformat(MAX_FILE_SIZE)}"


def sniff_content_type(upload: UploadedFile) -> str | None:
    """The MIME type the content really is, or None when it is none of the accepted ones."""
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for magic, content_type in SIGNATURES:
        if head.startswith(magic):
            return content_type
    return None


def uploads_check(files) -> list:
    """Raise ValidationError (Russian, naming the file) unless every file passes; return them."""
    files = list(files or [])
    if len(files) > MAX_FILES:
        raise ValidationError(f"Можно приложить не больше {MAX_FILES} файлов")
    for upload in files:
        if upload.size > MAX_FILE_SIZE:
            raise ValidationError(f"Файл «{upload.name}» больше {filesizeformat(MAX_FILE_SIZE)}")
        if sniff_content_type(upload) is None:
            raise ValidationError(f"Файл «{upload.name}» не является PDF, JPG или PNG")
    return files


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern); check with `uploads_check`."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}))
        kwargs.setdefault("help_text", HELP_TEXT)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class StoredAttachment(models.Model):
    """What appeals and support keep of an accepted file besides the file itself (each adds
    its own owner and storage path): the user's file name for display only, the sniffed type,
    the size."""

    original_name = models.CharField("Имя файла", max_length=255)
    content_type = models.CharField(max_length=64, verbose_name="Тип файла")
    size = models.PositiveIntegerField("Размер, байт")

    class Meta:
        abstract = True
        verbose_name = "вложение"
        verbose_name_plural = "вложения"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name
