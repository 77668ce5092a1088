"""DfE Children in Need census codes, defined once (CIN census specification).

The lead agency's statutory return falls out of day-to-day recording, so the
codes are stored as the census spells them.
"""

from django.db import models


class Ethnicity(models.TextChoices):
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


class ReferralSource(models.TextChoices):
    INDIVIDUAL = "1A", "Individual"
    FAMILY = "1B", "Individual: family member, relative or carer"
    ACQUAINTANCE = "1C", "Individual: acquaintance, including peers"
    SELF = "1D", "Individual: self"
    SCHOOLS = "2A", "Schools"
    EDUCATION = "2B", "Education services"
    GP = "3A", "Health services: GP"
    HEALTH_VISITOR = "3B", "Health services: health visitor"
    SCHOOL_NURSE = "3C", "Health services: school nurse"
    PRIMARY_HEALTH = "3D", "Health services: other primary health services"
    A_AND_E = "3E", "Health services: A&E"
    OTHER_HEALTH = "3F", "Health services: other"
    HOUSING = "4", "Housing"
    SOCIAL_CARE = "5A", "Local authority services: social care"
    OTHER_DEPARTMENT = "5B", "Local authority services: other internal department"
    OTHER_LA = "5C", "Local authority services: external local authority"
    EARLY_HELP = "5D", "Local authority services: early help"
    POLICE = "6", "Police"
    LEGAL = "7", "Other legal agency"
    OTHER = "8", "Other"
    ANONYMOUS = "9", "Anonymous"
    UNKNOWN = "10", "Unknown"


class PrimaryNeed(models.TextChoices):
    ABUSE_OR_NEGLECT = "N1", "Abuse or neglect"
    DISABILITY = "N2", "Child's disability"
    PARENTAL_ILLNESS = "N3", "Parental illness or disability"
    ACUTE_STRESS = "N4", "Family in acute stress"
    DYSFUNCTION = "N5", "Family dysfunction"
    BEHAVIOUR = "N6", "Socially unacceptable behaviour"
    LOW_INCOME = "N7", "Low income"
    ABSENT_PARENTING = "N8", "Absent parenting"
    NOT_CIN = "N9", "Cases other than children in need"
    NOT_STATED = "N0", "Not stated"


class ClosureReason(models.TextChoices):
    ADOPTED = "RC1", "Adopted"
    DIED = "RC2", "Died"
    CHILD_ARRANGEMENTS = "RC3", "Child arrangements order"
    SPECIAL_GUARDIANSHIP = "RC4", "Special guardianship order"
    TRANSFERRED_LA = "RC5", "Transferred to services of another local authority"
    TRANSFERRED_ADULT = "RC6", "Transferred to adult social care"
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
    cross-checked against data-to-insight's Standard Safeguarding Dataset
    extract, which maps case-system answers to these codes. 18A and 19A are
    gone since 2017-18 (split into child on child and adult on child, B and C);
    there is no 8A. Check each year's guide before the return: the DfE adds
    codes, it does not renumber them.
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
    RADICALISATION = "24A", "Radicalisation"


# Where a concern came from, as the census counts it, by the reporting agency's kind.
SOURCE_BY_AGENCY_KIND = {
    "education": ReferralSource.SCHOOLS,
    "police": ReferralSource.POLICE,
    "health": ReferralSource.OTHER_HEALTH,
    "social_care": ReferralSource.SOCIAL_CARE,
    "voluntary": ReferralSource.OTHER,
    "other": ReferralSource.OTHER,
}
