"""The one address normaliser for delivery identity: two addresses with the same
`canonical_mailbox` reach the same mailbox at the provider.

Comparisons of recipients (flagged recipients, exposure counting, internal/external) go
through here so a sender cannot slip past a rule by writing an address the way the provider
still delivers it: `J.Smith+case@GoogleMail.com` reaches `jsmith@gmail.com`.

What is folded, and why:
- the domain: case, trailing dot, IDNA (A-labels and U-labels are one domain; nameprep folds
  full-width dots and compatibility characters), kept in Unicode form like every other
  comparison in mailguard;
- the local part: unquoted (`"a.b"@x` is `a.b@x`) and lower-cased everywhere. RFC 5321 lets a
  server treat case as significant, but no provider a UK public body writes to does, and a
  false merge only ever makes mailguard more careful;
- `+tag` subaddressing where the provider delivers it to the base mailbox (Gmail, Microsoft
  consumer mail, iCloud, Fastmail, Proton, Yandex) or the rules say so (`subaddress_domains`);
- provider aliases: googlemail.com is gmail.com (dots ignored), me.com/mac.com are icloud.com,
  the Proton domains are one namespace that ignores `.`, `-` and `_`, and Fastmail delivers
  `anything@user.fastmail.com` to `user@fastmail.com`.
"""

from __future__ import annotations

import re
import unicodedata
from encodings import idna as _idna
from functools import lru_cache

from publicsuffixlist import PublicSuffixList

_GMAIL = frozenset({"gmail.com", "googlemail.com"})
_ICLOUD = frozenset({"icloud.com", "me.com", "mac.com"})
_PROTON = frozenset({"proton.me", "protonmail.com", "protonmail.ch", "pm.me"})
_FASTMAIL = frozenset({"fastmail.com", "fastmail.fm"})
# Microsoft consumer mail under any public suffix: hotmail.co.uk, live.fr, outlook.de, msn.com.
_MICROSOFT_BRANDS = frozenset({"hotmail", "outlook", "live", "msn", "windowslive", "passport"})
_PLUS_DOMAINS = _GMAIL | _ICLOUD | _PROTON | _FASTMAIL | frozenset({"yandex.ru", "yandex.com", "ya.ru"})
_QUOTED_PAIR = re.compile(r"\\(.)")


@lru_cache(maxsize=1)
def _psl() -> PublicSuffixList:
    return PublicSuffixList(only_icann=True)


def clean_text(text: str) -> str:
    """Raw UTF-8 header bytes decoded with surrogateescape become real characters; NFC, so one
    address written two ways is one address."""
    if text.isascii():
        return text
    if any("\udc80" <= ch <= "\udcff" for ch in text):
        text = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return unicodedata.normalize("NFC", text)


@lru_cache(maxsize=65536)
def canonical_domain(domain: str) -> str:
    """Lower-case, no trailing dot, IDN labels in Unicode (`xn--bcher-kva.de` -> `bücher.de`):
    the one IDN helper. A label that is not valid IDNA stays as written (lower-cased): still
    one stable key."""
    domain = clean_text(domain).strip().rstrip(".")
    if domain.startswith("[") and domain.endswith("]"):
        return domain.lower()  # a domain literal: [192.0.2.1] / [IPv6:...]
    # Full-width and ideographic dots separate labels too (IDNA 2003 / UTS 46).
    labels = re.split("[.\u3002\uff0e\uff61]", domain)
    return ".".join(_label(label) for label in labels)


def _label(label: str) -> str:
    try:
        # Lower-case first: Python 3.11's ToUnicode only knows the ACE prefix in lower case
        # ("XN--" stayed as written there); nameprep folds case anyway.
        return _idna.ToUnicode(_idna.ToASCII(label.lower())).lower() if label else label
    except UnicodeError:
        return label.lower()


def domain_and_parents(domain: str) -> list[str]:
    """The domain and each parent, most specific first (`a.b.org` -> a.b.org, b.org, org):
    the keys a domain-wide rule (`@b.org` covers its subdomains) is looked up under."""
    labels = canonical_domain(domain).split(".")
    return [".".join(labels[i:]) for i in range(len(labels)) if labels[i]]


def _is_microsoft(domain: str) -> bool:
    brand, _, rest = domain.partition(".")
    return brand in _MICROSOFT_BRANDS and bool(rest) and _psl().publicsuffix(domain) == rest


def _unquote(local: str) -> str:
    if len(local) >= 2 and local[0] == local[-1] == '"':
        return _QUOTED_PAIR.sub(r"\1", local[1:-1])
    return local


def normalise_address(address: str) -> str:
    """The written form every comparison starts from: `<"Jo"@Bücher.DE.>` -> `jo@bücher.de`
    (unquoted, lower-cased, domain canonical). Text without an `@` and a local part comes
    back stripped and lower-cased, so it still compares stably."""
    text = clean_text(address).strip()
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1].strip()
    local, at, domain = text.rpartition("@")
    if not at or not local:
        return unicodedata.normalize("NFC", text.lower())
    local = unicodedata.normalize("NFC", _unquote(local).lower())
    return f"{local}@{canonical_domain(domain)}"


def canonical_mailbox(address: str, subaddress_domains: frozenset[str] = frozenset()) -> str:
    """The delivery identity of `address` (an addr-spec, optionally in `<>`): equal results
    mean the provider delivers both to one mailbox. `subaddress_domains`: further domains
    (canonical form) whose `+tag` the rules say is delivered to the base mailbox."""
    normal = normalise_address(address)
    local, at, domain = normal.rpartition("@")
    if not at:
        return normal
    if domain in _GMAIL:
        domain = "gmail.com"
    elif domain in _ICLOUD:
        domain = "icloud.com"
    elif domain in _PROTON:
        domain = "proton.me"
    else:
        sub, _, parent = domain.partition(".")
        if parent in _FASTMAIL and sub:  # anything@user.fastmail.com is user@fastmail.com
            local, domain = sub, parent
    if domain in _PLUS_DOMAINS or domain in subaddress_domains or _is_microsoft(domain):
        local = local.partition("+")[0] or local
    if domain == "gmail.com":
        local = local.replace(".", "") or local
    elif domain == "proton.me":
        local = re.sub(r"[._-]", "", local) or local
    return f"{local}@{domain}"


def embedded_destination(address: str) -> str | None:
    """The other destination an address hides, or None: `"x@gmail.com"@dept` and
    `x%gmail.com@dept` (percent hack), `gmail.com!x@dept` (UUCP bang path) and source routes
    (`@hop1,@hop2:x@dept`, the first hop). A relay that honours them delivers elsewhere than
    the domain suggests, so such an address is never internal."""
    text = address.strip()
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1].strip()
    if text.startswith("@") and ":" in text:
        first_hop = text[1:].split(",", 1)[0].split(":", 1)[0]
        mailbox = text.split(":", 1)[1]
        return f"{mailbox.rpartition('@')[0] or mailbox}@{first_hop}"
    local, at, _ = text.rpartition("@")
    if not at or not local:
        return None
    inner = _unquote(local)
    if "@" in inner:
        return inner
    if "%" in inner:
        user, _, host = inner.rpartition("%")
        return f"{user}@{host}" if user and host else inner
    if "!" in inner:
        host, _, user = inner.partition("!")
        return f"{user}@{host}" if user and host else inner
    return None
