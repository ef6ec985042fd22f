"""Which language a reader gets, and the bilingual content fields.

Languages are stored and exchanged as BCP 47 tags ("en", "zh-Hant": the API, the cookie, the
database, `<html lang>`); Babel and the gettext catalogs know them by locale ids ("en",
"zh_Hant"). The choice order is: an explicit choice (the switcher's cookie, else the account's
stored language), then Accept-Language, then the series' default language, then English.
"""

from __future__ import annotations

import enum
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from functools import cache, wraps
from typing import Any, Concatenate, Generic, ParamSpec, TypeVar

import click
from babel import support
from flask import Flask, g, has_request_context, request
from flask.cli import AppGroup
from flask_babel import Babel, force_locale, get_locale, refresh
from flask_babel.speaklater import LazyString
from flask_login import current_user
from markupsafe import Markup
from wtforms.i18n import messages_path

from eventhub.accounts.loader import cannot_be_logged_in
from eventhub.config import shipped_folder

P = ParamSpec("P")
R = TypeVar("R")
E = TypeVar("E", bound=enum.Enum)

ENGLISH = "en"
CHINESE = "zh-Hant"
# Tag -> Babel locale id of the catalog.
LOCALES = {ENGLISH: "en", CHINESE: "zh_Hant"}
TAGS = {locale: tag for tag, locale in LOCALES.items()}
# Each language named in itself, for the switcher and the forms.
NATIVE_NAMES = {ENGLISH: "English", CHINESE: "繁體中文"}
# How dates read: British English as before, Hong Kong conventions for Traditional Chinese.
FORMAT_LOCALES = {"en": "en_GB", "zh_Hant": "zh_Hant_HK"}
COOKIE = "eventhub_lang"
COOKIE_MAX_AGE = 365 * 24 * 3600
_VARY = "Accept-Language, Cookie"
TRANSLATIONS = shipped_folder("translations")

babel = Babel()


def normalise(value: str | None) -> str | None:
    """The tag for a value written any common way ("zh_Hant", "zh-hant", "EN"), else None."""
    if not value:
        return None
    folded = value.strip().replace("_", "-").lower()
    for tag in LOCALES:
        if folded == tag.lower():
            return tag
    return None


def tag_from_header_entry(value: str) -> str | None:
    """An Accept-Language entry as one of ours: any Chinese reads Traditional, any English en."""
    primary = value.strip().lower().replace("_", "-").split("-")[0]
    if primary == "zh":
        return CHINESE
    if primary == "en":
        return ENGLISH
    return None


def explicit_choice() -> str | None:
    """The switcher's cookie, else the logged-in account's stored language."""
    cookies = request.cookies  # `in` first: a missing key in .get() raises and catches
    chosen = normalise(cookies[COOKIE]) if COOKIE in cookies else None
    if chosen:
        return chosen
    if cannot_be_logged_in():
        return None  # loading the anonymous user cost a public page a tenth of its time
    user = current_user._get_current_object() if current_user else None
    if user is not None and getattr(user, "is_authenticated", False):
        return normalise(getattr(user, "language", None))
    return None


def command_line_language() -> str | None:
    """Inside a `flask …` command, the language of the shell (LC_ALL, LC_MESSAGES, LANG)."""
    context = click.get_current_context(silent=True)
    if context is None or not isinstance(context.find_root().command, AppGroup):
        return None  # a worker or beat process, or code outside any command
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "")
        if value:
            return tag_from_header_entry(value.split(".")[0])
    return None


def header_choice() -> str | None:
    # werkzeug sorts the entries by quality, best first; q=0 entries are refused ones.
    for value, quality in request.accept_languages:
        if quality <= 0:
            continue
        tag = tag_from_header_entry(value)
        if tag:
            return tag
    return None


def reader_preference() -> str | None:
    """The reader's own choice (explicit, else Accept-Language), before any series default.

    Public page caches key on it: with no preference a series page always renders in that
    series' default language, so the key stays exact.
    """
    return explicit_choice() or header_choice()


def use_series_language(language: str | None) -> None:
    """Let this request fall back to a series' default language (a page about one series)."""
    if not has_request_context():
        return
    g.eventhub_series_language = normalise(language)
    refresh()  # Flask-Babel may have settled the locale already; ask again


def select_language() -> str:
    """The tag this request is served in (a `flask` command: the shell's locale; a task outside
    any request: English)."""
    if not has_request_context():
        return command_line_language() or ENGLISH
    series_default: str | None = g.get("eventhub_series_language")
    return reader_preference() or series_default or ENGLISH


def _select_locale() -> str:
    return LOCALES[select_language()]


def current_tag() -> str:
    """The tag of the language being rendered now (a forced locale in emails included)."""
    locale = get_locale()
    if locale is not None and locale.language == "zh":
        return CHINESE
    return ENGLISH


def is_chinese() -> bool:
    return current_tag() == CHINESE


def format_locale() -> str:
    """The Babel locale that dates and numbers are formatted in right now."""
    return FORMAT_LOCALES[LOCALES[current_tag()]]


def recipient_language(account: Any | None = None, series: Any | None = None) -> str:
    """The language of an email to someone who is not a registrant (an invitation, a reset).

    Their account's language when they have one and chose it, else the series' default
    language, else the language of whoever causes the email (the organiser's request, the
    shell of a command): they chose it by writing in it.
    """
    stored = (getattr(account, "language", None), getattr(series, "default_language", None))
    for candidate in stored:
        tag = normalise(candidate)
        if tag:
            return tag
    return select_language()


@contextmanager
def language(tag: str | None) -> Iterator[None]:
    """Render in `tag` (an email to one person, whatever the request or task speaks)."""
    with force_locale(LOCALES[normalise(tag) or ENGLISH]):
        yield


def in_language_of(
    function: Callable[Concatenate[Any, P], R],
) -> Callable[Concatenate[Any, P], R]:
    """Run `function(registration, …)` in the registration's language (its emails)."""

    @wraps(function)
    def wrapper(registration: Any, *args: P.args, **kwargs: P.kwargs) -> R:
        with language(getattr(registration, "language", None)):
            return function(registration, *args, **kwargs)

    return wrapper


class Deferred:
    """Text worked out when it is rendered, in the language of that render.

    A fan-out builds one context per session and renders it per language. Unlike Flask-Babel's
    LazyString this has no `__html__`: titles typed by people are still escaped in HTML.
    """

    __slots__ = ("_args", "_function")

    def __init__(self, function: Callable[..., str], *args: Any) -> None:
        self._function = function
        self._args = args

    def __str__(self) -> str:
        return str(self._function(*self._args))

    def __len__(self) -> int:
        return len(str(self))

    def __eq__(self, other: object) -> bool:
        return str(self) == other

    def __hash__(self) -> int:
        return hash(str(self))


def localised(item: Any, field: str) -> str:
    """`field` of `item` in the language being rendered, falling back to the other language.

    Content has an English field (`title`) and an optional Traditional Chinese one
    (`title_zh`); either may be empty.
    """
    english, chinese = _versions(item, field)
    if is_chinese():
        return chinese or english
    return english or chinese


def _versions(item: Any, field: str) -> tuple[str, str]:
    # Models, or the plain dicts of a queued email's context snapshot.
    if isinstance(item, Mapping):
        return str(item.get(field) or ""), str(item.get(f"{field}_zh") or "")
    return str(getattr(item, field, "") or ""), str(getattr(item, f"{field}_zh", "") or "")


def language_of(item: Any, field: str) -> str:
    """The tag of the text `localised(item, field)` returns, for a `lang` attribute."""
    english, chinese = _versions(item, field)
    if is_chinese():
        return CHINESE if chinese or not english else ENGLISH
    return ENGLISH if english or not chinese else CHINESE


def lang_attr(item: Any, field: str) -> Markup:
    """` lang="…"` when `localised(item, field)` is not in the page's language, else nothing."""
    tag = language_of(item, field)
    # Markup.format escapes the tag: nothing but a language tag can reach the attribute.
    return Markup(' lang="{}"').format(tag) if tag != current_tag() else Markup("")


# Phrases wrap their parts in markup or quotes after translation, so one message serves the
# HTML and the text part of an email alike.
def strong(text: object) -> Markup:
    return Markup("<strong>{}</strong>").format(text)


def emphasis(text: object) -> Markup:
    return Markup("<em>{}</em>").format(text)


def link(url: object, text: object) -> Markup:
    return Markup('<a href="{}" style="color:#0b5cad;">{}</a>').format(url, text)


def quoted(text: object) -> str:
    """A title quoted in the language's own marks: "Title", 「標題」."""
    return f"「{text}」" if is_chinese() else f'"{text}"'


def join_sentences(sentences: Iterable[str]) -> str:
    """Sentences in a run: Chinese ones end in "。" and follow on without a space."""
    return ("" if is_chinese() else " ").join(sentences)


def join_list(items: Iterable[str]) -> str:
    """ "a, b and c" as a plain list: "a, b, c", or "a、b、c" in Chinese."""
    return ("、" if is_chinese() else ", ").join(items)


class Labels(Generic[E]):
    """What each member of an enum reads as, in the reader's language when read; a member
    without a label reads as its value."""

    def __init__(self, labels: Mapping[E, LazyString]) -> None:
        self._labels = dict(labels)

    def __call__(self, member: E) -> str:
        return str(self._labels.get(member, member.value))


def speaker_name(speaker: Any) -> str:
    """A speaker's name for text: the Chinese name first for Chinese readers, both when known."""
    english = str(getattr(speaker, "name_line", "") or "")
    chinese = str(getattr(speaker, "name_zh", "") or "")
    if not chinese:
        return english
    return f"{chinese} {english}" if is_chinese() else f"{english} {chinese}"


# WTForms ships Traditional Chinese as zh_TW; its plain "zh" catalog is Simplified Chinese, which
# Babel's fallback from zh_Hant would otherwise pick for "This field is required.".
WTFORMS_LOCALES = {"zh_Hant": "zh_TW"}


@cache
def _wtforms_catalog(locale: str) -> support.NullTranslations:
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


class FormTranslations:
    """WTForms' own validator messages in the language being rendered (Meta.get_translations)."""

    def _catalog(self) -> support.NullTranslations:
        locale = str(get_locale() or "en")
        return _wtforms_catalog(WTFORMS_LOCALES.get(locale, locale))

    def gettext(self, string: str) -> str:
        return self._catalog().gettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self._catalog().ngettext(singular, plural, n)


form_translations = FormTranslations()


def install_i18n(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", "en")
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    babel.init_app(app, locale_selector=_select_locale)
    app.jinja_env.add_extension("jinja2.ext.i18n")
    app.jinja_env.globals.update(
        current_language=current_tag,
        language_names=NATIVE_NAMES,
        localised=localised,
        language_of=language_of,
        lang_attr=lang_attr,
        strong=strong,
        emphasis=emphasis,
        link=link,
        quoted=quoted,
        speaker_text_name=speaker_name,
    )

    @app.before_request
    def _settle_afresh() -> None:
        # A request inside an already pushed app context (tests, CLI) shares its `g`:
        # forget the language an earlier request settled on.
        g.pop("eventhub_series_language", None)
        # Only a context where Flask-Babel settled something has anything to forget (a new
        # request's context has not: refresh() would only create Flask-Babel's namespace).
        settled = g.get("_flask_babel")
        if settled is not None and vars(settled):
            refresh()

    @app.after_request
    def _vary(response: Any) -> Any:
        # The same URL answers in another language for another cookie or Accept-Language.
        if request.endpoint and not request.path.startswith("/static"):
            if "Vary" in response.headers:
                response.vary.update(("Accept-Language", "Cookie"))  # one rewrite, not two
            else:
                response.headers["Vary"] = _VARY  # most responses: no header to parse
        return response
