"""Children by the hundred thousand, for benchmarks and ``seed_scale``.

The first part of ``manage.py seed_scale`` (cases, concerns and staff at scale
are the access work's to add): a local authority's children with addresses,
previous addresses and identifiers, as fast as the database can take them.

Realistic enough to measure a matcher on:

- Surnames at their real frequencies in Great Britain: the 500 commonest with
  their shares of the population (Faker's ``en_GB`` table: Smith 1.15%, Jones
  0.94%, ...; 39.5% of people between them), then a long tail of about 7,500
  rarer surnames from other Faker locales, none commoner than the rarest of
  the 500. About 5% of households have a double-barrelled surname.
- First names at the shares of births in England and Wales in the 2010s (the
  fifty commonest for each sex, about 40% of births; Oliver and Olivia near
  2%), then a flatter tail.
- Households: siblings share a surname, an address and a postcode; about eight
  children share a postcode; one child in five has lived somewhere else before
  (``ChildAddress``); twins now and then.
- Dates of birth spread evenly over the eighteen years before ``today``: about
  150 children share each birthday in a million.
- Unique, valid NHS numbers (nine in ten children) and UPNs (four in five of
  those of school age).
- What the CIN census asks of every child (``demo/census.py`` records the same
  for the demo's children): an ethnicity at England's shares of children
  (about 1 in 20 not yet obtained), a disability record (most "no
  disability") and, for a child with no UPN, the DfE's reason (UN1 under six,
  else UN2-UN6). Drawn from a generator of their own, so the children's
  names, dates and identifiers are the same as before these were added.

Rows go in with ``COPY`` on PostgreSQL and multi-row inserts on SQLite, with
the tables' secondary indexes dropped first and built again after (then
``ANALYZE``), which is several times faster than maintaining them row by row.
That is done when the table holds fewer rows than are being added (an empty
table, or the forty of ``seed_demo``: rebuilding an index over the few rows
already there costs nothing, while maintaining the matcher's trigram indexes
row by row made a million children take four times as long); otherwise rows
are added with the indexes in place. Everything is drawn from one seeded
generator: the same ``seed`` and ``today`` give the same children.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import random
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import import_module
from itertools import accumulate

from django.db import connections, transaction
from django.db.models import JSONField
from django.utils import timezone
from faker.providers.person.en_GB import Provider as BritishNames
from stdnum.gb import upn as upn_number

from agencies.models import Agency
from cases.matching import name_key
from cases.models import Child, ChildAddress
from demo.census import DISABILITY_PATTERNS
from demo.data import POSTCODE_LETTERS, STREETS, UPN_LA_NUMBERS

# Shares of births (%), England and Wales, rounded; the fifty commonest names.
BOYS = {
    "Oliver": 2.0, "Jack": 1.8, "Harry": 1.7, "George": 1.5, "Noah": 1.4, "Charlie": 1.4,
    "Jacob": 1.3, "Alfie": 1.2, "Freddie": 1.2, "Oscar": 1.2, "Leo": 1.1, "Thomas": 1.1,
    "James": 1.0, "William": 1.0, "Henry": 0.9, "Joshua": 0.9, "Archie": 0.9, "Ethan": 0.8,
    "Arthur": 0.8, "Joseph": 0.8, "Muhammad": 0.8, "Max": 0.7, "Isaac": 0.7, "Lucas": 0.7,
    "Logan": 0.7, "Theo": 0.7, "Daniel": 0.7, "Samuel": 0.7, "Harrison": 0.6, "Mason": 0.6,
    "Alexander": 0.6, "Edward": 0.6, "Dylan": 0.6, "Jake": 0.5, "Benjamin": 0.5,
    "Finley": 0.5, "Riley": 0.5, "Adam": 0.5, "Tyler": 0.5, "Lewis": 0.5, "Matthew": 0.5,
    "Ryan": 0.5, "Luke": 0.5, "Callum": 0.4, "Jayden": 0.4, "Kai": 0.4, "Reuben": 0.4,
    "Sebastian": 0.4, "Mohammed": 0.4, "Elijah": 0.4,
}  # fmt: skip
GIRLS = {
    "Olivia": 2.0, "Amelia": 1.9, "Isla": 1.5, "Ava": 1.5, "Emily": 1.4, "Isabella": 1.2,
    "Mia": 1.2, "Poppy": 1.1, "Ella": 1.1, "Lily": 1.1, "Evie": 1.0, "Grace": 1.0,
    "Sophia": 1.0, "Sophie": 1.0, "Jessica": 0.9, "Chloe": 0.9, "Ruby": 0.9, "Freya": 0.8,
    "Charlotte": 0.8, "Daisy": 0.8, "Millie": 0.8, "Ellie": 0.8, "Ivy": 0.7, "Florence": 0.7,
    "Willow": 0.7, "Sienna": 0.7, "Phoebe": 0.6, "Matilda": 0.6, "Layla": 0.6, "Rosie": 0.6,
    "Evelyn": 0.6, "Scarlett": 0.6, "Holly": 0.5, "Lucy": 0.5, "Erin": 0.5, "Megan": 0.5,
    "Hannah": 0.5, "Elsie": 0.5, "Harriet": 0.5, "Lola": 0.5, "Maisie": 0.4, "Amelie": 0.4,
    "Zara": 0.4, "Eva": 0.4, "Imogen": 0.4, "Bella": 0.4, "Esme": 0.4, "Aria": 0.4,
    "Katie": 0.4, "Maya": 0.4,
}  # fmt: skip
# Where the long tails come from (Faker's tables of names, ASCII single words only).
TAIL_SURNAME_LOCALES = ("en_IE", "en_US", "en_NZ", "en_IN", "it_IT", "es_ES", "nl_NL", "de_DE")
TAIL_SURNAME_LOCALES += ("fr_FR", "zu_ZA", "yo_NG", "ga_IE")
TAIL_FIRST_NAME_LOCALES = ("en_GB", "en_US", "en_IE")
TOWNS = ("Northtown", "Castlebridge", "Millbrook", "Harwick", "Fenby", "Ashby", "Kettlewell")
SCHOOLS = ("Hillside Primary School", "Fenby CE Primary School", "Castlebridge High School")
# Ethnicity of children in England (DfE school census 2023-24, rounded %), with
# a share not yet obtained, as a case record has it before anyone asks.
ETHNICITY = {
    "WBRI": 62, "WOTH": 7, "WIRI": 0.3, "WIRT": 0.2, "WROM": 0.4, "MWBC": 1.6, "MWBA": 0.9,
    "MWAS": 1.9, "MOTH": 2.4, "AIND": 3.5, "APKN": 4.6, "ABAN": 1.9, "AOTH": 2.2,
    "BCRB": 1.0, "BAFR": 4.2, "BOTH": 0.6, "CHNE": 0.5, "OOTH": 2.2, "REFU": 0.5, "NOBT": 5,
}  # fmt: skip
# Why a school-age child has no UPN (UN1 is the under-sixes'; UN7 is refused
# for a referral that went on, census rule 8772).
UPN_REASONS = ("UN2", "UN3", "UN5", "UN6")
CHILDREN_PER_POSTCODE = 8
AGE_YEARS = 18
# A household's children: one (half of them), two, three or four.
HOUSEHOLD_SIZES = (1, 2, 3, 4)
HOUSEHOLD_WEIGHTS = (50, 30, 15, 5)


def _ascii_word(name: str) -> bool:
    return name.isascii() and name.replace("'", "").isalpha() and len(name) > 1


def _names_of(locale: str, attribute: str) -> list[str]:
    provider = import_module(f"faker.providers.person.{locale}").Provider
    names = getattr(provider, attribute, ())
    return [n for n in names if _ascii_word(n)]


def _with_tail(top: dict[str, float], tail: list[str], total: float = 100.0) -> WeightedNames:
    """``top`` at its shares, then ``tail`` sharing what is left, each tail name
    less common than the rarest of ``top`` and rarer down the list (1/(rank+k))."""
    tail = [n for n in dict.fromkeys(tail) if n not in top]
    left = max(total - sum(top.values()), 0.0)
    floor = min(top.values())
    k = 1
    while tail:  # flatten the tail until its commonest name is below the floor
        harmonic = sum(1 / (rank + k) for rank in range(1, len(tail) + 1))
        if left / harmonic / (1 + k) <= floor:
            break
        k *= 2
    weights = dict(top)
    for rank, name in enumerate(tail, start=1):
        weights[name] = left / harmonic / (rank + k)
    return WeightedNames(list(weights), list(accumulate(weights.values())))


@dataclass(frozen=True)
class WeightedNames:
    names: list[str]
    cumulative: list[float]

    def draw(self, rng: random.Random) -> str:
        return rng.choices(self.names, cum_weights=self.cumulative)[0]

    def share(self, name: str) -> float:
        i = self.names.index(name)
        return (self.cumulative[i] - (self.cumulative[i - 1] if i else 0)) / self.cumulative[-1]


@lru_cache(maxsize=1)
def name_tables() -> tuple[WeightedNames, WeightedNames, WeightedNames]:
    """(surnames, girls' names, boys' names), each with its frequencies."""
    shuffle = random.Random("scale-names")  # noqa: S311 - a fixed order for the tails
    surname_tail = sorted(
        {n for loc in TAIL_SURNAME_LOCALES for n in _names_of(loc, "last_names")}
        - set(BritishNames.last_names)
    )
    shuffle.shuffle(surname_tail)
    surnames = _with_tail(dict(BritishNames.last_names), surname_tail, total=100.0)
    girls_tail = sorted(
        {n for loc in TAIL_FIRST_NAME_LOCALES for n in _names_of(loc, "first_names_female")}
    )
    boys_tail = sorted(
        {n for loc in TAIL_FIRST_NAME_LOCALES for n in _names_of(loc, "first_names_male")}
    )
    shuffle.shuffle(girls_tail)
    shuffle.shuffle(boys_tail)
    return surnames, _with_tail(GIRLS, girls_tail), _with_tail(BOYS, boys_tail)


# Identifiers --------------------------------------------------------------------


class NhsNumbers:
    """Distinct valid NHS numbers: a stride through the nine-digit bodies (7919
    is prime to 900,000,000, so no body comes twice) with the modulus-11 check
    digit; bodies whose check digit would be 10 are skipped, as the NHS does."""

    def __init__(self, start: int = 0) -> None:
        self.i = start

    def __next__(self) -> str:
        while True:
            body = str(100_000_000 + (self.i * 7919 + 400_000_000) % 900_000_000)
            self.i += 1
            total = sum(int(d) * w for d, w in zip(body, range(10, 1, -1), strict=True))
            check = (11 - total % 11) % 11
            if check != 10:
                return body + str(check)


class PupilNumbers:
    """Distinct valid UPNs: a counter spread over real DfE LA numbers,
    establishments, years and serials, with the check letter."""

    def __init__(self, start: int = 0) -> None:
        self.i = start

    def __next__(self) -> str:
        i = self.i
        self.i += 1
        la = UPN_LA_NUMBERS[(i // 10_000_000) % len(UPN_LA_NUMBERS)]
        body = f"{la}{2000 + (i // 10_000) % 1000}{10 + (i // 1000) % 10}{i % 1000:03d}"
        return upn_number.calc_check_digit(body) + body


# Generation -----------------------------------------------------------------------


@dataclass
class ScaleChild:
    """One generated child, as the columns that differ from one child to the next."""

    id: uuid.UUID
    reference: str
    first_name: str
    last_name: str
    date_of_birth: dt.date
    sex: str
    nhs_number: str
    upn: str
    address: str
    postcode: str
    school: str
    ethnicity: str = "NOBT"
    disabilities: list[str] = field(default_factory=list)
    upn_unknown_reason: str = ""
    previous: list[tuple[str, str, dt.date, dt.date]] = field(default_factory=list)


def generate_children(
    n: int, *, seed: int = 2026, today: dt.date | None = None, reference_prefix: str = "CHI-S"
) -> Iterator[ScaleChild]:
    """``n`` invented children, household by household."""
    rng = random.Random(seed)  # noqa: S311 - invented people, reproducible
    today = today or timezone.localdate()
    surnames, girls, boys = name_tables()
    postcodes = _postcodes(rng, max(n // CHILDREN_PER_POSTCODE, 10))
    nhs, upns = NhsNumbers(seed), PupilNumbers(seed % 1000 * 1000)
    # The census items from a generator of their own: the main one's draws,
    # and so every child's name and identifiers, stay as they were.
    census_rng = random.Random(f"census:{seed}")  # noqa: S311 - invented people
    ethnicities, shares = list(ETHNICITY), list(accumulate(ETHNICITY.values()))
    oldest = today - dt.timedelta(days=round(AGE_YEARS * 365.25) - 1)
    span = (today - oldest).days
    made = 0
    while made < n:
        size = rng.choices(HOUSEHOLD_SIZES, HOUSEHOLD_WEIGHTS)[0]
        last = surnames.draw(rng)
        if rng.random() < 0.05:
            last = f"{last}-{surnames.draw(rng)}"
        postcode = rng.choice(postcodes)
        address = f"{rng.randint(1, 240)} {rng.choice(STREETS)}, {rng.choice(TOWNS)}"
        moved = rng.random() < 0.2
        before = [
            (rng.choice(postcodes), f"{rng.randint(1, 240)} {rng.choice(STREETS)}")
            for _ in range(1 + (rng.random() < 0.25))
        ]
        dob = oldest + dt.timedelta(days=rng.randrange(span))
        for sibling in range(min(size, n - made)):
            if sibling and rng.random() >= 0.03:  # a sibling's own birthday; now and then a twin
                dob = oldest + dt.timedelta(days=rng.randrange(span))
            sex = rng.choice("FM")
            first = (girls if sex == "F" else boys).draw(rng)
            age = (today - dob).days / 365.25
            made += 1
            child = ScaleChild(
                id=uuid.UUID(int=rng.getrandbits(128), version=4),
                reference=f"{reference_prefix}-{made:08d}",
                first_name=first,
                last_name=last,
                date_of_birth=dob,
                sex=sex,
                nhs_number=next(nhs) if rng.random() < 0.9 else "",
                upn=next(upns) if age >= 4 and rng.random() < 0.8 else "",
                address=address,
                postcode=postcode,
                school=rng.choice(SCHOOLS) if age >= 4 else "",
                ethnicity=census_rng.choices(ethnicities, cum_weights=shares)[0],
                disabilities=list(census_rng.choice(DISABILITY_PATTERNS)),
            )
            if not child.upn:
                # UN1 while under six at the census's reference date, up to a year away.
                reason = "UN1" if age < 5 else census_rng.choice(UPN_REASONS)
                child.upn_unknown_reason = reason
            if moved:
                to_date = today - dt.timedelta(days=rng.randrange(30, 1500))
                for old_postcode, old_address in before:
                    child.previous.append(
                        (old_address, old_postcode, to_date - dt.timedelta(days=400), to_date)
                    )
                    to_date -= dt.timedelta(days=401)
            yield child


def _postcodes(rng: random.Random, count: int) -> list[str]:
    # A district holds about 2,000 postcodes in use, and never more than 2,500:
    # it has only 3,240 (10 digits, 18 letters squared), and one district for
    # 26,000 to 32,000 children (3,250 to 4,000 postcodes) never finished.
    districts = max(count // 2000, -(-count // 2500), 1)
    found: set[str] = set()
    while len(found) < count:
        district = rng.randrange(1, districts + 1)
        letters = "".join(rng.choices(POSTCODE_LETTERS, k=2))
        found.add(f"NS{district} {rng.randint(0, 9)}{letters}")
    return sorted(found)


# Loading ------------------------------------------------------------------------


@dataclass
class Built:
    children: int = 0
    addresses: int = 0
    seconds: dict[str, float] = field(default_factory=dict)

    def __str__(self) -> str:
        times = ", ".join(f"{k} {v:.1f} s" for k, v in self.seconds.items())
        return f"{self.children:,} children, {self.addresses:,} previous addresses ({times})"


def build_children(
    n: int,
    *,
    agency: Agency,
    seed: int = 2026,
    today: dt.date | None = None,
    reference_prefix: str = "CHI-S",
    using: str = "default",
    batch: int = 20_000,
    progress: Callable[[int], None] | None = None,
) -> Built:
    """Insert ``n`` generated children of ``agency`` (and their previous addresses)."""
    connection = connections[using]
    built = Built()
    started = time.perf_counter()
    now = timezone.now()
    child_columns, child_fixed = _columns(Child, connection, now, lead_agency_id=agency.pk)
    address_columns, address_fixed = _columns(ChildAddress, connection, now)
    few = Child.objects.using(using).count() < n
    tables = [Child._meta.db_table, ChildAddress._meta.db_table]
    with transaction.atomic(using=using):
        dropped = _drop_secondary_indexes(connection, tables) if few else []
        rows = generate_children(n, seed=seed, today=today, reference_prefix=reference_prefix)
        children: list[dict] = []
        addresses: list[dict] = []
        keys: dict[str, str] = {}
        for child in rows:
            for name in (child.first_name, child.last_name):
                if name not in keys:
                    keys[name] = name_key(name)
            children.append(
                {
                    **child_fixed,
                    "id": child.id,
                    "reference": child.reference,
                    "first_name": child.first_name,
                    "last_name": child.last_name,
                    "date_of_birth": child.date_of_birth,
                    "sex": child.sex,
                    "nhs_number": child.nhs_number,
                    "upn": child.upn,
                    "address": child.address,
                    "postcode": child.postcode,
                    "school": child.school,
                    "first_name_key": keys[child.first_name],
                    "last_name_key": keys[child.last_name],
                    "ethnicity": child.ethnicity,
                    "disabilities": json.dumps(child.disabilities),
                    "upn_unknown_reason": child.upn_unknown_reason,
                }
            )
            for address, postcode, from_date, to_date in child.previous:
                addresses.append(
                    {
                        **address_fixed,
                        "id": uuid.UUID(int=(child.id.int + len(addresses) + 1) % 2**128),
                        "child_id": child.id,
                        "address": address,
                        "postcode": postcode,
                        "from_date": from_date,
                        "to_date": to_date,
                    }
                )
            if len(children) >= batch:
                built.children += _insert(connection, Child, child_columns, children)
                built.addresses += _insert(connection, ChildAddress, address_columns, addresses)
                children, addresses = [], []
                if progress:
                    progress(built.children)
        built.children += _insert(connection, Child, child_columns, children)
        built.addresses += _insert(connection, ChildAddress, address_columns, addresses)
        built.seconds["rows"] = time.perf_counter() - started
        if dropped:
            indexed = time.perf_counter()
            with connection.cursor() as cursor:
                if connection.vendor == "postgresql":
                    # Run the deferred foreign-key checks now: PostgreSQL builds
                    # no index on a table with trigger events pending.
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                    built.seconds["foreign keys"] = time.perf_counter() - indexed
                for _name, sql in dropped:
                    cursor.execute(sql)
            built.seconds["indexes"] = time.perf_counter() - indexed
    analysed = time.perf_counter()
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
    built.seconds["analyze"] = time.perf_counter() - analysed
    built.seconds["total"] = time.perf_counter() - started
    return built


def _columns(model, connection, now: dt.datetime, **given) -> tuple[list, dict]:
    """Every concrete column of ``model``, and the values that are the same in
    every row: ``given``, then the field's default, then NULL where allowed;
    the generated values fill the rest."""
    generated = {
        "id", "reference", "first_name", "last_name", "date_of_birth", "sex", "nhs_number",
        "upn", "address", "postcode", "school", "first_name_key", "last_name_key",
        "child_id", "from_date", "to_date", "ethnicity", "disabilities", "upn_unknown_reason",
    }  # fmt: skip
    fields = model._meta.concrete_fields
    fixed: dict = {}
    for f in fields:
        if f.column in generated:
            continue
        if f.column in given:
            fixed[f.column] = given[f.column]
        elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            fixed[f.column] = now
        elif f.has_default():
            value = f.get_default()
            fixed[f.column] = json.dumps(value) if isinstance(f, JSONField) else value
        elif f.null:
            fixed[f.column] = None
        elif f.blank and f.empty_strings_allowed:
            fixed[f.column] = ""
        else:
            raise ValueError(f"{model.__name__}.{f.name} needs a value the generator does not make")
    return [f.column for f in fields], fixed


def _insert(connection, model, columns: list[str], rows: list[dict]) -> int:
    if not rows:
        return 0
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            buffer = io.StringIO()
            for row in rows:
                buffer.write("\t".join(_copy_text(row[c]) for c in columns))
                buffer.write("\n")
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                copy.write(buffer.getvalue())
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(
                f"INSERT INTO {table} ({names}) VALUES ({marks})",  # noqa: S608 - our own names
                [[_sqlite_value(row[c]) for c in columns] for row in rows],
            )
    return len(rows)


def _copy_text(value) -> str:
    """A value in COPY's text format (no generated text holds tabs, newlines or
    backslashes, so only NULL needs spelling out)."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _sqlite_value(value):
    if isinstance(value, uuid.UUID):
        return value.hex  # Django keeps UUIDs as 32 hex digits on SQLite
    if isinstance(value, dt.datetime):  # as Django keeps them: naive UTC
        return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _drop_secondary_indexes(connection, tables: list[str]) -> list[tuple[str, str]]:
    """Drop the indexes that no constraint needs; return how to build them again."""
    found: list[tuple[str, str]] = []
    with connection.cursor() as cursor:
        for table in tables:
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s "
                    "AND indexname NOT IN (SELECT conname FROM pg_constraint "
                    "WHERE conrelid = %s::regclass)",
                    [table, table],
                )
            else:
                cursor.execute(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                    "AND tbl_name = %s AND sql IS NOT NULL",
                    [table],
                )
            found += cursor.fetchall()
        for name, _sql in found:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    return found
