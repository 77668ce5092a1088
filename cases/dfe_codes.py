"""DfE Children in Need census codes, defined once (CIN census specification).

The lead agency's statutory return falls out of day-to-day recording, so the
codes are stored as the census spells them.

Sources, checked for the 2025-26 and 2026-27 collections:

- the DfE CIN census XML schema, whose enumerations carry the DfE's own label
  for every code (the 2023-24 schema as the DfE published it, kept by Social
  Finance's liiatools as ``liiatools/spec/cin_census/CIN_schema_2024.xsd``);
- the DfE validation rules for 2024-25 onwards as data-to-insight implement
  them (PyPI ``csc-validator-be-cin`` 0.1.13, whose 2025-26 and 2026-27 rule
  sets change nothing from 2024-25): each rule below lists the codes it
  accepts;
- the DfE common basic data set (CBDS) code sets, for the UPN-unknown
  reasons (CS051);
- "Children in need census: guide for local authorities" (the annexes on
  codes; e.g. the 2021-22 guide,
  https://www.readkong.com/page/children-in-need-census-2021-to-2022-guide-for-local-2063105).

The code sets have not changed since 2021-22 (5D and RC9 were the last codes
added); 2024-25 replaced ``GenderCurrent`` (1/2/0/9) with ``Sex`` (M/F/U,
rule 4180), which ``cases.models.Sex`` already holds. Check each year's guide
before the return: the DfE adds codes, it does not renumber them.
"""

from django.db import models


class Ethnicity(models.TextChoices):
    """Ethnicity (N00177): the schema's ``ethnicitytype``; rule 4220 accepts these 20."""

    WBRI = "WBRI", "White British"
    WIRI = "WIRI", "White Irish"
    WIRT = "WIRT", "Traveller of Irish heritage"
    WOTH = "WOTH", "Any other White background"
    WROM = "WROM", "Gypsy/Roma"
    MWBC = "MWBC", "White and Black Caribbean"
    MWBA = "MWBA", "White and Black African"
    MWAS = "MWAS", "White and Asian"
    MOTH = "MOTH", "Any other mixed background"
    AIND = "AIND", "Indian"
    APKN = "APKN", "Pakistani"
    ABAN = "ABAN", "Bangladeshi"
    AOTH = "AOTH", "Any other Asian background"
    BCRB = "BCRB", "Caribbean"
    BAFR = "BAFR", "African"
    BOTH = "BOTH", "Any other Black background"
    CHNE = "CHNE", "Chinese"
    OOTH = "OOTH", "Any other ethnic group"
    REFU = "REFU", "Refused"
    NOBT = "NOBT", "Information not yet obtained"


class Disability(models.TextChoices):
    """Disability (N00099): the schema's ``disabilitytype``; rule 8540 accepts these 13,
    rule 8790 refuses NONE beside any other code."""

    NONE = "NONE", "No disability"
    MOB = "MOB", "Mobility"
    HAND = "HAND", "Hand function"
    PC = "PC", "Personal care"
    INC = "INC", "Incontinence"
    COMM = "COMM", "Communication"
    LD = "LD", "Learning"
    HEAR = "HEAR", "Hearing"
    VIS = "VIS", "Vision"
    BEH = "BEH", "Behaviour"
    CON = "CON", "Consciousness"
    AUT = "AUT", "Diagnosed with autism or Asperger syndrome"
    DDA = "DDA", "Other disability under the Equality Act"


class UpnUnknown(models.TextChoices):
    """Reason a UPN is not held (UPNunknown, N00135): the schema's ``unknownupntype``
    (UN1-UN7); labels as the DfE's common basic data set code set CS051 gives them.
    Rule 8770Q asks for a UPN or one of UN2-UN7 for a child of six or more with a
    referral that went on to further action; rule 8772 refuses UN7 beside such a
    referral; a reason is given only when there is no UPN."""

    UNDER_SIX = "UN1", "Child is aged under 6 years old and is not yet assigned a UPN"
    NEVER_MAINTAINED_SCHOOL = (
        "UN2",
        "Child has never attended a maintained school in England and has not been assigned a UPN",
    )
    EDUCATED_OUTSIDE_ENGLAND = (
        "UN3",
        "Child is educated outside England and has not been assigned a UPN",
    )
    NEWLY_IN_NEED = (
        "UN4",
        "Child is newly in need (one week before the end of the collection period) and the "
        "UPN was not yet known at the time of the return",
    )
    DISCREPANCY = (
        "UN5",
        "Sources collating UPNs reflect discrepancies for the child's name, surname or date "
        "of birth, preventing reliable matching (for example a duplicated UPN)",
    )
    UNABLE_TO_OBTAIN = (
        "UN6",
        "Child is not looked after, and the authority is unable to obtain the UPN",
    )
    REFERRAL_NFA = "UN7", "Child referred but no further action taken"


class ReferralSource(models.TextChoices):
    """Source of referral (N00152): the schema's ``referralsourcetype``, whose
    labels these follow; rule 8866 accepts exactly these 22 codes.

    Until December 2026 1A-1D were shifted here (1A "Individual", 1B family,
    1C acquaintance, 1D self): the DfE's 1A is the family, 1D anyone else.
    """

    FAMILY = "1A", "Individual: family member, relative or carer"
    ACQUAINTANCE = "1B", "Individual: acquaintance, including neighbours and childminders"
    SELF = "1C", "Individual: self"
    OTHER_INDIVIDUAL = "1D", "Individual: other, including strangers"
    SCHOOLS = "2A", "Schools"
    EDUCATION = "2B", "Education services"
    GP = "3A", "Health services: general practitioner (GP)"
    HEALTH_VISITOR = "3B", "Health services: health visitor"
    SCHOOL_NURSE = "3C", "Health services: school nurse"
    PRIMARY_HEALTH = "3D", "Health services: other primary health services"
    A_AND_E = "3E", "Health services: A&E (accident and emergency department)"
    OTHER_HEALTH = "3F", "Health services: other, for example a hospice"
    HOUSING = "4", "Housing: local authority housing or housing association"
    SOCIAL_CARE = "5A", "Local authority services: social care, for example adult social care"
    OTHER_DEPARTMENT = (
        "5B",
        "Local authority services: other internal department, for example youth offending "
        "(not housing)",
    )
    OTHER_LA = "5C", "Local authority services: external, for example another authority"
    EARLY_HELP = "5D", "Local authority services: early help"
    POLICE = "6", "Police"
    LEGAL = "7", "Other legal agency: courts, probation, immigration, Cafcass or prison"
    OTHER = "8", "Other: children's centres, independent providers, voluntary organisations"
    ANONYMOUS = "9", "Anonymous"
    UNKNOWN = "10", "Unknown"


class PrimaryNeed(models.TextChoices):
    """Primary need code (N00101): the schema's ``primaryneedcodetype``; rule 8650."""

    ABUSE_OR_NEGLECT = "N1", "Abuse or neglect"
    DISABILITY = "N2", "Child's disability"
    PARENTAL_ILLNESS = "N3", "Parental disability or illness"
    ACUTE_STRESS = "N4", "Family in acute stress"
    DYSFUNCTION = "N5", "Family dysfunction"
    BEHAVIOUR = "N6", "Socially unacceptable behaviour"
    LOW_INCOME = "N7", "Low income"
    ABSENT_PARENTING = "N8", "Absent parenting"
    NOT_CIN = "N9", "Cases other than children in need"
    NOT_STATED = "N0", "Not stated"


class ClosureReason(models.TextChoices):
    """Reason for closure (N00103): the schema's ``reasonforclosuretype``; rule 8640."""

    ADOPTED = "RC1", "Adopted"
    DIED = "RC2", "Died"
    CHILD_ARRANGEMENTS = "RC3", "Child arrangements order"
    SPECIAL_GUARDIANSHIP = "RC4", "Special guardianship order"
    TRANSFERRED_LA = "RC5", "Transferred to services of another local authority"
    TRANSFERRED_ADULT = "RC6", "Transferred to adult social care services"
    CEASED_OTHER = "RC7", "Services ceased for any other reason, including child no longer in need"
    NFA_AFTER_ASSESSMENT = "RC8", "Case closed after assessment, no further action"
    EARLY_HELP_AFTER_ASSESSMENT = "RC9", "Case closed after assessment, referred to early help"


class AssessmentFactor(models.TextChoices):
    """Factors identified at the end of assessment (CIN census, data item N00181).

    Codes as the census guide lists them ("Children in need census: guide for
    local authorities", annex on factors identified at the end of assessment,
    https://www.gov.uk/government/publications/children-in-need-census-2014-to-2015-guide
    and later years, e.g.
    https://www.readkong.com/page/children-in-need-census-2021-to-2022-guide-for-local-2063105),
    and the schema's ``assessmentfactorstype``, which these 43 codes match
    exactly. 18A and 19A are gone since 2017-18 (split into child on child and
    adult on child, B and C; rules 8945Q and 8950Q query them); there is no 8A.
    Rule 8869 refuses 21 beside any other code, rule 8898 a code twice.

    24A is child criminal exploitation (the schema: "concerns that services may
    be required or the child may be at risk of harm due to child criminal
    exploitation"); until December 2026 it was labelled "Radicalisation" here,
    which has no factor code of its own (record it as 20, Other).
    """

    ALCOHOL_CHILD = "1A", "Alcohol misuse: concerns about the child"
    ALCOHOL_PARENT = "1B", "Alcohol misuse: concerns about the parent or carer"
    ALCOHOL_OTHER = "1C", "Alcohol misuse: concerns about another person in the household"
    DRUG_CHILD = "2A", "Drug misuse: concerns about the child"
    DRUG_PARENT = "2B", "Drug misuse: concerns about the parent or carer"
    DRUG_OTHER = "2C", "Drug misuse: concerns about another person in the household"
    DOMESTIC_ABUSE_CHILD = "3A", "Domestic abuse: concerns about the child being the subject"
    DOMESTIC_ABUSE_PARENT = (
        "3B",
        "Domestic abuse: concerns about the parent or carer being the subject",
    )
    DOMESTIC_ABUSE_OTHER = (
        "3C",
        "Domestic abuse: concerns about another person in the household being the subject",
    )
    MENTAL_HEALTH_CHILD = "4A", "Mental health: concerns about the child"
    MENTAL_HEALTH_PARENT = "4B", "Mental health: concerns about the parent or carer"
    MENTAL_HEALTH_OTHER = "4C", "Mental health: concerns about another person in the household"
    LEARNING_DISABILITY_CHILD = "5A", "Learning disability: concerns about the child"
    LEARNING_DISABILITY_PARENT = "5B", "Learning disability: concerns about the parent or carer"
    LEARNING_DISABILITY_OTHER = (
        "5C",
        "Learning disability: concerns about another person in the household",
    )
    PHYSICAL_DISABILITY_CHILD = "6A", "Physical disability or illness: concerns about the child"
    PHYSICAL_DISABILITY_PARENT = (
        "6B",
        "Physical disability or illness: concerns about the parent or carer",
    )
    PHYSICAL_DISABILITY_OTHER = (
        "6C",
        "Physical disability or illness: concerns about another person in the household",
    )
    YOUNG_CARER = "7A", "Young carer"
    PRIVATE_FOSTERING_OVERSEAS_RETURN = (
        "8B",
        "Privately fostered: overseas children who intend to return home",
    )
    PRIVATE_FOSTERING_OVERSEAS_STAY = (
        "8C",
        "Privately fostered: overseas children who intend to stay",
    )
    PRIVATE_FOSTERING_EDUCATION = "8D", "Privately fostered: UK children in educational placements"
    PRIVATE_FOSTERING_FAMILY = (
        "8E",
        "Privately fostered: UK children making alternative arrangements",
    )
    PRIVATE_FOSTERING_OTHER = "8F", "Privately fostered: other"
    UNACCOMPANIED_ASYLUM_SEEKER = "9A", "Unaccompanied asylum-seeking child"
    MISSING = "10A", "Going or being missing"
    SEXUAL_EXPLOITATION = "11A", "Child sexual exploitation"
    TRAFFICKING = "12A", "Trafficking"
    GANGS = "13A", "Gangs"
    SOCIALLY_UNACCEPTABLE_BEHAVIOUR = "14A", "Socially unacceptable behaviour"
    SELF_HARM = "15A", "Self-harm"
    NEGLECT = "16A", "Abuse or neglect: neglect"
    EMOTIONAL_ABUSE = "17A", "Abuse or neglect: emotional abuse"
    PHYSICAL_ABUSE_CHILD_ON_CHILD = "18B", "Abuse or neglect: physical abuse, child on child"
    PHYSICAL_ABUSE_ADULT_ON_CHILD = "18C", "Abuse or neglect: physical abuse, adult on child"
    SEXUAL_ABUSE_CHILD_ON_CHILD = "19B", "Abuse or neglect: sexual abuse, child on child"
    SEXUAL_ABUSE_ADULT_ON_CHILD = "19C", "Abuse or neglect: sexual abuse, adult on child"
    OTHER = "20", "Other"
    NONE = "21", "No factors identified"
    FGM = "22A", "Female genital mutilation"
    FAITH_OR_BELIEF = "23A", "Abuse linked to faith or belief"
    CHILD_CRIMINAL_EXPLOITATION = "24A", "Child criminal exploitation"


# The source of referral a triage decision starts from, by the reporting
# agency's kind: a suggestion the person deciding confirms or changes (the DfE
# asks who referred, which the agency's kind alone cannot say: a health agency
# may be a GP, a health visitor, A&E or a school nurse). Never stored unchosen.
SOURCE_BY_AGENCY_KIND = {
    "education": ReferralSource.SCHOOLS,
    "police": ReferralSource.POLICE,
    "health": ReferralSource.OTHER_HEALTH,
    "social_care": ReferralSource.SOCIAL_CARE,
    "voluntary": ReferralSource.OTHER,
    "other": ReferralSource.OTHER,
}
