"""UI strings through gettext: English message ids, a Polish catalog in site/translations.

The .po catalog is compiled in memory when first used, so no compiled file is kept in the repo.
"""

from __future__ import annotations

from functools import lru_cache
from io import BytesIO

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from publisher.config import PROJECT_ROOT

TRANSLATIONS_DIR = PROJECT_ROOT / "site" / "translations"
LANGUAGES = ("pl", "en")


def N_(message: str) -> str:
    """Marks a string for extraction; it is translated where it is shown."""
    return message


@lru_cache(maxsize=None)
def translations(lang: str) -> NullTranslations:
    po = TRANSLATIONS_DIR / lang / "LC_MESSAGES" / "messages.po"
    if not po.exists():
        return NullTranslations()
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled)

# Dates and numbers in English follow British usage ("16–17 November 2017").
BABEL_LOCALES = {"pl": "pl_PL", "en": "en_GB"}


def babel_locale(lang: str) -> str:
    return BABEL_LOCALES.get(lang, lang)
