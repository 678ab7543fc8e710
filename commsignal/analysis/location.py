"""Where a sign-in places a person: one spelling per country, and which sign-ins say anything.

Entra writes ISO 3166 alpha-2 codes ("GB"), Okta writes English names ("United Kingdom"), and
some exports write alpha-3 codes or older names ("Korea, Republic of"). Compared as raw text, a
person signing in through Okta and Entra in one minute looks like someone changing country in
no time: an impossible trip and a concurrently used account. Every rule that compares
countries reads them through `country_code`. Token refreshes and addresses shared by a crowd
(offices, the corporate VPN, carrier gateways) locate nobody (`locates_person`).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from sqlite_utils import Database

CROWD_IDENTITIES = 3
"""Identities on one address in a week from which it is shared infrastructure, not a home."""

# English names and alpha-3 codes that login logs are known to write, mapped to alpha-2. A name
# that is not listed stays as its upper-case self: still consistent within one source.
_NAMES = {
    "afghanistan": "AF", "albania": "AL", "algeria": "DZ", "argentina": "AR", "armenia": "AM",
    "australia": "AU", "austria": "AT", "azerbaijan": "AZ", "bangladesh": "BD", "belarus": "BY",
    "belgium": "BE", "bolivia": "BO", "bosnia and herzegovina": "BA", "brazil": "BR",
    "bulgaria": "BG", "cambodia": "KH", "cameroon": "CM", "canada": "CA", "chile": "CL",
    "china": "CN", "colombia": "CO", "costa rica": "CR", "croatia": "HR", "cyprus": "CY",
    "czechia": "CZ", "czech republic": "CZ", "denmark": "DK", "dominican republic": "DO",
    "ecuador": "EC", "egypt": "EG", "estonia": "EE", "ethiopia": "ET", "finland": "FI",
    "france": "FR", "georgia": "GE", "germany": "DE", "ghana": "GH", "greece": "GR",
    "guatemala": "GT", "hong kong": "HK", "hungary": "HU", "iceland": "IS", "india": "IN",
    "indonesia": "ID", "iran": "IR", "iraq": "IQ", "ireland": "IE", "israel": "IL", "italy": "IT",
    "japan": "JP", "jordan": "JO", "kazakhstan": "KZ", "kenya": "KE", "kuwait": "KW",
    "laos": "LA", "latvia": "LV", "lebanon": "LB", "lithuania": "LT", "luxembourg": "LU",
    "macao": "MO", "malaysia": "MY", "malta": "MT", "mexico": "MX", "moldova": "MD",
    "mongolia": "MN", "morocco": "MA", "myanmar": "MM", "nepal": "NP", "netherlands": "NL",
    "the netherlands": "NL", "new zealand": "NZ", "nigeria": "NG", "north korea": "KP",
    "korea, democratic people's republic of": "KP", "norway": "NO", "pakistan": "PK",
    "panama": "PA", "peru": "PE", "philippines": "PH", "poland": "PL", "portugal": "PT",
    "qatar": "QA", "romania": "RO", "russia": "RU", "russian federation": "RU",
    "saudi arabia": "SA", "serbia": "RS", "singapore": "SG", "slovakia": "SK", "slovenia": "SI",
    "south africa": "ZA", "south korea": "KR", "korea": "KR", "korea, republic of": "KR",
    "republic of korea": "KR", "spain": "ES", "sri lanka": "LK", "sweden": "SE",
    "switzerland": "CH", "taiwan": "TW", "thailand": "TH", "tunisia": "TN", "turkey": "TR",
    "turkiye": "TR", "türkiye": "TR", "ukraine": "UA", "united arab emirates": "AE",
    "united kingdom": "GB", "great britain": "GB", "uk": "GB", "england": "GB", "scotland": "GB",
    "wales": "GB", "northern ireland": "GB", "united states": "US",
    "united states of america": "US", "usa": "US", "uruguay": "UY", "uzbekistan": "UZ",
    "venezuela": "VE", "vietnam": "VN", "viet nam": "VN",
}  # fmt: skip
_ALPHA3 = {
    "USA": "US", "GBR": "GB", "DEU": "DE", "FRA": "FR", "IRL": "IE", "NLD": "NL", "ESP": "ES",
    "ITA": "IT", "CAN": "CA", "MEX": "MX", "BRA": "BR", "IND": "IN", "PHL": "PH", "CHN": "CN",
    "JPN": "JP", "KOR": "KR", "PRK": "KP", "RUS": "RU", "UKR": "UA", "POL": "PL", "ROU": "RO",
    "SWE": "SE", "NOR": "NO", "DNK": "DK", "FIN": "FI", "CHE": "CH", "AUT": "AT", "BEL": "BE",
    "PRT": "PT", "AUS": "AU", "NZL": "NZ", "SGP": "SG", "VNM": "VN", "PAK": "PK", "NGA": "NG",
    "ZAF": "ZA", "ARE": "AE", "ISR": "IL", "TUR": "TR", "ARG": "AR", "CHL": "CL", "COL": "CO",
}  # fmt: skip


@lru_cache(maxsize=4096)
def country_code(value: str | None) -> str | None:
    """The ISO alpha-2 code of a country as a login log spelt it, or None when empty.

    Args:
        value: "GB", "gb", "GBR", "United Kingdom", ...

    Returns:
        "GB" for all of those; an unknown name comes back upper-cased, unchanged otherwise.
    """
    text = (value or "").strip()
    if not text:
        return None
    upper = text.upper()
    if len(upper) == 2 and upper.isalpha():
        return upper
    if upper in _ALPHA3:
        return _ALPHA3[upper]
    return _NAMES.get(text.lower(), upper)


def crowd_addresses(db: Database, start: float, end: float) -> frozenset[str]:
    """Addresses that CROWD_IDENTITIES or more identities signed in from during the week.

    Such an address is an office, a corporate VPN or a carrier gateway: its geolocation says where
    that infrastructure is (often the head office's country), not where each of its users sits.
    """
    rows = db.execute(
        "select ip from login_events where ts >= ? and ts < ? and person_id is not null "
        "and ip is not null and ip != '' group by ip having count(distinct person_id) >= ?",
        [start, end, CROWD_IDENTITIES],
    ).fetchall()
    return frozenset(str(r[0]).strip() for r in rows)


def locates_person(ip: str | None, interactive: Any, crowd: frozenset[str]) -> bool:
    """Whether a sign-in's country says where its person is, for travel and concurrency checks.

    A non-interactive sign-in is a token refresh by an app left running (a desktop at home while
    its owner travels), and a crowd address geolocates the shared infrastructure, not the person.

    Args:
        ip: the sign-in's address.
        interactive: the stored flag (None when the log does not say: counted as interactive).
        crowd: addresses shared by many identities this week (`crowd_addresses`).

    Returns:
        True when the country may be compared with the person's other sign-ins.
    """
    if interactive is not None and not interactive:
        return False
    return not ip or ip.strip() not in crowd
