"""Who is an external party (INTERFACE.md): internal domains and their subdomains never count;
all addresses of one organisational (registrable) domain are one party; every address at a
consumer mail domain is a party of its own."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from publicsuffixlist import PublicSuffixList

# Registrable domains whose every address is a different person. `name.*` entries match the
# brand under any public suffix (hotmail.co.uk, yahoo.fr, gmx.de, ...).
BUILTIN_CONSUMER_DOMAINS: tuple[str, ...] = (
    "gmail.com", "googlemail.com", "outlook.*", "hotmail.*", "live.*", "msn.com", "windowslive.com",
    "passport.com", "yahoo.*", "ymail.com", "rocketmail.com", "icloud.com", "me.com", "mac.com",
    "aol.*", "aim.com", "btinternet.com", "btopenworld.com", "talk21.com", "sky.com", "virginmedia.com",
    "virgin.net", "blueyonder.co.uk", "ntlworld.com", "talktalk.net", "tiscali.co.uk", "tiscali.it",
    "gmx.*", "web.de", "protonmail.*", "proton.me", "pm.me", "mail.com", "email.com", "zoho.com",
    "zohomail.eu", "fastmail.*", "hushmail.com", "tutanota.com", "tuta.io", "yandex.*", "mail.ru",
    "qq.com", "163.com", "126.com", "orange.fr", "wanadoo.fr", "free.fr", "laposte.net", "libero.it",
    "plus.net", "postmaster.co.uk", "o2.co.uk", "freeserve.co.uk", "lineone.net", "supanet.com",
    "eclipse.co.uk", "onetel.com", "hushmail.me", "rediffmail.com", "inbox.com", "mailbox.org",
    "posteo.de", "posteo.net",
    # older UK ISP and retailer mail services, still in use (found by the red-team corpus, corpora/adversarial)
    "wanadoo.co.uk", "orange.net", "orangehome.co.uk", "fsmail.net", "tesco.net", "waitrose.com",
    "uwclub.net", "madasafish.com", "freenet.co.uk", "care4free.net", "btconnect.com",
)  # fmt: skip


# Local parts of shared, published mailboxes: an organisation's front door, not a person.
# A body that says "contact help@charity.org" lists no one's private address.
ROLE_LOCAL_PARTS = frozenset(
    """abuse accounts admin advice bookings careers complaints contact contactus customerservice
    customerservices donotreply do-not-reply dpo enquiries enquiry feedback foi general hello help
    helpdesk hr info information jobs mail marketing media news newsletter no-reply noreply office
    post postmaster press privacy reception sales service services support team webmaster""".split()
)


def is_role_address(address: str) -> bool:
    local = address.rpartition("@")[0].lower()
    return local in ROLE_LOCAL_PARTS


@lru_cache(maxsize=1)
def _psl() -> PublicSuffixList:
    # ICANN section only: private suffixes (blogspot.com, ...) say nothing about mail domains.
    return PublicSuffixList(only_icann=True)


def clean_text(text: str) -> str:
    """Raw UTF-8 header bytes decoded with surrogateescape become real characters; NFC, so one
    address written two ways is one party."""
    if any("\udc80" <= ch <= "\udcff" for ch in text):
        text = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return unicodedata.normalize("NFC", text) if not text.isascii() else text


def unicode_domain(domain: str) -> str:
    """Lower-case, no trailing dot, IDN labels in Unicode (`xn--bcher-kva.de` -> `bücher.de`)."""
    domain = clean_text(domain).strip().lower().rstrip(".")
    if "xn--" in domain:
        try:
            domain = domain.encode("ascii").decode("idna")
        except (UnicodeError, ValueError):
            pass  # a malformed A-label stays as written: still one stable party key
    return domain


@lru_cache(maxsize=65536)
def registrable_domain(domain: str) -> str:
    """The organisational domain: `mail.example.co.uk` -> `example.co.uk`; a bare public
    suffix or a one-label name stays as it is."""
    domain = unicode_domain(domain)
    return _psl().privatesuffix(domain) or domain


def _brand(registrable: str) -> str:
    return registrable.split(".", 1)[0]


class DomainSet:
    """Domains and `brand.*` patterns; a domain matches itself and its subdomains."""

    def __init__(self, entries: Iterable[str]) -> None:
        self.exact: set[str] = set()
        self.brands: set[str] = set()
        for entry in entries:
            entry = unicode_domain(entry.lstrip("@"))
            if not entry:
                continue
            if entry.endswith(".*"):
                self.brands.add(entry[:-2])
            else:
                self.exact.add(entry)

    def __contains__(self, domain: object) -> bool:
        if not isinstance(domain, str):
            return False
        domain = unicode_domain(domain)
        labels = domain.split(".")
        if any(".".join(labels[i:]) in self.exact for i in range(len(labels))):
            return True
        return bool(self.brands) and _brand(registrable_domain(domain)) in self.brands


class PartyClassifier:
    """Maps an address to its party key, or None when the address is internal."""

    def __init__(self, internal_domains: Iterable[str], consumer_domains: Iterable[str] = ()) -> None:
        self.internal = DomainSet(d for d in internal_domains if not d.endswith(".*"))
        self.consumer = DomainSet((*BUILTIN_CONSUMER_DOMAINS, *consumer_domains))

    def is_internal(self, address_or_domain: str) -> bool:
        domain = address_or_domain.rpartition("@")[2]
        return domain in self.internal

    def party(self, address: str) -> str | None:
        """`None` for internal addresses; the whole address at a consumer domain; else the
        registrable domain. Addresses without a domain are parties of their own."""
        local, at, domain = clean_text(address).strip().lower().rpartition("@")
        if not at:
            return address.strip().lower() or None
        domain = unicode_domain(domain)
        if not domain or domain in self.internal:
            return None
        if domain in self.consumer:
            return f"{local}@{domain}"
        return registrable_domain(domain)

    def parties(self, addresses: Iterable[str]) -> dict[str, list[str]]:
        """External parties -> the addresses that belong to each (first-seen order)."""
        out: dict[str, list[str]] = {}
        for address in addresses:
            key = self.party(address)
            if key is not None and address not in out.setdefault(key, []):
                out[key].append(address)
        return out
