"""Currencies: the active ISO 4217 codes (the standard library has no list of them)."""

from django.core.exceptions import ValidationError

# ISO 4217's active currency codes as of 2026 (ANG → XCG in 2025, BGN → EUR in 2026; HRK, SLL,
# ZWL withdrawn). Left out on purpose: fund codes (BOV, CHE, CHW, CLF, COU, MXV, USN, UYI,
# UYW), precious metals (XAG, XAU, XPD, XPT), bond units and SDR (XBA to XBD, XDR, XSU, XUA) and
# the test and "no currency" codes (XTS, XXX): nobody is paid in them.
# fmt: off
ACTIVE_CURRENCY_CODES = frozenset((
    "AED", "AFN", "ALL", "AMD", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT",
    "BHD", "BIF", "BMD", "BND", "BOB", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD",
    "CDF", "CHF", "CLP", "CNY", "COP", "CRC", "CUP", "CVE", "CZK", "DJF", "DKK", "DOP",
    "DZD", "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS", "GIP", "GMD",
    "GNF", "GTQ", "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "IQD", "IRR",
    "ISK", "JMD", "JOD", "JPY", "KES", "KGS", "KHR", "KMF", "KPW", "KRW", "KWD", "KYD",
    "KZT", "LAK", "LBP", "LKR", "LRD", "LSL", "LYD", "MAD", "MDL", "MGA", "MKD", "MMK",
    "MNT", "MOP", "MRU", "MUR", "MVR", "MWK", "MXN", "MYR", "MZN", "NAD", "NGN", "NIO",
    "NOK", "NPR", "NZD", "OMR", "PAB", "PEN", "PGK", "PHP", "PKR", "PLN", "PYG", "QAR",
    "RON", "RSD", "RUB", "RWF", "SAR", "SBD", "SCR", "SDG", "SEK", "SGD", "SHP", "SLE",
    "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL", "THB", "TJS", "TMT", "TND", "TOP",
    "TRY", "TTD", "TWD", "TZS", "UAH", "UGX", "USD", "UYU", "UZS", "VED", "VES", "VND",
    "VUV", "WST", "XAF", "XCD", "XCG", "XOF", "XPF", "YER", "ZAR", "ZMW", "ZWG",
))
# fmt: on


def validate_currency_code(value: str) -> None:
    """A model field validator: `value` is an active ISO 4217 code, e.g. USD or EUR."""
    if value not in ACTIVE_CURRENCY_CODES:
        raise ValidationError(
            "%(value)s is not an active ISO 4217 currency code: use three capital letters"
            " such as USD, EUR or GBP.",
            code="invalid_currency",
            params={"value": repr(value)},
        )
