"""UI strings through gettext: English message ids, a catalogue per other language.

The site's languages are data (publisher.site reads them from the site description); this
module knows how to serve them: where each language's pages live, its catalogue, its locale.
A catalogue is `translations/<lang>/LC_MESSAGES/messages.po` beside the site description, else
the one shipped in site/translations. English, the language of the message ids, needs none.
The .po catalogue is compiled in memory when first used, so no compiled file is kept in the repo.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from publisher.config import PROJECT_ROOT

TRANSLATIONS_DIR = PROJECT_ROOT / "site" / "translations"
SOURCE_LANGUAGE = "en"  # the language of the message ids

# Dates and numbers in English follow British usage ("16–17 November 2017"); other languages
# use their own locale.
BABEL_LOCALES = {"pl": "pl_PL", "en": "en_GB"}


def N_(message: str) -> str:
    """Marks a string for extraction; it is translated where it is shown."""
    return message


def shipped_languages() -> tuple[str, ...]:
    """English and every language whose catalogue ships in site/translations: the languages of
    the command line's reports, and path segments a resource may not start with."""
    return tuple(sorted({SOURCE_LANGUAGE, *(po.parts[-3] for po in TRANSLATIONS_DIR.glob("*/LC_MESSAGES/messages.po"))}))


def catalogue(lang: str, folders: tuple[Path, ...]) -> Path | None:
    """The first folder's .po catalogue for `lang`; None when none has one."""
    return next((po for folder in folders if (po := folder / lang / "LC_MESSAGES" / "messages.po").exists()), None)


@lru_cache(maxsize=None)
def translations(lang: str, folders: tuple[Path, ...] = (TRANSLATIONS_DIR,)) -> NullTranslations:
    po = catalogue(lang, folders)
    if po is None:
        return NullTranslations()
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled)


def babel_locale(lang: str) -> str:
    return BABEL_LOCALES.get(lang, lang)


def known_locale(lang: str) -> bool:
    try:
        Locale.parse(babel_locale(lang))
    except (UnknownLocaleError, ValueError):
        return False
    return True


@dataclass(frozen=True)
class Languages:
    """The site's languages, the default first: its pages are at the IRIs themselves, every other
    language's under /{lang}/."""
    codes: tuple[str, ...]
    catalogues: tuple[Path, ...] = (TRANSLATIONS_DIR,)

    def __iter__(self):
        return iter(self.codes)

    def __len__(self) -> int:
        return len(self.codes)

    def __contains__(self, lang) -> bool:
        return lang in self.codes

    @property
    def default(self) -> str:
        return self.codes[0]

    @property
    def others(self) -> tuple[str, ...]:
        """The languages whose pages live under /{lang}/."""
        return self.codes[1:]

    def prefix(self, lang: str) -> str:
        """The path every page in `lang` starts with: "" for the default, else "{lang}/"."""
        return "" if lang == self.default else f"{lang}/"

    def of_path(self, path: str) -> tuple[str, str]:
        """The language of a site-relative path, and the path without its language prefix."""
        head, _, rest = path.partition("/")
        if head in self.others:
            return head, rest
        return self.default, path

    def translations(self, lang: str) -> NullTranslations:
        return translations(lang, self.catalogues)

    def gettext(self, lang: str):
        return self.translations(lang).gettext

    def name(self, lang: str, in_language: str | None = None) -> str:
        """The language's name in itself ("polski", "English", "українська": the switcher), or
        in `in_language`."""
        return _language_name(lang, in_language or lang)


@lru_cache(maxsize=None)  # every page names every language: Babel's lookup, once
def _language_name(lang: str, in_language: str) -> str:
    return Locale.parse(lang).get_display_name(in_language)
