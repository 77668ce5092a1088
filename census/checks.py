"""The checks a return passes before it is offered (SPEC 3.11).

1. The XML against the CIN census schema (``schema/CIN_schema_2026-27.xsd``,
   read with ``xmlschema``).
2. The DfE's validation rules for the year, as data-to-insight's maintained
   implementation runs them (PyPI ``csc-validator-be-cin``; module
   ``cin_validator``), on the XML exactly as it will be sent.
"""

from __future__ import annotations

import contextlib
import functools
import io
import logging
import re
import warnings
import xml.etree.ElementTree as ET  # noqa: S405 - parses only the XML this app just wrote
from dataclasses import dataclass, field
from pathlib import Path

import xmlschema

from census.years import CensusYear

log = logging.getLogger(__name__)

SCHEMA_PATH = Path(__file__).resolve().parent / "schema" / "CIN_schema_2026-27.xsd"
MAX_SCHEMA_ERRORS = 200


@functools.cache
def cin_schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(SCHEMA_PATH))


def schema_errors(content: bytes) -> list[dict]:
    """Every way ``content`` breaks the schema (the first 200), with where."""
    errors = []
    for error in cin_schema().iter_errors(io.BytesIO(content)):
        errors.append({"message": error.reason or str(error.message), "path": error.path or ""})
        if len(errors) >= MAX_SCHEMA_ERRORS:
            break
    return errors


@dataclass
class RuleCheck:
    breaches: list[dict] = field(default_factory=list)
    return_level: list[dict] = field(default_factory=list)
    rules_checked: int = 0
    # Rules the package could not run on this data (it prints and moves on).
    failed_to_run: list[str] = field(default_factory=list)


def _clean(value) -> str:
    text = "" if value is None else str(value)
    return "" if text in ("nan", "NaT", "<NA>", "None") else text


def dfe_rule_check(content: bytes, year: CensusYear) -> RuleCheck:
    """Run the year's DfE rules over ``content``; one entry per breach, by child."""
    from cin_validator import cin_validator
    from cin_validator.rules.ruleset_utils import get_year_ruleset

    registry = get_year_ruleset(year.collection_year)
    root = ET.fromstring(content)  # noqa: S314 - our own output
    printed = io.StringIO()
    # The package's pandas 1.5 and numpy idioms warn at every rule: noise here.
    with warnings.catch_warnings(), contextlib.redirect_stdout(printed):
        warnings.simplefilter("ignore", FutureWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        tables = cin_validator.process_data(cin_validator.convert_data(root))
        validator = cin_validator.CinValidator(tables, registry)
    failed = sorted(set(re.findall(r"Error with rule (\S+):", printed.getvalue())))
    if failed:
        log.warning("DfE rules that could not run: %s", ", ".join(failed))

    kinds = {str(code): rule.rule_type.name.lower() for code, rule in registry.items()}
    check = RuleCheck(rules_checked=len(registry), failed_to_run=failed)
    seen = set()
    report = validator.user_report
    if not report.empty:
        for row in report.to_dict("records"):
            table = _clean(row.get("tables_affected"))
            if not table or table == "Header":
                continue
            code = _clean(row.get("rule_code"))
            child_id = _clean(row.get("LAchildID"))
            key = (code, child_id, table, _clean(row.get("ERROR_ID")))
            if key in seen:
                continue
            seen.add(key)
            check.breaches.append(
                {
                    "rule": code,
                    "type": kinds.get(code, "error"),
                    "message": _clean(row.get("rule_description")),
                    "la_child_id": child_id,
                    "table": table,
                    "field": _clean(row.get("columns_affected")),
                    "value": _clean(row.get("value_flagged")),
                }
            )
    multichild = validator.multichild_issues
    if not multichild.empty:
        for row in multichild.drop_duplicates().to_dict("records"):
            code = _clean(row.get("rule_code"))
            check.return_level.append(
                {
                    "rule": code,
                    "type": kinds.get(code, "error"),
                    "message": _clean(row.get("rule_description")),
                }
            )
    _rule_8540_no_disabilities(root, check, registry)
    check.breaches.sort(key=lambda b: (b["la_child_id"], _rule_order(b["rule"])))
    return check


def _rule_8540_no_disabilities(root: ET.Element, check: RuleCheck, registry) -> None:
    """Rule 8540 where the package misses it. The DfE's rule: "If PersonBirthDate
    is present and at least one ReferralNFA is false or 0, then one or more
    Disability must be present". The package finds a child whose Disabilities
    hold a wrong code, but not one with no Disabilities element at all (its
    reader then makes an empty table and the rule's merge finds no rows)."""
    rule = registry.get("8540")
    if rule is None:
        return
    already = {b["la_child_id"] for b in check.breaches if b["rule"] == "8540"}
    for child in root.iterfind("Children/Child"):
        child_id = child.findtext("ChildIdentifiers/LAchildID") or ""
        if child_id in already or child.find("ChildCharacteristics/Disabilities") is not None:
            continue
        if child.findtext("ChildIdentifiers/PersonBirthDate") is None:
            continue
        nfa = [d.findtext("ReferralNFA") for d in child.iterfind("CINdetails")]
        if not any(value in ("false", "0") for value in nfa):
            continue
        check.breaches.append(
            {
                "rule": "8540",
                "type": rule.rule_type.name.lower(),
                "message": rule.message,
                "la_child_id": child_id,
                "table": "Disabilities",
                "field": "Disability",
                "value": "",
            }
        )


def _rule_order(code: str) -> tuple[int, str]:
    digits = re.match(r"\d+", code)
    return (int(digits.group()) if digits else 0, code)
