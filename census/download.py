"""The return's XML as a download, for the page and the API alike: the
download recorded (``services.census_downloaded``, audited with its
SHA-256), then the file, never cached and never sniffed as anything else."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.http import FileResponse
from django.utils.cache import patch_cache_control

from census import services
from census.models import CensusReturn


def xml_download(user: AbstractBaseUser, census_return: CensusReturn) -> FileResponse:
    services.census_downloaded(user=user, census_return=census_return)
    response = FileResponse(
        census_return.file.open("rb"),
        as_attachment=True,
        filename=f"cin-census-{census_return.year_label}-{census_return.la_code}.xml",
        content_type="application/xml",
    )
    response["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(response, no_store=True, private=True)
    return response
