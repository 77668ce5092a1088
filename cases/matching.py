"""Finding a child without making duplicates.

Duplicate child records are the classic failure of safeguarding systems: two
records, two partial pictures, nobody sees the pattern. Candidates come from
indexed blocking keys that work on any database (phonetic codes of the names,
date of birth and its common typos, identifiers, postcode); each candidate is
then scored with Jaro-Winkler similarity and keeps the reasons it matched, so
the social worker can judge the match rather than trust a number.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache

import jellyfish
from django.db.models import Q, QuerySet
from nicknames import NickNamer
from rapidfuzz.distance import JaroWinkler

from cases.models import Child, ChildAddress


def name_key(name: str) -> str:
    cleaned = "".join(ch for ch in name.lower() if ch.isalpha())
    return jellyfish.metaphone(cleaned)[:40] if cleaned else ""


def format_postcode(postcode: str) -> str:
    """One spelling of a UK postcode ("NS2 4TW"), so it can be matched exactly."""
    compact = "".join(postcode.upper().split())
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) >= 5 else compact


def dob_variants(dob: dt.date) -> set[dt.date]:
    """The date itself, day and month swapped, and the day or month mistyped by one."""
    variants = {dob}
    with contextlib.suppress(ValueError):
        variants.add(dt.date(dob.year, dob.day, dob.month))
    for delta in (-1, 1):
        variants.add(dob + dt.timedelta(days=delta))
    return variants


@dataclass
class Candidate:
    child: Child
    score: float
    reasons: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Subject:
    first_name: str = ""
    last_name: str = ""
    date_of_birth: dt.date | None = None
    postcode: str = ""
    nhs_number: str = ""
    upn: str = ""


def find_candidates(
    children: QuerySet[Child], subject: Subject, *, limit: int = 10
) -> list[Candidate]:
    """Rank the children in ``children`` (already permission-scoped) against ``subject``."""
    blocks = Q()
    if subject.nhs_number:
        blocks |= Q(nhs_number=subject.nhs_number)
    if subject.upn:
        blocks |= Q(upn=subject.upn.upper())
    if subject.date_of_birth:
        blocks |= Q(date_of_birth__in=dob_variants(subject.date_of_birth))
    first_key, last_key = name_key(subject.first_name), name_key(subject.last_name)
    if last_key:
        # Swapped first and last names are common in hurried reports.
        blocks |= Q(last_name_key=last_key) | Q(first_name_key=last_key)
    if first_key and subject.postcode:
        postcode = format_postcode(subject.postcode)
        # Families move: a postcode the child lived at before is a lead too.
        lived = ChildAddress.objects.filter(postcode=postcode).values("child_id")
        blocks |= Q(first_name_key=first_key) & (Q(postcode=postcode) | Q(pk__in=lived))
    if not blocks:
        return []
    pool = list(children.filter(blocks)[:200])
    previously = set()
    if subject.postcode and pool:
        previously = set(
            ChildAddress.objects.filter(
                child__in=pool, postcode=format_postcode(subject.postcode)
            ).values_list("child_id", flat=True)
        )
    scored = (_score(child, subject, child.pk in previously) for child in pool)
    ranked = [c for c in scored if c.score >= 0.35]
    ranked.sort(key=lambda c: c.score, reverse=True)
    return ranked[:limit]


@lru_cache(maxsize=1)
def _nicknamer() -> NickNamer:
    return NickNamer()


def known_short_form(a: str, b: str) -> bool:
    """Bill and William, Jack and John: the same person, in the curated dataset."""
    a, b = a.lower().strip(), b.lower().strip()
    if not a or not b or a == b:
        return False
    names = _nicknamer()
    return b in names.nicknames_of(a) or b in names.canonicals_of(a)


def _surname_parts(name: str) -> set[str]:
    return {p for p in name.lower().replace("-", " ").split() if p}


def _similar(a: str, b: str) -> float:
    return JaroWinkler.similarity(a.lower().strip(), b.lower().strip()) if a and b else 0.0


def _score(child: Child, subject: Subject, lived_at_postcode: bool = False) -> Candidate:
    reasons: list[str] = []
    score = 0.0
    if subject.nhs_number and child.nhs_number == subject.nhs_number:
        return Candidate(child, 1.0, ["same NHS number"])
    if subject.upn and child.upn == subject.upn.upper():
        return Candidate(child, 1.0, ["same UPN"])

    first = _similar(child.first_name, subject.first_name)
    last = _similar(child.last_name, subject.last_name)
    swapped_first = _similar(child.first_name, subject.last_name)
    swapped = (swapped_first + _similar(child.last_name, subject.first_name)) / 2
    if swapped > (first + last) / 2 + 0.1 and swapped > 0.85:
        reasons.append("first and last names swapped")
        first = last = swapped
    if last >= 0.99:
        reasons.append("same surname")
    elif name_key(child.last_name) == name_key(subject.last_name) and subject.last_name:
        reasons.append("surname sounds alike")
        last = max(last, 0.9)
    elif last >= 0.85:
        reasons.append(f"surname similar ({last:.2f})")
    if (
        last < 0.99
        and subject.last_name
        and "-" in (child.last_name + subject.last_name)
        and _surname_parts(child.last_name) & _surname_parts(subject.last_name)
    ):
        reasons.append("shares part of a double-barrelled surname")
        last = max(last, 0.9)
    if first >= 0.99:
        reasons.append("same first name")
    elif known_short_form(child.first_name, subject.first_name):
        reasons.append("first name is a known short form")
        first = 0.92
    elif first >= 0.8:
        reasons.append(f"first name similar ({first:.2f})")
    score += 0.3 * last + 0.25 * first

    if subject.date_of_birth and child.date_of_birth:
        if child.date_of_birth == subject.date_of_birth:
            reasons.append("same date of birth")
            score += 0.35
        elif child.date_of_birth in dob_variants(subject.date_of_birth):
            reasons.append("date of birth differs by a likely typo")
            score += 0.2
        else:
            score -= 0.15
            reasons.append("different date of birth")
    if subject.postcode and format_postcode(child.postcode) == format_postcode(subject.postcode):
        reasons.append("same postcode")
        score += 0.1
    elif lived_at_postcode:
        reasons.append("lived at this postcode before")
        score += 0.1
    return Candidate(child, round(min(score, 1.0), 2), reasons)
