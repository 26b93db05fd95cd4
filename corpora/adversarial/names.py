"""Who the red-team corpus writes to and from, and its filler text; people, streets and towns
come from the shared UK data (corpora/uk.py)."""

from __future__ import annotations

from ..uk import CONSUMER_COMMON as CONSUMER
from ..uk import FIRST, INWARD_LETTERS, STREET_NAMES, STREET_TYPE_ABBREVS
from ..uk import SURNAMES as LAST
from ..uk import TOWNS as UK_TOWNS

__all__ = [
    "CONSUMER",
    "FILLER",
    "FIRST",
    "INTERNAL",
    "INWARD_LETTERS",
    "LAST",
    "ORGS",
    "STREET_NAMES",
    "TOWNS",
    "TYPES",
]

INTERNAL = "dept.example.gov.uk"
ORGS = ["partner-housing.org.uk", "northcare.nhs.example.uk", "fostering-trust.org", "legal-aid.example.com"]
TYPES = STREET_TYPE_ABBREVS
TOWNS = {town: area for town, area, *_ in UK_TOWNS}  # town -> postcode area
FILLER = [
    "Thank you for your time on the phone earlier today.",
    "As discussed, the review meeting will go ahead as planned.",
    "Please let me know if anything in the summary below is not right.",
    "The panel will consider the report at its next sitting.",
    "I have copied in my manager so that she is aware of the position.",
    "We will write again once the assessment has been completed.",
    "Kind regards and thanks again for your help with this.",
    "The family has engaged well with the support offered so far.",
    "Contact arrangements remain under review by the team.",
    "Please treat the contents of this email as confidential.",
]
