"""Runtime settings: environment (MAILGUARD_*), then `.env`, then these defaults.

Names marked "contract" are fixed by INTERFACE.md; the rest are ours to extend.
Rule files may set policy in more detail; a value set here in the environment wins.
"""

from __future__ import annotations

import ipaddress
import logging
import typing
import warnings
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, ValidationInfo, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from mailguard.host import cpu_count, default_data_dir


class UpstreamTLS(StrEnum):
    NONE = "none"
    STARTTLS = "starttls"  # used when the upstream offers it (the contract's default)
    REQUIRE_STARTTLS = "require-starttls"  # refuse to send in clear if it does not
    IMPLICIT = "implicit"


class BareNewline(StrEnum):
    NORMALISE = "normalise"
    REJECT = "reject"


class ExposureAction(StrEnum):
    REWRITE = "rewrite"
    HOLD = "hold"


class TwoPersonRelease(StrEnum):
    PROTECTED = "protected"  # a protected-address hold needs a second reviewer to confirm
    ALL = "all"  # every release does
    OFF = "off"


class LogFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


def _split_commas(value: object) -> object:
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


def parse_hostport(value: str, default_host: str = "127.0.0.1") -> tuple[str, int]:
    """`host:port`, `[v6]:port` or `:port` -> (host, port)."""
    value = value.strip()
    if value.startswith("["):
        host, _, rest = value[1:].partition("]")
        port = rest.lstrip(":")
    else:
        host, _, port = value.rpartition(":")
    if not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ValueError(f"expected host:port, got {value!r}")
    return host or default_host, int(port)


CommaList = Annotated[list[str], NoDecode]


# MAILGUARD_REGISTER is a contract name; BaseSettings happens to have no use for `register`.
warnings.filterwarnings("ignore", message='Field name "register"', category=UserWarning)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="MAILGUARD_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    # --- SMTP listener (contract: LISTEN, CLIENT_NETWORKS, BARE_NEWLINE) ---
    listen: str = "127.0.0.1:10025"
    client_networks: CommaList = ["127.0.0.0/8", "::1/128"]
    bare_newline: BareNewline = BareNewline.NORMALISE
    hostname: str = ""  # our name in the banner and Received:; default: the machine's FQDN
    relay_workers: int = Field(default_factory=cpu_count, ge=1, le=64)  # processes sharing the port; `auto`: CPUs
    event_loop: Literal["auto", "uvloop", "asyncio"] = "auto"  # `auto`: uvloop when installed (less CPU), or `asyncio`
    tls_cert_file: Path | None = None  # inbound STARTTLS
    tls_key_file: Path | None = None
    auth_users_file: Path | None = None  # "user:pbkdf2-hash" lines; AUTH offered only over TLS
    max_message_size: int = Field(35 * 1024 * 1024, ge=1024)  # advertised in EHLO SIZE
    max_inflight_bytes: int = Field(512 * 1024 * 1024, ge=0)  # message bytes in memory per relay process (0: no limit)
    max_recipients: int = Field(1000, ge=1)
    max_connections: int = Field(500, ge=1)
    max_connections_per_client: int = Field(50, ge=1)
    idle_timeout: float = Field(300.0, gt=0)  # between commands (RFC 5321 §4.5.3.2: 5 min)
    session_timeout: float = Field(3600.0, gt=0)  # whole connection
    verdict_header: bool = True  # add X-Mailguard-Verdict to copies whose recipients are all internal
    observe_only: bool = False  # log and count verdicts, but pass everything
    shutdown_grace: float = Field(30.0, ge=0)  # SIGTERM: how long transactions in flight may take

    # --- upstream (contract: UPSTREAM_HOST/PORT/TLS/USERNAME/PASSWORD) ---
    upstream_host: str = "127.0.0.1"
    upstream_port: int = Field(25, ge=1, le=65535)
    upstream_tls: UpstreamTLS = UpstreamTLS.STARTTLS
    upstream_username: str | None = None
    upstream_password: SecretStr | None = None
    upstream_ca_file: Path | None = None  # private CA for the upstream's certificate
    upstream_verify: bool = True
    upstream_timeout: float = Field(60.0, gt=0)
    upstream_pool_size: int = Field(20, ge=0)  # idle connections kept for reuse (0: none)

    # --- admin listener (contract: ADMIN_LISTEN, ADMIN_TOKEN) ---
    admin_listen: str = "127.0.0.1:8025"
    admin_token: SecretStr | None = None  # full admin rights
    admin_tokens_file: Path | None = None  # "token role name" lines; role: viewer|reviewer|admin
    two_person_release: TwoPersonRelease = TwoPersonRelease.PROTECTED  # true/false: all/off

    # --- state (contract: DATABASE_URL, DATA_DIR, RULES_DIR, REGISTER) ---
    data_dir: Path = Field(default_factory=default_data_dir)
    database_url: str | None = None
    rules_dir: Path = Path("./rules")
    register: Path | None = None

    # --- policy (contract: INTERNAL_DOMAINS, EXPOSURE_THRESHOLD, EXPOSURE_ACTION) ---
    internal_domains: CommaList = []
    exposure_threshold: int = Field(2, ge=1)
    exposure_action: ExposureAction = ExposureAction.REWRITE
    consumer_domains: CommaList = []  # added to the built-in list of consumer mail domains

    # --- extraction bounds ---
    extract_workers: int = Field(2, ge=1, le=64)
    extract_timeout: float = Field(20.0, gt=0)  # per message, wall clock
    extract_memory_mb: int = Field(1024, ge=128)  # RLIMIT_AS of a worker
    extract_max_depth: int = Field(10, ge=1)
    extract_max_parts: int = Field(1000, ge=1)
    extract_max_text: int = Field(20 * 1024 * 1024, ge=1024)  # characters over the message
    extract_max_member: int = Field(100 * 1024 * 1024, ge=1024)  # one archive member, inflated
    extract_max_ratio: int = Field(200, ge=2)  # inflated/compressed size of an archive member

    # --- quarantine ---
    quarantine_expiry_days: float = Field(30.0, gt=0)
    quarantine_retention_days: float = Field(90.0, gt=0)
    audit_retention_days: float = Field(730.0, gt=0)
    notify_sender: bool = True
    notice_from: str = ""  # default: postmaster@<hostname>
    split_invites: bool = False  # one copy per external recipient where headers can't be fixed
    outbox_poll_interval: float = Field(5.0, gt=0)  # seconds between looks for releases to deliver
    outbox_retry_delay: float = Field(30.0, gt=0)  # first retry after a temporary failure; doubles
    outbox_max_delay: float = Field(3600.0, gt=0)  # cap on the retry interval
    outbox_max_age_days: float = Field(5.0, gt=0)  # then give up and bounce, like an MTA queue

    # --- logging ---
    log_format: LogFormat = LogFormat.TEXT
    log_level: str = "INFO"

    # --- Exchange Online and DKIM (contract: TLS_CLIENT_CERT_NAMES, EXO_TENANT_IDS, TLS_CLIENT_CA_FILE,
    # UPSTREAM_CLIENT_CERT_FILE/_KEY_FILE, DKIM_DOMAIN/_SELECTOR/_KEY_FILE) ---
    tls_client_cert_names: CommaList = []  # names an inbound client certificate must carry (EXO)
    tls_client_ca_file: Path | None = None  # CAs for inbound client certificates; default: the system's
    exo_tenant_ids: CommaList = []  # X-MS-Exchange-CrossTenant-Id values accepted
    exo_networks: CommaList = []  # where the two checks apply; empty: every client relaying by address
    upstream_client_cert_file: Path | None = None  # presented to the upstream on STARTTLS
    upstream_client_key_file: Path | None = None  # its private key (goes with the certificate)
    dkim_domain: str | None = None  # sign copies mailguard changed (rewrite, split, release)
    dkim_selector: str | None = None  # the DNS selector: <selector>._domainkey.<domain> TXT
    dkim_key_file: Path | None = None  # RSA (PEM) or Ed25519 (PEM, or base64 seed) private key

    _split_exo = field_validator("tls_client_cert_names", "exo_tenant_ids", "exo_networks", mode="before")(
        _split_commas
    )
    # --- deploy: register safety, clusters, balancers ---
    register_allow_empty: bool = False  # start even when MAILGUARD_REGISTER has no rows
    require_shared_store: bool = False  # refuse SQLite: several replicas need one shared store
    proxy_protocol_from: CommaList = []  # CIDRs of SMTP balancers that send the PROXY protocol (v1/v2)

    # --- reviewer sign-in with OpenID Connect (contract: OIDC_ISSUER, _CLIENT_ID, _CLIENT_SECRET) ---
    oidc_issuer: str | None = None  # the provider's issuer URL (its /.well-known/openid-configuration)
    oidc_client_id: str | None = None  # mailguard's client id at the provider
    oidc_client_secret: SecretStr | None = None  # the client secret; none: a public client (PKCE only)
    oidc_role_claim: str = "groups"  # the ID token claim whose values map to roles
    oidc_roles: CommaList = []  # role=claim-value list: "admin=mg-admins,reviewer=mg-reviewers,viewer=mg-viewers"
    oidc_scopes: str = "openid profile email"
    admin_public_url: str | None = None  # the URL reviewers use (redirect URI, links)

    # --- organisation: exposure counting and envelope recipients (contract: EXPOSURE_ORG_THRESHOLD) ---
    exposure_org_threshold: int = Field(10, ge=1)  # organisations visible together: a mass mailing
    # ("x@gmail.com"@dept, x%gmail.com@dept, gmail.com!x@dept, @a,@b:x@dept): never internal.
    embedded_route: Literal["refuse", "classify"] = "refuse"  # RCPT hiding another address: 550 or its class

    # --- misdirection guard: case/recipient affinities (rules/cases.yaml) ---
    affinity_key: SecretStr | None = None  # secret of the case/recipient hashes; default: affinity.key in DATA_DIR
    affinity_key_file: Path | None = None  # a file holding that secret (instances sharing a store need the same one)
    affinity_min_messages: int = Field(3, ge=1)  # delivered messages about a case before its recipients count as a set
    affinity_min_days: float = Field(2.0, ge=0)  # the days those messages must span
    affinity_retention_days: float = Field(730.0, gt=0)  # forget cases and recipients not seen for this long

    # --- matcher: the register's hashed index (docs/operations.md, "The register key") ---
    register_key: SecretStr | None = None  # key of the compiled index; default: index.key beside it
    register_key_file: Path | None = None  # a file holding that key (keep it off the data disk)

    # --- release modes and the sender's choice ---
    release_justification: bool = True  # releasing a protected-address hold needs a written justification
    sender_link_hours: float = Field(72.0, gt=0)  # how long a sender's link to resolve an exposure hold works
    sender_link_key: SecretStr | None = None  # secret signing those links; default: sender-link.key in DATA_DIR
    sender_link_key_file: Path | None = None  # a file holding that secret (instances sharing a store need the same one)

    @field_validator("two_person_release", mode="before")
    @classmethod
    def _two_person_words(cls, value: object) -> object:
        """Earlier releases had a boolean: true meant every release, false none."""
        words = {"true": "all", "1": "all", "yes": "all", "false": "off", "0": "off", "no": "off"}
        if isinstance(value, bool):
            return "all" if value else "off"
        return words.get(str(value).strip().lower(), value)

    _split_oidc = field_validator("oidc_roles", mode="before")(_split_commas)

    # --- reviewers' notice of new holds ---
    reviewer_notice_to: str | None = None  # gets a digest of new holds: counts, rules, links; no content
    reviewer_notice_interval: float = Field(900.0, ge=10)  # seconds between digests

    # --- harden: the admin listener under hostile clients (contract: ADMIN_TLS_CERT_FILE/_KEY_FILE,
    # ADMIN_TRUSTED_PROXIES; ADMIN_PUBLIC_URL above also sets cookie Secure and the Origin check) ---
    admin_tls_cert_file: Path | None = None  # serve the admin listener over https
    admin_tls_key_file: Path | None = None  # its private key (goes with the certificate)
    admin_trusted_proxies: CommaList = []  # CIDRs whose X-Forwarded-For or PROXY protocol header names the client
    admin_max_connections: int = Field(256, ge=8)  # admin connections at once; more are refused at accept
    admin_header_timeout: float = Field(10.0, gt=0)  # seconds a client has to send a request's headers and body

    # --- harden: hosts that may not relay (no client network, not yet authenticated) ---
    max_outsider_connections: int = Field(50, ge=1)  # SMTP slots outsiders share (at most half); the rest: clients
    max_outsider_connections_per_client: int = Field(5, ge=1)  # of those, per outside address
    outsider_idle_timeout: float = Field(30.0, gt=0)  # an outsider's idle limit until it authenticates

    _split_harden = field_validator("admin_trusted_proxies", mode="before")(_split_commas)

    @field_validator("admin_trusted_proxies")
    @classmethod
    def _valid_admin_proxies(cls, networks: list[str]) -> list[str]:
        for net in networks:
            ipaddress.ip_network(net, strict=False)
        return networks

    @model_validator(mode="after")
    def _admin_tls_pair(self) -> Settings:
        if (self.admin_tls_cert_file is None) != (self.admin_tls_key_file is None):
            raise ValueError("MAILGUARD_ADMIN_TLS_CERT_FILE and MAILGUARD_ADMIN_TLS_KEY_FILE go together")
        return self

    @field_validator("exo_tenant_ids", "tls_client_cert_names")
    @classmethod
    def _lower_names(cls, values: list[str]) -> list[str]:
        return [v.lower() for v in values]

    @field_validator("exo_networks")
    @classmethod
    def _valid_exo_networks(cls, networks: list[str]) -> list[str]:
        for net in networks:
            ipaddress.ip_network(net, strict=False)
        return networks

    @model_validator(mode="after")
    def _exchange_groups(self) -> Settings:
        if (self.upstream_client_cert_file is None) != (self.upstream_client_key_file is None):
            raise ValueError("MAILGUARD_UPSTREAM_CLIENT_CERT_FILE and _KEY_FILE go together")
        dkim = (self.dkim_domain, self.dkim_selector, self.dkim_key_file)
        if any(v is not None for v in dkim) and any(v is None for v in dkim):
            raise ValueError("MAILGUARD_DKIM_DOMAIN, _SELECTOR and _KEY_FILE go together")
        if self.tls_client_cert_names and self.tls_cert_file is None:
            raise ValueError("MAILGUARD_TLS_CLIENT_CERT_NAMES needs STARTTLS (MAILGUARD_TLS_CERT_FILE)")
        return self

    @field_validator("*", mode="before")
    @classmethod
    def _empty_means_unset(cls, value: object, info: ValidationInfo) -> object:
        """An empty value means "not set" for an optional setting (a Kubernetes Secret with an
        empty key must not switch upstream AUTH on); for a setting with no empty meaning it is
        an error, never a silent default."""
        if not (isinstance(value, str) and not value.strip()) or info.field_name is None:
            return value
        field = cls.model_fields[info.field_name]
        if not field.is_required() and field.default is None:
            return None
        if field.default == "" or typing.get_origin(field.annotation) is list:
            return value  # an empty name or list is a meaning of its own
        raise ValueError("is empty; unset it to use the default")

    @field_validator("relay_workers", mode="before")
    @classmethod
    def _auto_workers(cls, value: object) -> object:
        return cpu_count() if isinstance(value, str) and value.strip().lower() == "auto" else value

    @field_validator("log_level", mode="before")
    @classmethod
    def _known_level(cls, value: object) -> object:
        if isinstance(value, str) and value.strip():
            level = value.strip().upper()
            if not isinstance(logging.getLevelName(level), int):
                raise ValueError(f"unknown log level {value!r} (DEBUG, INFO, WARNING, ERROR or CRITICAL)")
            return level
        return value

    _split = field_validator(
        "client_networks", "internal_domains", "consumer_domains", "proxy_protocol_from", mode="before"
    )(_split_commas)

    @field_validator("internal_domains", "consumer_domains")
    @classmethod
    def _lower_domains(cls, domains: list[str]) -> list[str]:
        return [d.lower().lstrip("@").rstrip(".") for d in domains]

    @field_validator("client_networks", "proxy_protocol_from")
    @classmethod
    def _valid_networks(cls, networks: list[str]) -> list[str]:
        for net in networks:
            ipaddress.ip_network(net, strict=False)
        return networks

    @field_validator("listen", "admin_listen")
    @classmethod
    def _valid_hostport(cls, value: str) -> str:
        parse_hostport(value)
        return value

    @model_validator(mode="after")
    def _tls_pair(self) -> Settings:
        if (self.tls_cert_file is None) != (self.tls_key_file is None):
            raise ValueError("MAILGUARD_TLS_CERT_FILE and MAILGUARD_TLS_KEY_FILE go together")
        return self

    @model_validator(mode="after")
    def _shared_store(self) -> Settings:
        if self.require_shared_store and not (self.database_url or "").startswith("postgresql"):
            raise ValueError(
                "MAILGUARD_REQUIRE_SHARED_STORE is on: MAILGUARD_DATABASE_URL must be a postgresql:// URL "
                "(SQLite is one file on one host; replicas would each hold their own quarantine)"
            )
        return self

    @cached_property
    def proxy_networks(self) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
        return [ipaddress.ip_network(n, strict=False) for n in self.proxy_protocol_from]

    @cached_property
    def listen_address(self) -> tuple[str, int]:
        return parse_hostport(self.listen)

    @cached_property
    def admin_address(self) -> tuple[str, int]:
        return parse_hostport(self.admin_listen)

    @cached_property
    def networks(self) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
        return [ipaddress.ip_network(n, strict=False) for n in self.client_networks]

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'mailguard.db').resolve()}"
