"""Checks of uploaded material files: type by CONTENT (magic bytes), size limit, SHA-256.

WHY by content: a file's name and the browser's Content-Type are whatever the sender says; a PNG
renamed to .pdf must be treated as a PNG. Office files are zip archives, told apart by the
[Content_Types].xml every OOXML package carries (a plain zip is not a DOCX). The allowed types are
settings.UPLOAD_ALLOWED_TYPES (pdf, jpeg, png, xlsx, docx) and the limit settings.UPLOAD_MAX_BYTES.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass

from django.conf import settings

from tongban.common.errors import ValidationFailed

TYPE_LABELS = {
    "pdf": "PDF",
    "jpeg": "JPEG 图片",
    "png": "PNG 图片",
    "xlsx": "Excel（xlsx）",
    "docx": "Word（docx）",
}
MIME_TYPES = {
    "pdf": "application/pdf",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


@dataclass(frozen=True)
class CheckedUpload:
    kind: str  # one of TYPE_LABELS
    size: int
    sha256: str
    content: bytes

    @property
    def mime_type(self) -> str:
        return MIME_TYPES[self.kind]


def detect_type(content: bytes) -> str | None:
    """The file type by its first bytes (and, for zip files, by the OOXML package contents)."""
    if content.startswith(b"%PDF-"):
        return "pdf"
    if content.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if content.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                names = set(archive.namelist())
                if "[Content_Types].xml" not in names:
                    return None
                types = archive.read("[Content_Types].xml")
        except (zipfile.BadZipFile, KeyError, OSError):
            return None
        if b"spreadsheetml" in types and any(n.startswith("xl/") for n in names):
            return "xlsx"
        if b"wordprocessingml" in types and any(n.startswith("word/") for n in names):
            return "docx"
    return None


def _read(upload) -> bytes:
    if isinstance(upload, bytes | bytearray):
        return bytes(upload)
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read()
    if hasattr(upload, "seek"):
        upload.seek(0)
    return data


def _too_large(material_name: str, size: int, limit: int) -> ValidationFailed:
    return ValidationFailed(
        f"“{material_name}”文件过大（{size / 1048576:.1f} MB），单个文件不能超过 {limit / 1048576:.0f} MB。",
        field="file",
    )


def check_upload(upload, *, material_name: str) -> CheckedUpload:
    """Check one upload (a Django UploadedFile, a file object or bytes) for the named material.

    Raises ValidationFailed (field "file") in Chinese naming the material: empty, too large, of an
    unknown type, or of a type that is not allowed.
    """
    limit = int(settings.UPLOAD_MAX_BYTES)
    declared = getattr(upload, "size", None)
    if declared is not None and declared > limit:
        raise _too_large(material_name, declared, limit)
    content = _read(upload)
    size = len(content)
    if size == 0:
        raise ValidationFailed(f"“{material_name}”文件为空，请重新选择文件。", field="file")
    if size > limit:
        raise _too_large(material_name, size, limit)
    allowed = [t.strip().lower() for t in settings.UPLOAD_ALLOWED_TYPES]
    allowed_text = "、".join(TYPE_LABELS.get(t, t) for t in allowed)
    kind = detect_type(content)
    if kind is None:
        raise ValidationFailed(
            f"“{material_name}”的文件内容无法识别，可上传的类型：{allowed_text}。", field="file"
        )
    if kind not in allowed:
        raise ValidationFailed(
            f"“{material_name}”的文件实际为 {TYPE_LABELS[kind]}，不在允许的类型内（{allowed_text}）。",
            field="file",
        )
    return CheckedUpload(kind=kind, size=size, sha256=hashlib.sha256(content).hexdigest(), content=content)
