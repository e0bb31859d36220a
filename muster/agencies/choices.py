"""Choice lists for agency models.

Values that reach the mandate engine (areas, deliveries, provider kinds, results,
exemption kinds) use the engine's words exactly; a test holds them to
`muster/rules/topics.yaml`.
"""

from django.db import models


class Discipline(models.TextChoices):
    PEACE_OFFICER = "peace-officer", "Peace officer"
    TELECOMMUNICATOR = "telecommunicator", "Telecommunicator"
    CORRECTIONS = "corrections", "Corrections officer"
    CHIEF = "chief", "Chief"
    RESERVE = "reserve", "Reserve officer"
    # Alabama, California, Texas, Tennessee, Illinois and Georgia name deputies in
    # their mandates' `applies_to`; without the choice nobody could be one.
    DEPUTY_SHERIFF = "deputy-sheriff", "Deputy sheriff"
    CIVILIAN = "civilian", "Civilian"


class LicenseStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    INACTIVE = "inactive", "Inactive"
    LAPSED = "lapsed", "Lapsed"


class ProviderKind(models.TextChoices):
    APPROVED_PROVIDER = "approved-provider", "Approved provider"
    IN_SERVICE = "in-service", "Agency in-service"
    OUT_OF_STATE = "out-of-state", "Out-of-state, federal or other organisation"
    ACADEMY = "academy", "Basic academy"
    COLLEGE = "college", "College course"
    INSTRUCTOR = "instructor", "Taught as instructor"
    OTHER = "other", "Other"


class Delivery(models.TextChoices):
    LIVE = "live", "Live (in person or live virtual)"
    ONLINE = "online", "Online or self-paced"


class Result(models.TextChoices):
    """A pass or fail where the course has one; blank ("") when it has none."""

    PASS = "pass", "Pass"
    FAIL = "fail", "Fail"


class Area(models.TextChoices):
    LEGAL = "legal", "Legal studies"
    TECHNICAL = "technical", "Technical studies"
    INTERPERSONAL = "interpersonal", "Interpersonal perspectives"
    SKILL_DEVELOPMENT = "skill-development", "Skill development"


class ExemptionKind(models.TextChoices):
    WAIVER = "waiver", "Waiver"
    EXTENSION = "extension", "Extension"
    # Part of a course missed for an approved emergency: where the rules tolerate
    # a small shortfall for one (Tennessee 1110-09-.05(1)(d)), it is not a failure.
    ABSENCE = "absence", "Approved absence from part of a course"


class State(models.TextChoices):
    """US states and DC, by postal code: the jurisdictions a license can come from."""

    AL = "AL", "Alabama"
    AK = "AK", "Alaska"
    AZ = "AZ", "Arizona"
    AR = "AR", "Arkansas"
    CA = "CA", "California"
    CO = "CO", "Colorado"
    CT = "CT", "Connecticut"
    DE = "DE", "Delaware"
    DC = "DC", "District of Columbia"
    FL = "FL", "Florida"
    GA = "GA", "Georgia"
    HI = "HI", "Hawaii"
    ID = "ID", "Idaho"
    IL = "IL", "Illinois"
    IN = "IN", "Indiana"
    IA = "IA", "Iowa"
    KS = "KS", "Kansas"
    KY = "KY", "Kentucky"
    LA = "LA", "Louisiana"
    ME = "ME", "Maine"
    MD = "MD", "Maryland"
    MA = "MA", "Massachusetts"
    MI = "MI", "Michigan"
    MN = "MN", "Minnesota"
    MS = "MS", "Mississippi"
    MO = "MO", "Missouri"
    MT = "MT", "Montana"
    NE = "NE", "Nebraska"
    NV = "NV", "Nevada"
    NH = "NH", "New Hampshire"
    NJ = "NJ", "New Jersey"
    NM = "NM", "New Mexico"
    NY = "NY", "New York"
    NC = "NC", "North Carolina"
    ND = "ND", "North Dakota"
    OH = "OH", "Ohio"
    OK = "OK", "Oklahoma"
    OR = "OR", "Oregon"
    PA = "PA", "Pennsylvania"
    RI = "RI", "Rhode Island"
    SC = "SC", "South Carolina"
    SD = "SD", "South Dakota"
    TN = "TN", "Tennessee"
    TX = "TX", "Texas"
    UT = "UT", "Utah"
    VT = "VT", "Vermont"
    VA = "VA", "Virginia"
    WA = "WA", "Washington"
    WV = "WV", "West Virginia"
    WI = "WI", "Wisconsin"
    WY = "WY", "Wyoming"


class AgencyKind(models.TextChoices):
    POLICE_DEPARTMENT = "police-department", "Police department"
    SHERIFF = "sheriff", "Sheriff's office"
    STATE_AGENCY = "state-agency", "State agency"
    PSAP = "psap", "911 centre (PSAP)"
    CORRECTIONS = "corrections", "Jail or corrections"
    ACADEMY = "academy", "Academy or training provider"


class RecordSource(models.TextChoices):
    MANUAL = "manual", "Entered by a coordinator"
    CLASSROOM = "classroom", "Classroom session"
    ONLINE_COURSE = "online-course", "Muster online course"
    IMPORT = "import", "Imported"
    SELF_REPORTED = "self-reported", "Self-reported"
    XAPI = "xapi", "xAPI statement"


class Approval(models.TextChoices):
    """Self-reported training counts only once a coordinator approves it."""

    APPROVED = "approved", "Approved"
    PENDING = "pending", "Awaiting approval"
    REJECTED = "rejected", "Rejected"
