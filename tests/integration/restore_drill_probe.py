"""Use one Safeguard database as a person would, for the restore drill.

Run as a script by ``tests/integration/test_restore_drill.py``, with
``DATABASE_URL`` and ``MEDIA_ROOT`` naming the database and folder to use::

    python tests/integration/restore_drill_probe.py upload OUT.json
    python tests/integration/restore_drill_probe.py visit OUT.json [CASE:DOCUMENT ...]

Both sign in as the demo social worker through the sign-in page, with the demo
password (a real password check against the stored hash).

- ``upload``: upload a PNG and a PDF to the first case they see through the
  case page's upload form (the application's own way, so the files land in
  MEDIA_ROOT as they would in production); writes the case, the document ids
  and their recorded SHA-256, and then what ``visit`` sees.
- ``visit``: every case id ``/api/v1/cases/`` lists (following ``next``), and
  the SHA-256 of each named document as the download view serves it.
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
import sys
import zlib
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
USER = "social_worker@northshire-csc"


def setup() -> None:
    os.chdir(ROOT)
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.integration.restore_drill_settings")
    import django

    django.setup()
    from django.test.utils import setup_test_environment

    setup_test_environment()  # 'testserver' is an allowed host


def sign_in():
    from django.conf import settings
    from django.test import Client

    client = Client()
    response = client.post(
        "/accounts/login/", {"username": USER, "password": settings.DEMO_PASSWORD}
    )
    if response.status_code != 302:
        raise SystemExit(f"{USER} could not sign in: status {response.status_code}")
    return client


def case_ids(client) -> list[str]:
    ids: list[str] = []
    path: str | None = "/api/v1/cases/"
    while path:
        response = client.get(path, HTTP_ACCEPT="application/json")
        if response.status_code != 200:
            raise SystemExit(f"GET {path}: status {response.status_code}")
        body = response.json()
        ids.extend(str(item["id"]) for item in body["results"])
        nxt = body.get("next")
        path = None
        if nxt:
            parts = urlsplit(nxt)
            path = parts.path + ("?" + parts.query if parts.query else "")
    return ids


def png(seed: bytes) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)  # 1x1, 8-bit RGB
    pixel = zlib.compress(b"\x00" + hashlib.sha256(seed).digest()[:3])
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixel) + chunk(b"IEND", b"")
    )


def pdf(seed: bytes) -> bytes:
    return b"%PDF-1.4\n% restore drill " + hashlib.sha256(seed).hexdigest().encode() + b"\n%%EOF\n"


def upload() -> dict:
    from django.apps import apps
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    # By label, not import path: the cases app's modules are being reorganised.
    CaseDocument = apps.get_model("cases", "CaseDocument")  # noqa: N806
    client = sign_in()
    case = sorted(case_ids(client))[0]
    before = set(CaseDocument.objects.filter(case_id=case).values_list("id", flat=True))
    seed = os.urandom(16)
    for name, content, kind in (
        ("bruise-photo.png", png(seed), "image/png"),
        ("school-letter.pdf", pdf(seed), "application/pdf"),
    ):
        response = client.post(
            reverse("case_document_upload", args=[case]),
            {
                "title": f"Restore drill: {name}",
                "sensitivity": "shared",
                "upload": SimpleUploadedFile(name, content, content_type=kind),
            },
        )
        if response.status_code != 302:
            raise SystemExit(f"uploading {name}: status {response.status_code}")
    documents = CaseDocument.objects.filter(case_id=case).exclude(id__in=before)
    stored = {str(d.id): d.sha256 for d in documents}
    return {
        "case": case,
        "documents": stored,
        "files": sorted(d.file.name for d in documents),
        # What the restored copy must show too, seen as visit() sees it.
        "seen": visit([f"{case}:{document}" for document in stored]),
    }


def visit(documents: list[str]) -> dict:
    from django.urls import reverse

    client = sign_in()
    served = {}
    for pair in documents:
        case, document = pair.split(":")
        response = client.get(reverse("case_document_download", args=[case, document]))
        if response.status_code != 200:
            raise SystemExit(f"downloading document {document}: status {response.status_code}")
        served[document] = hashlib.sha256(b"".join(response.streaming_content)).hexdigest()
    return {"user": USER, "cases": sorted(case_ids(client)), "documents": served}


def main() -> None:
    step, out, *rest = sys.argv[1:]
    setup()
    result = upload() if step == "upload" else visit(rest)
    Path(out).write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
