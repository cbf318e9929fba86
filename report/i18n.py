"""The report's languages: Danish (the source) at the site's root and English under `en/`.

Messages are translated with gettext catalogues (`report/locale/<lang>/LC_MESSAGES/messages.po`,
kept up to date with `make translations`, which runs pybabel); dates, months and quarters are
written by Babel's CLDR data; numbers by `charts.Style`, which is faster than Babel per number and
the report writes millions of them at 10,000 municipalities.
"""

from __future__ import annotations

import gettext
import io
from datetime import date, datetime
from functools import cache
from pathlib import Path

from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = {"da": "", "en": "en/"}  # language -> its folder in the site
NAMES = {"da": "Dansk", "en": "English"}


@cache
def translations(lang: str) -> gettext.NullTranslations:
    """The catalogue of `lang`; Danish, the language the pages are written in, needs none."""
    if lang == "da":
        return gettext.NullTranslations()
    with (LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalog = read_po(f, locale=lang)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled)


_DATETIME = {"da": "d. MMMM y 'kl.' HH.mm", "en": "d MMMM y, HH:mm"}
_DATE = {"da": "d. MMMM y", "en": "d MMMM y"}


def when(value, lang: str) -> str:
    """A time as a reader writes it, in Danish time: 3. december 2026 kl. 08.21."""
    if value is None or value == "":
        return "–"
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=datetime.now().astimezone().tzinfo)
    return format_datetime(value, _DATETIME[lang], tzinfo="Europe/Copenhagen", locale=lang)


def day(value, lang: str) -> str:
    """A date in words: 5. marts 2024 / 5 March 2024."""
    if value is None or value == "":
        return "–"
    if isinstance(value, str):
        value = date.fromisoformat(value)
    return format_date(value, _DATE[lang], locale=lang)


def period(value: str | None, lang: str) -> str:
    """A StatBank period in words: 2024M12 -> december 2024, 2026K1 -> 1. kvartal 2026; an
    unknown one (a table without the municipality's figures) as a dash."""
    if value is None:
        return "–"
    if len(value) == 7 and value[4] == "M":
        return format_date(date(int(value[:4]), int(value[5:]), 1), "MMMM y", locale=lang)
    if len(value) == 6 and value[4] in "KQ":
        quarter = date(int(value[:4]), 3 * int(value[5]) - 2, 1)
        return format_date(quarter, "QQQQ y", locale=lang)
    return value
