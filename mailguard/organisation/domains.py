"""Domain facts: the registrable (organisational) domain, domain sets that cover subdomains,
and the built-in consumer mail domains (every address there is a member of the public)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from publicsuffixlist import PublicSuffixList

from mailguard.organisation.mailbox import canonical_domain, domain_and_parents

# Registrable domains whose every address is a different person. `name.*` entries match the
# brand under any public suffix (hotmail.co.uk, yahoo.fr, gmx.de, ...). A domain covers its
# subdomains (user.plus.com, dial.pipex.com). Rule files and MAILGUARD_CONSUMER_DOMAINS add to
# it; organisation.yaml `professional_domains` takes entries out.
BUILTIN_CONSUMER_DOMAINS: tuple[str, ...] = (
    # international webmail
    "gmail.com", "googlemail.com", "outlook.*", "hotmail.*", "live.*", "msn.com", "windowslive.com",
    "passport.com", "yahoo.*", "ymail.com", "rocketmail.com", "icloud.com", "me.com", "mac.com",
    "aol.*", "aim.com", "gmx.*", "web.de", "t-online.de", "freenet.de", "arcor.de",
    "protonmail.*", "proton.me", "pm.me", "tutanota.*", "tuta.io", "tuta.com", "tutamail.com",
    "keemail.me", "zoho.*", "zohomail.*", "fastmail.*", "hushmail.*", "mail.com", "email.com",
    "mailbox.org", "posteo.*", "runbox.com", "mailfence.com", "hey.com", "duck.com", "disroot.org",
    "riseup.net", "inbox.com", "yandex.*", "ya.ru", "mail.ru", "bk.ru", "list.ru", "inbox.ru",
    "rambler.ru", "ukr.net", "qq.com", "foxmail.com", "163.com", "126.com", "yeah.net", "sina.com",
    "sohu.com", "naver.com", "daum.net", "hanmail.net", "rediffmail.com", "seznam.cz", "wp.pl",
    "o2.pl", "onet.pl", "interia.pl", "libero.it", "virgilio.it", "alice.it", "tin.it",
    "orange.fr", "wanadoo.fr", "free.fr", "sfr.fr", "laposte.net", "bluewin.ch", "telenet.be",
    "skynet.be", "ziggo.nl", "kpnmail.nl", "planet.nl", "home.nl", "xs4all.nl", "comcast.net",
    "verizon.net", "att.net", "sbcglobal.net", "bellsouth.net", "cox.net", "charter.net",
    "earthlink.net", "juno.com", "optonline.net", "shaw.ca", "rogers.com", "sympatico.ca",
    "bigpond.com", "optusnet.com.au", "xtra.co.nz", "uol.com.br", "bol.com.br", "terra.com.br",
    "abv.bg", "inbox.lv",
    # UK ISPs and their older brands, still in use
    "btinternet.com", "btopenworld.com", "btclick.com", "talk21.com", "sky.com", "virginmedia.com",
    "virgin.net", "blueyonder.co.uk", "ntlworld.com", "ntlworld.co.uk", "talktalk.net",
    "talktalk.co.uk", "tiscali.co.uk", "tiscali.it", "plus.net", "plus.com", "plusnet.com",
    "postmaster.co.uk", "o2.co.uk", "freeserve.co.uk", "fsnet.co.uk", "lineone.net", "supanet.com",
    "eclipse.co.uk", "onetel.com", "onetel.net", "wanadoo.co.uk", "orange.net", "orangehome.co.uk",
    "fsmail.net", "tesco.net", "waitrose.com", "uwclub.net", "madasafish.com", "freenet.co.uk",
    "care4free.net", "btconnect.com", "pipex.com", "tinyworld.co.uk", "karoo.co.uk",
    "globalnet.co.uk", "ukonline.co.uk", "freeuk.com", "zen.co.uk", "f2s.com", "homecall.co.uk",
    "mypostoffice.co.uk", "ee.co.uk",
)  # fmt: skip


@lru_cache(maxsize=1)
def _psl() -> PublicSuffixList:
    # ICANN section only: private suffixes (blogspot.com, ...) say nothing about mail domains.
    return PublicSuffixList(only_icann=True)


def preload() -> None:
    """Parse the public-suffix list now (0.6-1.4 s of CPU), at start and off the event loop,
    not inside the first message's decision (which may run on the loop for small mail)."""
    _psl()


@lru_cache(maxsize=65536)
def registrable_domain(domain: str) -> str:
    """The organisational domain: `mail.example.co.uk` -> `example.co.uk`; a bare public
    suffix or a one-label name stays as it is."""
    domain = canonical_domain(domain)
    return _psl().privatesuffix(domain) or domain


class DomainSet:
    """Domains and `brand.*` patterns; a domain matches itself and its subdomains."""

    def __init__(self, entries: Iterable[str]) -> None:
        self.exact: set[str] = set()
        self.brands: set[str] = set()
        for entry in entries:
            entry = entry.strip().lstrip("@")
            if entry.endswith(".*"):
                self.brands.add(canonical_domain(entry[:-2]))
            elif entry := canonical_domain(entry):
                self.exact.add(entry)

    def __bool__(self) -> bool:
        return bool(self.exact or self.brands)

    def __contains__(self, domain: object) -> bool:
        if not isinstance(domain, str) or not domain:
            return False
        if any(d in self.exact for d in domain_and_parents(domain)):
            return True
        return bool(self.brands) and registrable_domain(domain).split(".", 1)[0] in self.brands
