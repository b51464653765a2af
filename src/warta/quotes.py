"""Quotes with speakers: the ``quote`` span layer.

Finds direct quotes (straight, curly and mixed quote marks, quotes running over paragraphs)
and reported speech ("X mengatakan bahwa ...", "menurut X, ...", "..., kata X", "X said ...",
"according to X, ..."), in Indonesian and English, and resolves each speaker to a name:
through the article's ``entity`` layer when it is present, else through capitalised-name
chunks with their titles and roles split off. Back-references ("katanya", "tambahnya",
"kata kementerian itu", "ia", "he", "the ministry") resolve to an earlier speaker or mention.

Each quote is ``Span(start, end, "direct" | "reported", layer="quote")`` over the quote
content; ``attrs`` hold the speaker (canonical name or ``None`` for an unnamed source such
as "seorang pejabat"), the offsets of the speaker mention (for a back-reference, the mention
itself, e.g. "ia" or the "nya" of "katanya", with ``antecedent_start``/``antecedent_end``
pointing at the name it stands for), the cue and the content.

Conventions, shared with the Indonesian golden file and PolNeAR: one sentence can hold two
reports ("X said A, and added that B"); a quote split around its cue ("“A,” X said, “B”") or
continued in the same paragraph after its cue is one utterance; a paragraph that only
continues the previous quote is a quote of its own with the same speaker and an empty cue.
Rules only, no trained model: see ``benchmarks/eval_quotes.py`` (PolNeAR) and
``tests/data/quotes_id_golden.json`` for the figures.

>>> text = ('"Kami akan terus melakukannya," kata juru bicara Kremlin Dmitry Peskov kepada wartawan.\\n'
...         'Yang kurang jelas, katanya, adalah apa yang diberikan Rusia.')
>>> [(s.label, text[s.start:s.end], s.attrs["speaker"], s.attrs["cue"]) for s in find_quotes(text)]
[('direct', 'Kami akan terus melakukannya', 'Dmitry Peskov', 'kata'), \
('reported', 'Yang kurang jelas, katanya, adalah apa yang diberikan Rusia', 'Dmitry Peskov', 'katanya')]
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources

from .article import Article, Span
from .pipeline import stage

__all__ = ["find_quotes", "quotes"]

# --- lexicons ---------------------------------------------------------------------------------

#: Indonesian cues that follow the content: "..., kata X" / "..., katanya".
_ID_POST_CUES = (
    "kata", "ujar", "tutur", "ungkap", "tegas", "jelas", "imbuh", "tambah", "lanjut", "tulis",
    "sebut", "papar", "terang", "ucap", "pungkas", "kilah", "bilang", "seru", "timpal", "aku",
    "pinta", "sambung", "tutup", "beber", "tandas", "urai", "cetus", "tukas", "sahut",
)
#: Indonesian verbs that introduce content: "X mengatakan (bahwa) ...".
_ID_PRE_CUES = (
    "mengatakan", "menyatakan", "menuturkan", "mengungkapkan", "menegaskan", "menjelaskan",
    "menambahkan", "menyebutkan", "menyebut", "memperingatkan", "menilai", "mengklaim",
    "menekankan", "berkata", "mengaku", "menulis", "melaporkan", "mengimbau", "memaparkan",
    "menerangkan", "mengakui", "berpendapat",
    "mengungkap", "menyampaikan", "menuding", "menuduh", "mengingatkan", "bilang",
    "mengutarakan", "membeberkan", "menandaskan", "mengucapkan", "menjawab", "mengumumkan",
    "membantah", "memprediksi", "memperkirakan", "memastikan", "bercerita", "berspekulasi",
)
_EN_CUES = (
    "said", "says", "say", "told", "tells", "added", "adds", "wrote", "writes", "explained",
    "noted", "argued", "insisted", "warned", "claimed", "stated", "asked", "declared",
    "tweeted", "announced", "acknowledged", "suggested", "continued", "recalled", "admitted",
    "replied", "responded", "complained", "predicted", "contended", "cautioned", "emphasized",
    "stressed", "observed", "conceded", "believes", "believed", "thinks", "thought", "saying",
    "adding", "telling", "arguing", "noting", "insisting", "warning", "claiming", "explaining",
    "reported", "reports", "insist", "insists", "argue", "argues", "joked", "notes",
    "suggests", "claims", "explains", "asks", "acknowledges", "concludes", "concluded",
    "asserted", "asserts", "contends", "maintains", "testified",
)
#: What may follow "CONTENT, he said" without being content itself.
_REST_ADJUNCT_RE = re.compile(
    r"\s*(?:\w+ly\b|after|in|on|at|during|when|while|before|to|as|from|of|about|outside|inside|following|"
    r"through|via|last|this|earlier|later|pada|dalam|di|saat|ketika|usai|seusai|kepada|dikutip|"
    r"(?:mon|tues|wednes|thurs|fri|satur|sun)day|yesterday|today|tonight|senin|selasa|rabu|kamis|jumat|sabtu|"
    r"seperti|sebagaimana|melalui|lewat)\b", re.IGNORECASE)
_ID_PASSIVE_RE = re.compile(r"(?<![-\w])(?P<cue>[Dd]i(?:katakan|sebutkan|ungkapkan|jelaskan|tegaskan))\b"
                            r"(?=\s+(?:oleh\s+)?[A-Z])")
_ASKED_RE = re.compile(r"(?:When\s+)?(?P<cue>[Aa]sked)\s+(?:\w+day\s+|by\s+[^,]{1,40}?\s+)?"
                       r"(?P<content>(?:if|whether|what|who|whom|why|how|when|which|about)\b[^,]+),")
#: Where reported content gives way to a second report in the same sentence.
_NEXT_VERBS = (r"(?:said|says|added|told|noted|argued|mengatakan|menambahkan|menegaskan|menjelaskan|"
               r"menyebut|menyebutkan|menyatakan)\b")
_NEXT_CUE_RE = re.compile(
    r",?\s+(?:and|but|dan|serta|namun)\s+(?=(?:[\w’'-]+\s+){0,4}?" + _NEXT_VERBS + r")"
    r"|,\s+(?=(?:adding|saying|noting|arguing|menambahkan)\b)"
    r"|,\s+(?!(?:dengan|with|by|sambil|while|yang|who|which)\b)(?=(?:[\w’'-]+\s+){1,4}?" + _NEXT_VERBS + r")")
_COLON_LINE_RE = re.compile(r"([A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3}):\s+")
#: Capitalised words before a colon that introduce page furniture, not a speaker.
_COLON_NOT_SPEAKERS = {
    "baca", "lihat", "simak", "video", "foto", "editor", "update", "exclusive", "breaking", "poll",
    "watch", "read", "live", "related", "source", "sumber", "note", "catatan", "photo", "image",
    "q", "question", "pilihan", "tonton", "penulis", "reporter", "artikel", "berita", "correction",
    "clarification", "disclosure", "contributing", "koreksi", "ralat", "editor's", "editor’s",
}
_EN_LEAD_ADJUNCTS = {
    "in", "as", "asked", "speaking", "on", "at", "during", "after", "before", "when", "while",
    "despite", "with", "without", "since", "until", "from", "for", "by", "like", "unlike",
}
#: English cues that may follow the content and precede the speaker: '..., said X'.
_EN_INVERTED = ("said", "says", "added", "wrote", "asked", "continued", "explained", "noted")

_ID_PRONOUNS = {"ia", "dia", "beliau", "mereka", "ia pun", "dirinya"}
_EN_PRONOUNS = {"he", "she", "they", "it", "i", "we"}
_FIRST_PERSON = {"i", "we"}

#: Words that are titles or roles, kept apart from the person's name.
_ROLE_WORDS = {
    w.lower() for w in """
    presiden wakil wapres menteri menko mendagri menlu menkeu juru bicara jubir direktur dirut dirjen
    ketua ketum waketum kepala sekretaris sekjen sesmen gubernur wagub bupati wabup wali walikota
    wakota panglima kapolri wakapolri kapolda kapolres kapolsek kasat kabid kabag kasubdit kadis
    kasi kanit kajari kajati jaksa hakim anggota pengamat pakar ekonom analis peneliti dosen guru
    besar profesor prof dr ir drs h hj kh komisaris jenderal kolonel brigjen irjen komjen kombes
    akbp kompol iptu ipda aiptu aipda bripka brigadir letjen mayjen marsda laksda laksamana marsekal
    deputi asisten staf khusus koordinator pelaksana plt pj penjabat camat lurah kades rektor dekan
    ceo cfo coo founder pendiri co-founder manajer manager general senior eksekutif executive
    koresponden wartawan redaktur pemimpin pimpinan direksi utama umum wakil perdana pm raja ratu
    pangeran paus imam ustaz ustadz habib kiai syekh mufti uskup pendeta pastor pelatih kapten
    president vice secretary sen senator rep representative gov governor mr mrs ms dr judge
    chief head director spokesman spokeswoman spokesperson minister chairman chairwoman ceo mayor
    adviser advisor aide attorney general lt col gen former candidate nominee speaker leader
    pengacara kuasa polisi kapuspenkum dirtut jampidsus jampidum kasatlantas kabiro humas mantan
    country director marketing corporate portfolio
    """.split()
}
#: Words of organisation names and places: they end a person's name when read from the right.
_ORG_WORDS = {
    w.lower() for w in """
    kementerian kemenlu kemenkeu kementrian badan dinas institute institut universitas university
    partai polda polres polsek polri kejaksaan kejagung kejari kejati komisi dpr dprd mpr kpk pbb
    bank pt tbk pemerintah pemkot pemkab pemprov kantor lembaga dewan mahkamah pengadilan kedutaan
    kedubes kemlu bps bi ojk tni persero departemen kremlin gedung putih istana ministry department
    committee campaign center centre council agency office house senate congress court party
    foundation association union corporation inc corp co ltd group times post news journal
    luar negeri dalam keuangan pertahanan perdagangan perindustrian pendidikan kesehatan agama
    sosial hukum ham bumn esdm pertanian perhubungan koperasi ukm pariwisata ketenagakerjaan
    keamanan politik perekonomian investasi intelijen nasional daerah provinsi kabupaten kota
    energi sumber daya mineral perumahan permukiman kawasan pekerjaan agraria tata ruang lingkungan
    hidup kehutanan kelautan perikanan desa komunikasi informatika digital pemuda olahraga
    pemberdayaan perempuan anak aparatur reformasi birokrasi transmigrasi imigrasi pemasyarakatan
    republik rakyat federal negara pusat timnas as amerika serikat korea selatan utara rusia china
    tiongkok indonesia ri jepang iran israel ukraina inggris jakarta jawa barat timur tengah seoul
    pyongyang washington moskow beijing us usa u.s. america american united states white
    state states national republican democratic democrats republicans gop fbi cia nato un eu
    """.split()
}
_ROLE_OR_ORG = _ROLE_WORDS | _ORG_WORDS
#: Organisation words that come before the organisation's own name ("Bank Mandiri").
_ORG_PREFIXES = {
    "bank", "partai", "kementerian", "pt", "universitas", "badan", "dinas", "komisi", "lembaga",
    "kantor", "polda", "polres", "dewan", "mahkamah", "pengadilan", "departemen", "ministry",
}
#: Lowercase words that can sit inside a name ("Abdul bin Ahmad", "Ludwig van Beethoven").
_NAME_PARTICLES = {"bin", "binti", "van", "von", "de", "der", "da", "al", "el", "la", "di"}
#: Capitalised words that start a sentence or clause but are never names.
_NOT_NAMES = {
    w.lower() for w in """
    pada dalam di ke dari untuk dengan dan atau namun tetapi tapi sementara itu ini saat ketika
    menurut sebelumnya selain kemudian lalu sedangkan bahkan juga hal yang sebagai bagi oleh
    senin selasa rabu kamis jumat sabtu minggu januari februari maret april mei juni juli agustus
    september oktober november desember the a an in on at for to of and but when while after
    before if as this that these those there it he she they we i his her their our its
    monday tuesday wednesday thursday friday saturday sunday january february march june july
    august october december tahun hari bulan pekan kami kita saya aku anda berbicara mereka
    yes no also so then however meanwhile still
    """.split()
}
_ID_DETERMINERS = {
    "seorang", "para", "sejumlah", "beberapa", "banyak", "sebagian", "salah", "kalangan",
    "pihak", "sumber", "seluruh", "semua",
}
_ID_SUBJECT_STOP = {
    "pada", "di", "dalam", "yang", "telah", "akan", "tidak", "juga", "pun", "kepada", "sudah",
    "saat", "ketika", "sebelumnya", "kemarin", "hari", "pekan", "minggu", "sempat", "masih",
    "kembali", "lalu", "kemudian", "bahkan", "hanya", "secara", "dengan", "melalui", "lewat",
    "usai", "seusai", "setelah", "sebelum", "sambil", "tetapi", "tapi", "namun", "dan", "serta",
    "menolak", "sendiri", "mengeluarkan", "yakni", "yaitu",
}
_ID_POST_SPEAKER_STOP = _ID_SUBJECT_STOP | {
    "seperti", "dilansir", "dikutip", "mengutip", "via", "saat", "usai", "dalam", "kepada",
    "ketika", "di", "dari", "sebagaimana", "sesuai", "ditemui", "dihubungi", "beberapa", "sebelum",
    "sesaat", "selepas", "menanggapi", "mengenai", "terkait", "soal", "tentang",
}
#: First words of a clause with its own subject.
_CLAUSE_OPENERS = {"he", "she", "they", "it", "we", "i", "you", "that", "there", "this", "these", "those"}
_EN_AUX = {
    "is", "are", "was", "were", "has", "have", "had", "will", "would", "can", "could", "should",
    "may", "might", "must", "does", "did", "do", "isn't", "wasn't", "won't", "doesn't", "didn't",
}
_EN_SPEAKER_STOP = {
    "in", "on", "at", "during", "after", "before", "when", "while", "to", "last", "this",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "that",
    "who", "which", "and", "but", "because", "as", "of", "about", "from", "with", "earlier",
    "recently", "yesterday", "today", "later", "told", "said", "says", "added",
} | _EN_AUX
_SUBORDINATORS = {
    "when", "while", "after", "because", "although", "though", "if", "since", "before", "once",
    "ketika", "saat", "setelah", "karena", "meski", "meskipun", "jika", "sejak", "sebelum",
    "dimana", "where", "whereas",
}
_FURNITURE_RE = re.compile(r"(?:Baca|Lihat|Simak|Tonton|Read|Watch|See)\s+(?:[Jj]uga|[Aa]lso|[Mm]ore)\b", re.I)
_LEADING_ADVERBS = {
    "sebelumnya", "kemudian", "lalu", "selanjutnya", "bahkan", "kini", "sekarang", "akhirnya",
    "earlier", "later", "then", "now", "meanwhile", "finally",
}
_CONJUNCTIONS = {"and", "but", "so", "yet", "dan", "tetapi", "tapi", "namun", "lalu", "kemudian", "also"}
_ID_ADJUNCT_START = {
    "pada", "dalam", "di", "berbicara", "saat", "ketika", "sementara", "namun", "kemudian",
    "sebelumnya", "selain", "dengan", "usai", "seusai", "dari", "melalui", "sebagai", "menurut",
    "setelah", "sebelum", "sejak", "hingga", "terkait", "menanggapi", "mengenai", "soal",
    "selanjutnya", "bahkan", "meski", "meskipun", "walaupun", "kendati", "tak", "tidak", "jika",
    "kalau", "apabila", "seperti", "lalu", "adapun", "sedangkan", "oleh", "sehingga", "untuk",
    "menggaungkan", "mengutip", "dilansir", "dikutip", "in", "on", "at", "during", "after", "among",
    "for", "with", "like", "unlike", "despite",
    "speaking", "meanwhile", "but", "however", "and", "when", "while", "asked", "according",
}

_OPENERS = "\"“„«"
_CLOSERS = "\"”»`"
_WORD = re.compile(r"[A-Za-zÀ-ÿ](?:[\w'’-]|\.(?=\w))*|\d(?:[\w-]|[.,](?=\d))*")
_CAP = re.compile(r"[A-ZÀ-Þ]")
_ID_POST_RE = re.compile(
    r"(?P<cue>(?:{})(?:nya|kan)?)\b".format("|".join(sorted(_ID_POST_CUES, key=len, reverse=True))),
    re.IGNORECASE,
)
_ID_PRE_RE = re.compile(r"(?<![-\w’'])(?P<cue>{})\b".format("|".join(_ID_PRE_CUES)), re.IGNORECASE)
_EN_PRE_RE = re.compile(r"(?<![-\w’'])(?P<cue>{})\b".format("|".join(_EN_CUES)))
#: Words before a verb that make it no report ("too soon to say", "read as saying").
_NOT_A_REPORT_BEFORE = {"to", "as", "untuk", "akan", "ingin", "mau", "bisa", "dapat", "not", "tidak"}
#: Words that start an adjunct, not reported content ("joked with reporters", "said at the time").
_PREPOSITIONS = {
    "with", "at", "after", "before", "for", "in", "on", "during", "from", "of", "by", "about",
    "since", "against", "into", "dengan", "di", "setelah", "sebelum", "untuk", "dari", "oleh",
    "tentang", "terhadap", "atas", "soal", "mengenai", "terkait",
}
_SV_VERBS = "|".join(_EN_INVERTED + ("told", "tells", "argued", "wrote", "insisted", "warned", "reported",
                                     "say", "suggested", "acknowledged", "predicted", "argue"))
_EN_SV_RE = re.compile(r"((?:(?:the|a|an|one|some|many|other|another|his|her|their|its|two|three)\s+)?"
                       r"(?:[\w.'’-]+\s+){0,3}?[A-Za-z][\w.'’-]*)\s+(" + _SV_VERBS + r")\b")
_EN_SV_DIRECT_RE = re.compile(r"((?:(?:[\w'’-]+|[A-Z][a-z]{0,3}\.|\([^)\s]{1,15}\))\s+){0,6}?"
                              r"(?:[A-Z][\w.'’-]*|he|she|they|I|we|"
                              r"(?:the|a|an|his|her|their|one)\s+(?:[\w.'’-]+\s+){0,3}[\w.'’-]+))\s+"
                              r"(" + "|".join(_EN_CUES) + r"|went on|[a-z]\w*ed)\b")
#: "called it a “Chinese menu”", "menyebutnya sebagai “...”": a verb of naming with its object.
_NAMING_RE = re.compile(r"\b(called|calling|calls|dubbed|labell?ed|branded|described|describing|menyebut(?:nya)?|"
                        r"menjuluki|menamai|menggambarkan(?:nya)?)\s+(?:[^\"“”.,;]{1,80}?\s+)?"
                        r"(?:(?:as|sebagai)\s+(?:[^\"“”.,;]{1,30}?\s+)?)?(?:an?\s+|the\s+)?$")
#: Plain verb forms that report only with "that": "polls suggest that ...".
_EN_THAT_RE = re.compile(r"(?<![-\w’'])(?P<cue>suggest|claim|note|warn|acknowledge|concede|insist|argue|admit)"
                         r"(?=\s+that\b)")
_EN_COMMON_SV_DIRECT_RE = re.compile(r"((?:[a-z][\w'’-]*\s+){0,2}[a-z][\w'’-]*)\s+(" + _SV_VERBS + r")\b")
_EN_INV_DIRECT_RE = re.compile(r"(?P<cue>(?:" + "|".join(_EN_INVERTED) + r")\b(?=\s+\S)"
                               r"|[a-z]\w*ed\b(?=\s+(?:[A-Z]|the\s)))")
_EN_APPOSITION_SV_RE = re.compile(r"((?:[A-Z][\w'’-]*\.?\s+){0,3}[A-Z][\w'’-]*)((?:,\s*[^,\"“”]{1,80}){1,4}),\s+("
                                  + "|".join(_EN_CUES) + r")\b")
_DETERMINER_RE = re.compile(r"(?:a|an|the|his|her|their|its|one|another|some)\s", re.IGNORECASE)
_EN_INV_RE = re.compile(r"(?P<cue>{})\b".format("|".join(_EN_INVERTED)))
#: A nominalisation right after the verb ("keprihatinan", "kepergian"): the verb takes a noun.
_NOUN_OBJECT_RE = re.compile(r"ke\w+an\b")
_STATEMENT_RE = re.compile(r"\b(?P<cue>pernyataan(?:nya)?|statement)\b")
_LEAD_DATELINE_RE = re.compile(
    r"(?:[A-Z][A-Za-z]*\s*,\s*)?(?:[A-Z]+\b|\w+\.(?:com|co|id)\b)[\w.,\s]{0,25}?\s*[-–—]\s*")
_DATELINE_RE = re.compile(r"[A-Z][A-Z.]+(?:,\s*[A-Z][\w.]*)*\s+[-–—]\s+")
#: Where reported content stops: a new clause about something else.
_CONTENT_END_RE = re.compile(r",\s+(?:sementara|sedangkan|while|menurut\b|according to\b)|;\s")
_ADJUNCT_AFTER_VERB = re.compile(
    r"\s*(?:pada|kemarin|tadi|earlier|(?:on|last|this|next)\s+(?:mon|tues|wednes|thurs|fri|satur|sun)day"
    r"|(?:last|this|next)\s+(?:week|month|year|morning|afternoon|evening|night|weekend)"
    r"|(?:minggu|pekan|hari)\s+(?:ini|lalu|kemarin)|in\s+an?\s)\b", re.IGNORECASE)
_NYA_RE = re.compile(r"(?i)^(?:{})nya$".format("|".join(_ID_POST_CUES + ("menurut",))))
_ABBREV = {"dr", "mr", "mrs", "ms", "prof", "sen", "rep", "gov", "st", "jr", "sr", "no", "vs", "h",
           "hj", "ir", "drs", "kh", "u.s", "jan", "feb", "aug", "sept", "oct", "nov", "dec", "lt",
           "gen", "col", "inc", "corp", "co", "ltd", "dll", "dsb", "tsb", "a.n"}


@dataclass(slots=True)
class _Speaker:
    """A speaker mention: where it is and whom it names (``name`` None for unnamed sources)."""

    start: int
    end: int
    name: str | None
    kind: str  # "person", "name" (organisation, place), "nominal", "pronoun"
    antecedent: tuple[int, int] | None = None
    entity_id: int | None = None  # from the entity layer, when it gave the name


@dataclass(slots=True)
class _Quote:
    start: int
    end: int
    label: str
    cue: str = ""
    cue_start: int = 0
    cue_end: int = 0
    speaker: _Speaker | None = None


# --- text helpers ------------------------------------------------------------------------------


def _words(text: str, start: int, end: int) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group()) for m in _WORD.finditer(text, start, end)]


def _strip(text: str, start: int, end: int, chars: str = " \t\n,.;:") -> tuple[int, int]:
    while start < end and text[start] in chars:
        start += 1
    while end > start and text[end - 1] in chars:
        end -= 1
    return start, end


def _is_cap(word: str) -> bool:
    return bool(_CAP.match(word))


_MARK_RE = re.compile("[" + re.escape(_OPENERS + _CLOSERS) + "“]")
#: Two apostrophes used as a quote mark (''like this''), opening (group 1) or closing.
_DOUBLE_SINGLE = re.compile(r"''(?=(\S))?")


def _find_direct(text: str) -> list[tuple[int, int, int, int]]:
    """Quoted stretches as ``(open_mark, content_start, content_end, close_mark_end)``.

    A paragraph that opens a quote without closing it continues in the next paragraph when
    that one opens with a quote mark (the newspaper convention for long quotes).
    """
    original = text
    text = _DOUBLE_SINGLE.sub(lambda m: ' "' if m.group(1) else '" ', text)
    out: list[tuple[int, int, int, int]] = []
    pos = 0
    paragraphs = text.split("\n")
    offsets = []
    for line in paragraphs:
        offsets.append(pos)
        pos += len(line) + 1
    pending: int | None = None  # open mark of a quote carried over from an earlier paragraph
    for line, base in zip(paragraphs, offsets, strict=True):
        marks = [m.start() for m in _MARK_RE.finditer(line)]
        i = 0
        if pending is not None:
            if marks and marks[0] == len(line) - len(line.lstrip()) and line[marks[0]] in _OPENERS:
                i = 1  # continuation mark
            elif line.strip():
                pending = None
        opened = pending
        while i < len(marks):
            j = marks[i]
            c = line[j]
            if opened is None:
                before = line[j - 1] if j else " "
                glued = before in ".,;:" and j + 1 < len(line) and line[j + 1].isupper()  # 'nuklir."Jadi'
                if c in _OPENERS and (before in " (\t[-—–" or j == 0 or glued) and j + 1 < len(line) \
                        and not line[j + 1].isspace():
                    opened = base + j
                elif c == "”" and j == len(line) - len(line.lstrip()):
                    opened = base + j  # a paragraph opened with the wrong mark: "” … they are so not like him"
            else:
                after = line[j + 1] if j + 1 < len(line) else " "
                before = line[j - 1] if j else " "
                wrong_way = c == "“" and before in ",.!?" and after.isspace()  # "It's unusual,“ said
                if (c in _CLOSERS or wrong_way) and (after.isspace() or after in ",.;:!?)—–-'\"”`") and not (
                        c == "\"" and before == " " and after not in " ,.;:!?"):
                    cs, ce = _strip(text, opened + 1, base + j, " \t\n")
                    if ce > cs:
                        out.append((opened, cs, ce, base + j + (2 if original[base + j] == "'" else 1)))
                    opened = None
            i += 1
        pending = opened if opened is not None else None
    return out


def _sentences(text: str, protected: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sentence ranges, never split inside a ``protected`` range (a direct quote)."""
    inside = bytearray(len(text) + 1)
    for a, b in protected:
        inside[a:b] = b"\x01" * (b - a)
    closes = {b for _a, b in protected}
    out = []
    start = 0
    for m in re.finditer(r"[.!?]+[\"”’`]?(?=\s+[\"“A-Z0-9(])|\n", text):
        end = m.end()
        if text[m.start()] != "\n":
            if inside[m.start()] and end not in closes:
                continue
            prev = re.search(r"([\w.]+)\.$", text[max(0, m.start() - 12): m.start() + 1])
            if prev and (prev.group(1).lower() in _ABBREV or len(prev.group(1)) == 1):
                continue
        elif inside[m.start()]:
            continue
        s, e = _strip(text, start, end if text[m.start()] != "\n" else m.start(), " \t\n")
        if e > s:
            out.append((s, e))
        start = end
    s, e = _strip(text, start, len(text), " \t\n")
    if e > s:
        out.append((s, e))
    return out


# --- speakers ----------------------------------------------------------------------------------


@functools.cache
def _dictionary() -> frozenset[str]:
    """Indonesian root words (shipped with PySastrawi), to tell "Surat kabar" from a name."""
    path = resources.files("Sastrawi").joinpath("Stemmer/data/kata-dasar.txt")
    return frozenset(path.read_text(encoding="utf-8").split())


_LOWER_WORD = re.compile(r"(?<![\w'’.-])[a-z](?:[a-z'’-]|\.(?=[a-z]))*(?![\w'’-])")
_INNER_CAP = re.compile(r"(?<=[^.!?\"“\n] )[A-ZÀ-Þ](?:[\w'’-]|\.(?=\w))*")


@functools.lru_cache(maxsize=4)
def _case_profile(text: str) -> tuple[frozenset[str], frozenset[str]]:
    """Words seen lowercase, and words seen capitalised inside a sentence, in ``text``."""
    lower = frozenset(_LOWER_WORD.findall(text))
    inner_cap = frozenset(w.lower() for w in _INNER_CAP.findall(text))
    return lower, inner_cap


def _sentence_initial_common(text: str, a: int, word: str) -> bool:
    """A capitalised word opening a sentence that the text shows to be a common word."""
    k = a - 1
    while k >= 0 and text[k] in " \t\"“(":
        k -= 1
    if k >= 0 and text[k] not in ".!?\n:":
        return False
    low = word.lower()
    lower, inner_cap = _case_profile(text)
    return low in lower or (low in _dictionary() and low not in inner_cap)


_CAP_WORD = r"[A-ZÀ-Þ](?:[\w'’-]|\.(?=\w))*"
#: Capitalised words joined by spaces, hyphens or name particles: where name chunks can be.
_CAP_RUN = re.compile(r"(?<![\w'’.-])" + _CAP_WORD + r"(?:(?:[ \t]+|[ \t]*-[ \t]*)(?:(?:"
                      + "|".join(sorted(_NAME_PARTICLES)) + r")[ \t]+)*" + _CAP_WORD + ")*")


def _name_chunks(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Runs of capitalised words (with name particles) between ``start`` and ``end``."""
    chunks: list[tuple[int, int]] = []
    for run in _CAP_RUN.finditer(text, start, end):
        chunks += _run_chunks(text, _words(text, run.start(), run.end()))
    return chunks


def _run_chunks(text: str, words: list[tuple[int, int, str]]) -> list[tuple[int, int]]:
    chunks: list[tuple[int, int]] = []
    cur: list[tuple[int, int, str]] = []
    words = [w for k, w in enumerate(words)
             if not (_is_cap(w[2]) and _sentence_initial_common(text, w[0], w[2])
                     and not (k + 1 < len(words) and _is_cap(words[k + 1][2])))]
    for k, (a, b, w) in enumerate(words):
        gap = text[cur[-1][1]:a] if cur else " "
        joinable = "\n" not in gap and gap.strip() in ("", "-")
        if _is_cap(w) and w.lower() not in _NOT_NAMES and joinable:
            cur.append((a, b, w))
            continue
        if cur and w.lower() in _NAME_PARTICLES and joinable and k + 1 < len(words) \
                and _is_cap(words[k + 1][2]):
            cur.append((a, b, w))
            continue
        if cur:
            chunks.append((cur[0][0], cur[-1][1]))
        cur = [(a, b, w)] if _is_cap(w) and w.lower() not in _NOT_NAMES else []
    if cur:
        chunks.append((cur[0][0], cur[-1][1]))
    return chunks


def _split_role(text: str, start: int, end: int) -> tuple[int, int, bool]:
    """The person's name inside a capitalised chunk: ``(start, end, is_person)``.

    Read from the right, the name is the run of words before a role, organisation or place
    word ("Direktur Sejong Institute Cheong Seong Chang" → "Cheong Seong Chang"). A chunk made
    only of such words is an organisation or place, returned whole.
    """
    words = _words(text, start, end)
    while words and words[-1][2].rstrip(".").lower() in _NOT_NAMES:
        words.pop()
    if not words:
        return start, end, False
    k = len(words)
    while k > 0 and words[k - 1][2].rstrip(".").lower() not in _ROLE_OR_ORG:
        k -= 1
    if k == len(words) or (k > 0 and words[k - 1][2].lower() in _ORG_WORDS and k == len(words) - 1
                           and words[0][2].lower() in _ORG_WORDS):
        return words[0][0], words[-1][1], False
    if 0 < k < len(words) - 2 and words[k - 1][2].lower() in _ORG_PREFIXES:
        k += 1  # "Bank Mandiri Andry Asmoro": the word after an organisation word is its name
    first = words[k][0]
    if len(words) - k > (3 if k else 4):  # after a role, a fourth word is usually the organisation
        first = words[-3 if k else -4][0]
    return first, words[-1][1], True


class _Resolver:
    """Turns speaker mentions into names, using the entity layer when there is one."""

    def __init__(self, text: str, entities: Sequence[Span]) -> None:
        self.text = text
        self.entities = sorted(entities, key=lambda s: s.start)
        self.named: list[tuple[int, int, str, bool]] = []  # (start, end, name, is_person)
        self._chunks: list[tuple[int, int]] | None = None
        #: Direct quotes' inner ranges: names inside them are not antecedents of "he" or "ia".
        self.quoted: list[tuple[int, int]] = []
        self._full_names: dict[str, str] | None = None
        self._every: list[tuple[int, int]] | None = None
        self._starts: list[int] = []

    def _all_chunks(self) -> list[tuple[int, int]]:
        if self._every is None:
            self._every = _name_chunks(self.text, 0, len(self.text))
            self._starts = [c[0] for c in self._every]
        return self._every

    def chunks_in(self, start: int, end: int) -> list[tuple[int, int]]:
        """Capitalised chunks of the text clipped to ``[start, end)`` (the text is chunked once)."""
        every = self._all_chunks()
        out = []
        for cs, ce in every[max(0, bisect.bisect_right(self._starts, start) - 1):]:
            if cs >= end:
                break
            if ce > start:
                s, e = _strip(self.text, max(cs, start), min(ce, end), " \t-")
                if e > s:
                    out.append((s, e))
        return out

    def chunks_before(self, before: int) -> list[tuple[int, int]]:
        """Capitalised chunks outside direct quotes ending before ``before``."""
        if self._chunks is None:
            quoted = self.quoted
            self._chunks = [c for c in self._all_chunks() if not any(a <= c[0] < b for a, b in quoted)]
        return [c for c in self._chunks if c[1] <= before]

    def _entity_in(self, start: int, end: int) -> Span | None:
        best = None
        for e in self.entities:
            if e.start >= end:
                break
            if e.end > start and e.label in ("PER", "ORG", "LOC", "GPE", "NORP"):
                if best is None or (e.label == "PER") > (best.label == "PER"):
                    best = e
        return best

    def _full_name(self, name: str) -> str:
        """A surname alone ("Campbell") becomes the full name mentioned earlier ("Kurt Campbell")."""
        if " " in name:
            return name
        for _s, _e, full, person in reversed(self.named):
            if person and full.split()[-1] == name:
                return full
        if self._full_names is None:
            self._full_names = {}
            for chunk_start, chunk_end in self.chunks_before(len(self.text)):
                s, e, person = _split_role(self.text, chunk_start, chunk_end)
                cand = self.text[s:e]
                opens = s == chunk_start and re.search(r"(?:^|[.!?\n])[\s\"“(]*$", self.text[max(0, s - 4):s])
                if person and " " in cand and not opens:  # "Menguatnya Rupiah" opening a sentence is no name
                    self._full_names.setdefault(cand.split()[-1], cand)
                    self._full_names.setdefault(cand.split()[0], cand)
        return self._full_names.get(name, name)

    def named_phrase(self, start: int, end: int) -> _Speaker | None:
        """A speaker from a phrase holding a name; None when it holds no capitalised name."""
        ent = self._entity_in(start, end)
        if ent is not None:
            name = ent.attrs.get("canonical") or self.text[ent.start:ent.end]
            kind = "person" if ent.label == "PER" else "name"
            return self._remember(_Speaker(ent.start, ent.end, name, kind, None, ent.attrs.get("entity_id")),
                                  ent.label == "PER")
        chunks = self.chunks_in(start, end)
        people = [(c, _split_role(self.text, *c)) for c in chunks]
        codes = [p for p in people if self.text[max(0, p[0][0] - 1):p[0][0]] == "("
                 and "-" in self.text[p[0][0]:p[0][1]]]
        ranked = [p for p in reversed(people) if p not in codes] + codes  # party codes: "Warren (D-MA)"
        for _chunk, (s, e, person) in ranked:
            if person:
                return self._remember(_Speaker(s, e, self._full_name(self.text[s:e]), "person"), True)
        if people:
            s, e, _ = people[0][1]
            return self._remember(_Speaker(s, e, self.text[s:e], "name"), False)
        return None

    def _remember(self, sp: _Speaker, person: bool) -> _Speaker:
        if sp.name:
            self.named.append((sp.start, sp.end, sp.name, person))
        return sp

    def back_reference(self, start: int, end: int, before: int, previous: _Quote | None,
                       noun: str = "") -> _Speaker:
        """Resolve "katanya", "ia", "he", "kementerian itu", "the ministry" to an earlier name."""
        if noun:
            pattern = re.compile(rf"\b{re.escape(noun)}\b", re.IGNORECASE)
            for chunk_start, chunk_end in reversed(self.chunks_before(before)):
                if pattern.search(self.text, chunk_start, chunk_end):
                    m = pattern.search(self.text, chunk_start, chunk_end)
                    assert m is not None
                    org_end = chunk_end
                    s = m.start()
                    return _Speaker(start, end, self.text[s:org_end].strip(), "pronoun", (s, org_end))
            return _Speaker(start, end, None, "nominal")
        if previous is not None and previous.speaker is not None and previous.speaker.name:
            ps = previous.speaker
            ref = ps.antecedent or (ps.start, ps.end)
            return _Speaker(start, end, ps.name, "pronoun", ref, ps.entity_id)
        for s, e, name, person in reversed(self.named):
            if person and e <= before:
                return _Speaker(start, end, name, "pronoun", (s, e))
        people = [(s, e) for s, e, person in (_split_role(self.text, *c) for c in self.chunks_before(before))
                  if person]
        full = [(s, e) for s, e in people if " " in self.text[s:e].strip()]
        if full or people:
            s, e = (full or people)[-1]
            return _Speaker(start, end, self._full_name(self.text[s:e]), "pronoun", (s, e))
        return _Speaker(start, end, None, "pronoun")


# --- the finder --------------------------------------------------------------------------------


class _Finder:
    def __init__(self, text: str, entities: Sequence[Span]) -> None:
        self.text = text
        self.res = _Resolver(text, entities)
        self.quotes: list[_Quote] = []
        self.inside: list[tuple[int, int]] = []

    def previous(self, before: int) -> _Quote | None:
        for q in reversed(self.quotes):
            if q.start < before:
                return q
        return None

    # speaker phrases ---------------------------------------------------------------------

    def speaker_after(self, start: int, end: int, before_quote: int) -> _Speaker | None:
        """The speaker phrase right after a post-content cue ("kata <juru bicara X>")."""
        text = self.text
        words = _words(text, start, end)
        if not words:
            return None
        stop = start
        for a, b, w in words:
            gap = text[stop:a].strip(" ")
            if gap and stop > start and not re.fullmatch(r"[()]+|\)?\s*\(?", gap):
                break  # punctuation other than a parenthesis ends the phrase
            if w.lower() in _ID_POST_SPEAKER_STOP | _EN_SPEAKER_STOP and stop > start:
                break
            stop = b
        if stop == start:
            return None
        phrase = text[start:stop]
        low = phrase.lower()
        if low.split()[0] in _ID_PRONOUNS | _EN_PRONOUNS:
            w0 = words[0]
            return self.res.back_reference(w0[0], w0[1], w0[0], self.previous(before_quote))
        m = re.match(r"(?i)(?:the\s+)?(\w+)\s+(?:itu|tersebut)\b|the\s+(\w+)$", phrase)
        if m and not _is_cap(phrase):
            noun = m.group(1) or m.group(2)
            return self.res.back_reference(start, start + m.end(), start, None, noun)
        appo = re.match(r",\s*((?:[A-Z][\w'’.-]*\s?){1,4})(?=[,.;]|\s*$|\s[a-z])", text[stop:end])
        if appo and any(w.lower() in _ROLE_WORDS for a, _b, w in words if a < stop):
            a_s, a_e, person = _split_role(text, stop + appo.start(1), stop + appo.end(1))
            if person:
                return self.res.named_phrase(a_s, a_e) or _Speaker(a_s, a_e, text[a_s:a_e], "person")
        sp = self.res.named_phrase(start, stop)
        first = words[0][2]
        if sp is not None and (_is_cap(first) or first.lower() in _ROLE_WORDS or sp.kind == "person"):
            return sp
        return _Speaker(start, stop, None, "nominal")

    def subject_before(self, sent_start: int, verb_start: int, before_quote: int,
                       participle: bool = False) -> _Speaker | None:
        """The subject of a clause ending at a speech verb ("<Kim Jong Un> mengatakan ...")."""
        text = self.text
        if sent_start == 0 or text[sent_start - 1] == "\n":
            dateline = _LEAD_DATELINE_RE.match(text, sent_start, verb_start)
            if dateline:
                sent_start = dateline.end()
        segments: list[tuple[int, int]] = []
        pos = sent_start
        for m in re.finditer(r",|\s(?:--?|[–—])\s", text[sent_start:verb_start]):
            segments.append((pos, sent_start + m.start()))
            pos = sent_start + m.end()
        segments.append((pos, verb_start))
        kept = []
        for k, (s, e) in enumerate(segments):
            s, e = _strip(text, s, e, " \t\n\"“”")
            words = _words(text, s, e)
            while words and words[0][2].lower() in _CONJUNCTIONS:
                words = words[1:]
            if k == len(segments) - 1:  # next to the verb: "when Clinton said ..." → Clinton
                while len(words) > 1 and words[0][2].lower() in _SUBORDINATORS:
                    words = words[1:]
                if len(words) > 2 and [w.lower() for _a, _b, w in words[:2]] == ["di", "mana"]:
                    words = words[2:]  # "..., di mana Ketua Jerome Powell menyatakan"
                while len(words) > 1 and words[0][2].lower() in _LEADING_ADVERBS and _is_cap(words[1][2]):
                    words = words[1:]  # "sebelumnya Menteri ESDM Bahlil Lahadalia memastikan"
            if not words:
                continue
            s = words[0][0]
            if words[0][2].lower() in _ID_ADJUNCT_START:
                continue
            kept.append((s, e, words))
        if not kept:
            return None
        if participle:  # "Sanders released a statement last week, insisting ...": the main clause's subject
            s, e, words = kept[0]
            lead = [c for c in self.res.chunks_in(s, e) if c[0] <= words[min(3, len(words) - 1)][0]]
            if words[0][2].lower() in _EN_PRONOUNS - _FIRST_PERSON:
                return self.res.back_reference(words[0][0], words[0][1], words[0][0], self.previous(before_quote))
            if lead:
                return self.res.named_phrase(*lead[0])
            return None
        s, e, words = kept[-1]
        if len(kept) > 1 and words[0][2].lower() not in _ID_PRONOUNS | _EN_PRONOUNS \
                and not _DETERMINER_RE.match(words[0][2] + " ") and not words[0][2][0].isdigit() \
                and not any(_is_cap(w) and w.lower() not in _NOT_NAMES for _a, _b, w in words):
            s, e, words = kept[-2]
        first = words[0][2].lower()
        if first in _ID_PRONOUNS | _EN_PRONOUNS:
            if first in _FIRST_PERSON:
                return _Speaker(words[0][0], words[0][1], None, "pronoun")
            return self.res.back_reference(words[0][0], words[0][1], words[0][0],
                                           self.previous(before_quote))
        for named in ([(s, e, words)] + ([kept[-2]] if len(kept) > 1 else [])):
            ns, ne, nwords = named
            end = ne
            for k, (a, _b, w) in enumerate(nwords):
                inside_name = w.lower() in ("dan", "serta", "and") and k + 1 < len(nwords) \
                    and _is_cap(nwords[k - 1][2]) and _is_cap(nwords[k + 1][2])
                if k and w.lower() in _ID_SUBJECT_STOP and not inside_name:  # "Energi dan Sumber Daya Mineral"
                    end = a
                    break
            if nwords[0][2].lower() in _ID_DETERMINERS - {"pihak"}:
                break
            definite = re.match(r"(?i)(?:the\s+)?(\w+)\s+(?:itu|tersebut)$", text[ns:end].strip())
            if definite and not _is_cap(text[ns:end].strip()):
                return self.res.back_reference(ns, end, ns, None, definite.group(1))
            sp = self.res.named_phrase(ns, end)
            if sp is not None:
                return sp
        en = re.search(r"(?i)\bthe\s+(ministry|department|campaign|company|agency|group|office)\s*$",
                       text[s:e])
        if en:
            return self.res.back_reference(s + en.start(), e, s, None, en.group(1))
        ws = _words(text, s, e)
        end = e
        for k, (a, _b, w) in enumerate(ws):
            if k and w.lower() in _ID_SUBJECT_STOP:
                end = a
                break
        if len(_words(text, s, end)) > 12:
            return None
        return _Speaker(s, end, None, "nominal")

    # patterns -----------------------------------------------------------------------------

    def add(self, q: _Quote) -> None:
        self.quotes.append(q)

    def post_cue(self, pos: int, end: int, direct: bool = False) -> tuple[str, int, int, _Speaker | None] | None:
        """A cue with its speaker right at ``pos``: "kata X", "katanya", "said X", "X said".

        After a direct quote any past-tense verb of a named or pronoun subject is taken as the
        cue ("“This is fantastic!” beamed Hartley", "“...,” Trump went on")."""
        text = self.text
        sp: _Speaker | None
        m = re.match(r"[\s,.;:]*", text[pos:end])
        at = pos + (m.end() if m else 0)
        m_id = _ID_POST_RE.match(text, at, end)
        if m_id:
            cue = m_id.group("cue")
            cs, ce = m_id.span("cue")
            if _NYA_RE.match(cue):
                sp = self.res.back_reference(ce - 3, ce, cs, self.previous(pos))
                return cue.lower(), cs, ce, sp
            if cue.lower() in _ID_POST_CUES:
                sp = self.speaker_after(ce + 1, end, pos)
                if sp is not None:
                    return cue.lower(), cs, ce, sp
            return None
        m_en = (_EN_INV_DIRECT_RE if direct else _EN_INV_RE).match(text, at, end)
        if m_en:
            nxt = _words(text, m_en.end(), min(end, m_en.end() + 40))[:1]
            gerund = bool(nxt) and nxt[0][2].islower() and nxt[0][2] not in _ROLE_WORDS \
                and not _DETERMINER_RE.match(nxt[0][2] + " ")
            sp = None if gerund else self.speaker_after(m_en.end() + 1, end, pos)
            if sp is not None and (sp.kind not in ("nominal", "pronoun") or _DETERMINER_RE.match(text, sp.start)) \
                    and not (direct and self._clause_follows(max(sp.end, m_en.end()), end, m_en.group("cue"))):
                return m_en.group("cue"), m_en.start(), m_en.end(), sp
        m_sv = (_EN_SV_DIRECT_RE if direct else _EN_SV_RE).match(text[at:end]) or (
            _EN_COMMON_SV_DIRECT_RE.match(text[at:end]) if direct else None)
        if m_sv and not (direct and self._clause_follows(at + m_sv.end(2), end, m_sv.group(2))):
            cs, ce = at + m_sv.start(2), at + m_sv.end(2)
            sp = self.subject_before(at, cs, pos)
            if sp is not None:
                return m_sv.group(2), cs, ce, sp
        m_ap = _EN_APPOSITION_SV_RE.match(text[at:end]) if direct else None
        if m_ap and not self._clause_follows(at + m_ap.end(3), end, m_ap.group(3)):
            ns, ne, person = _split_role(text, at + m_ap.start(1), at + m_ap.end(1))
            sp = self.res.named_phrase(ns, ne) if person else None
            if sp is not None:  # "“...,” Michael Briggs, a spokesman for Sanders, said"
                return m_ap.group(3), at + m_ap.start(3), at + m_ap.end(3), sp
        return None

    def _clause_follows(self, pos: int, end: int, cue: str) -> bool:
        """Whether a clause of its own follows a cue ("“...” Greene added that the Fed ..."): then
        the cue introduces new content rather than attributing the quote before it."""
        stop = re.compile(r"[.!?;]").search(self.text, pos, end)
        rest = self.text[pos:stop.start() if stop else end]
        if re.match(r"\s*(?:that|bahwa)\b", rest):
            return True
        if cue.lower() in ("told", "tells", "asked", "asks", "wrote") or re.match(r"\s*(?:who|which|whose)\b", rest):
            return False  # an object or a relative clause follows: "“...,” Obama told a town hall"
        words = _words(rest, 0, len(rest.split(",")[0]))
        return len(words) > 6 and words[0][2].islower() and not _REST_ADJUNCT_RE.match(rest)

    def pre_cue(self, sent_start: int, open_mark: int) -> tuple[str, int, int, _Speaker | None] | None:
        """A cue before a quote: "Peskov mengatakan: “...”", "He said, “...”"."""
        text = self.text
        sp: _Speaker | None
        head = text[sent_start:open_mark]
        m = re.search(r"\b({})\s*(?:bahwa|that)?\s*[:,]?\s*$".format("|".join(_ID_PRE_CUES + _EN_CUES)),
                      head, re.IGNORECASE) or re.search(
            r"\b({})\b[^\"“”.,]{{1,80}},\s*$".format("|".join(_ID_PRE_CUES + _EN_CUES)), head, re.IGNORECASE) \
            or _NAMING_RE.search(head)
        if not m:
            colon = re.search(r"((?:[A-Z][\w.'’-]*\s+){0,3}[A-Z][\w.'’-]*)\s*:\s*$", head)
            if colon is None:
                return None
            ns, ne, person = _split_role(text, sent_start + colon.start(1), sent_start + colon.end(1))
            if not person or colon.group(1).split()[0].lower() in _COLON_NOT_SPEAKERS:
                return None
            sp = self.res.named_phrase(ns, ne) or _Speaker(ns, ne, text[ns:ne], "person")
            return ":", sent_start + colon.end(1), sent_start + colon.end(1) + 1, sp
        cs, ce = sent_start + m.start(1), sent_start + m.end(1)
        sp = self.subject_before(sent_start, cs, open_mark, participle=m.group(1).lower().endswith("ing"))
        return m.group(1).lower(), cs, ce, sp

    def run(self) -> list[_Quote]:
        text = self.text
        direct = _find_direct(text)
        self.res.quoted = self.inside = [(b, c) for _a, b, c, _d in direct]
        sentences = _sentences(text, [(a, d) for a, _b, _c, d in direct])
        taken: list[tuple[int, int]] = []
        for s, e in sentences:
            uncued = [q for q in direct if s <= q[0] < e and not self._cued_direct(q, s, e, taken)]
            self._reported(s, e, taken, direct)
            for q in uncued:
                self._uncued_direct(q, s, taken)
        self.quotes.sort(key=lambda q: q.start)
        return self.quotes

    def _cued_direct(self, q: tuple[int, int, int, int], s: int, e: int,
                     taken: list[tuple[int, int]]) -> bool:
        """Emit a direct quote with a cue next to it ("“...,” kata X" / "X mengatakan: “...”")."""
        text = self.text
        open_mark, cs, ce, close_end = q
        limit = text.find("\n", close_end)
        cue = self.post_cue(close_end, len(text) if limit < 0 else limit, direct=True)
        if cue is None or cue[3] is None:
            cue = self.pre_cue(s, open_mark) or cue
        if cue is None or len(_words(text, cs, ce)) < 2:
            return False
        prev = self.quotes[-1] if self.quotes else None
        if prev is not None and prev.label == "direct" and cue[1] < cue[2] and prev.cue_start == cue[1]:
            prev.end = _strip(text, cs, ce, " \t\n,")[1]  # "“A,” Robinson said, “B”": one utterance
            taken.append((open_mark, close_end))
            return True
        self._direct(cs, ce, cue)
        taken.append((open_mark, close_end))
        return True

    def _uncued_direct(self, q: tuple[int, int, int, int], s: int, taken: list[tuple[int, int]]) -> None:
        """A quote with no cue beside it: a paragraph continuing the previous speaker's quote,
        or a quote inside a sentence whose subject spoke ("X menuduh Washington melakukan “...”")."""
        text = self.text
        open_mark, cs, ce, close_end = q
        if self._overlaps(open_mark, close_end, taken):
            return
        words = len(_words(text, cs, ce))
        whole_para = (open_mark == 0 or text[open_mark - 1] == "\n") and (
            close_end >= len(text) or text[close_end:].split("\n", 1)[0].strip(" .") == "")
        prev = self.previous(open_mark)
        between = text[prev.end:open_mark] if prev is not None else "\n\n"
        if prev is not None and prev.label == "direct" and "\n" not in between \
                and len(_words(between, 0, len(between))) <= 60:
            prev.end = ce  # "“A,” Canova said. “B.”": one utterance
            taken.append((open_mark, close_end))
            return
        if whole_para:
            if prev is not None and prev.speaker is not None and words >= 4 and (
                    prev.label == "direct" or between.count("\n") == 1):
                self._direct(cs, ce, ("", open_mark, open_mark,
                                      self.res.back_reference(open_mark, open_mark, open_mark, prev)))
                taken.append((open_mark, close_end))
            return
        if words < 3:
            return
        verbs = [m for rx in (_ID_PRE_RE, _EN_PRE_RE, _STATEMENT_RE) for m in rx.finditer(text, s, open_mark)]
        if not verbs:
            return
        m = max(verbs, key=lambda m: m.start())
        sp = self.subject_before(s, m.start("cue"), open_mark)
        if sp is None or sp.name is None:
            return
        self._direct(cs, ce, (m.group("cue").lower(), m.start("cue"), m.end("cue"), sp))
        taken.append((open_mark, close_end))

    def _direct(self, cs: int, ce: int, cue: tuple[str, int, int, _Speaker | None]) -> None:
        cs, ce = _strip(self.text, cs, ce, " \t\n,")
        self.add(_Quote(cs, ce, "direct", cue[0], cue[1], cue[2], cue[3]))

    def _quoted(self, pos: int) -> bool:
        """Whether ``pos`` lies inside a direct quote (a cue there belongs to the quote)."""
        return any(a <= pos < b for a, b in self.inside)

    def _overlaps(self, s: int, e: int, taken: Sequence[tuple[int, int]]) -> bool:
        return any(a < e and s < b for a, b in taken)

    def _reported(self, s: int, e: int, taken: list[tuple[int, int]],
                  direct: Sequence[tuple[int, int, int, int]]) -> None:
        """At most one reported-speech quote per sentence, tried from the most to the least
        reliable pattern."""
        text = self.text
        if self._overlaps(s, e, taken):
            inner = [(a, b) for a, b in taken if s <= a and b <= e]
            covered = sum(b - a for a, b in inner)
            if covered * 2 > (e - s) or len(inner) != len([1 for a, b in taken if a < e and s < b]):
                return
        if _FURNITURE_RE.match(text, s, e):
            return  # "Baca juga: ..." links left in raw text are headlines, not reports
        end = e
        while end > s and text[end - 1] in ".!? \t":
            end -= 1
        for attempt in (self._colon_line, self._asked, self._menurut_first, self._post_cue_clause, self._verb_clause,
                        self._passive, self._menurut_last):
            if attempt(s, end, taken, direct):
                return

    def _colon_line(self, s: int, end: int, taken: list[tuple[int, int]],
                    direct: Sequence[tuple[int, int, int, int]]) -> bool:
        """"Clinton: CONTENT" at the start of a paragraph (interviews, transcripts, headlines)."""
        text = self.text
        if s and text[s - 1] != "\n":
            return False
        m = _COLON_LINE_RE.match(text, s, end)
        if m is None or m.group(1).split()[0].lower() in _COLON_NOT_SPEAKERS:
            return False
        ns, ne, person = _split_role(text, m.start(1), m.end(1))
        para_end = text.find("\n", s)
        para_end = len(text) if para_end < 0 else para_end
        if not person or len(_words(text, m.end(), para_end)) < 4:
            return False
        sp = self.res.named_phrase(ns, ne) or _Speaker(ns, ne, text[ns:ne], "person")
        return self._emit(m.end(), para_end, ":", m.end(1), m.end(1) + 1, sp, taken, direct)

    def _asked(self, s: int, end: int, taken: list[tuple[int, int]],
               direct: Sequence[tuple[int, int, int, int]]) -> bool:
        """"Asked whether CONTENT, X said ...": the question put to the speaker, by an unnamed asker."""
        m = _ASKED_RE.match(self.text, s, end)
        if m is None or self._overlaps(m.start("content"), m.end("content"), taken):
            return False
        sp = _Speaker(m.start(), m.start(), None, "nominal")
        return self._emit(m.start("content"), m.end("content"), "asked", m.start("cue"), m.end("cue"), sp,
                          taken, direct)

    def _passive(self, s: int, end: int, taken: list[tuple[int, int]],
                 direct: Sequence[tuple[int, int, int, int]]) -> bool:
        """"Disebutkan SPA dalam laporannya bahwa CONTENT" / "El dan Dul dikatakan Ahmad Dhani juga meniru ...":
        a passive verb of saying with its named agent."""
        text = self.text
        m = _ID_PASSIVE_RE.search(text, s, end)
        if m is None or self._quoted(m.start()) or m.start() in {q.cue_start for q in self.quotes}:
            return False
        sp = self.speaker_after(m.end() + 1, end, m.start())
        if sp is None or sp.name is None:
            return False
        that = re.compile(r"\bbahwa\b").search(text, sp.end, end)
        cstart = that.end() if that else s
        return self._emit(cstart, end, m.group("cue").lower(), m.start("cue"), m.end("cue"), sp, taken, direct)

    def _menurut_first(self, s: int, end: int, taken: list[tuple[int, int]],
                       direct: Sequence[tuple[int, int, int, int]]) -> bool:
        """"Menurut X, CONTENT" / "..., namun menurut X, CONTENT" / "According to X, CONTENT"."""
        sent = self.text[s:end]
        m = re.match(r"(?:\s*(?:[A-Z]\w*\s+){0,2}?"
                     r"|.*?,\s+(?:namun|tetapi|tapi|sementara|di\s?mana|but|and|where|while)\s+)"
                     r"([Mm]enurut(?:nya)?|[Aa]ccording to|Kata)\b\s*([^,]*?),\s+(.+)$", sent)
        if not m:
            # "A, menurut dia, B": the whole sentence is the content
            m = re.match(r"(.+?),\s+(menurut(?:nya)?|according to)\s*([^,]{0,60}?),\s+(.+)$", sent)
            if m is None or len(m.group(4).split()) < 2:
                return False
            cue_s, cue_e = s + m.start(2), s + m.end(2)
            sp = self._menurut_speaker(m.group(2), s + m.start(3), s + m.end(3), cue_s, cue_e)
            return sp is not None and self._emit(s, end, m.group(2), cue_s, cue_e, sp, taken, direct)
        if len(m.group(3).split()) < 3:
            return False
        cue_s, cue_e = s + m.start(1), s + m.end(1)
        sp = self._menurut_speaker(m.group(1), s + m.start(2), s + m.end(2), cue_s, cue_e)
        if sp is None:
            return False
        return self._emit(s + m.start(3), end, m.group(1), cue_s, cue_e, sp, taken, direct)

    def _menurut_last(self, s: int, end: int, taken: list[tuple[int, int]],
                      direct: Sequence[tuple[int, int, int, int]]) -> bool:
        """"CONTENT, menurut X" / "CONTENT, according to X"."""
        sent = self.text[s:end]
        m = re.search(r",?\s+([Mm]enurut(?:nya)?|according to)\b\s*([^,]*)"
                      r"(?:,\s*((?:[A-Z][\w'’.-]*\s?){1,4})(?=,|$))?"
                      r"(?:,\s*(?:who|which|yang|a|an|the|seorang|salah|as|sebagai|in|dalam|di)\b.*)?$", sent)
        if not m or len(sent[: m.start()].split()) < 3:
            return False
        cue_s, cue_e = s + m.start(1), s + m.end(1)
        sp = self._menurut_speaker(m.group(1), s + m.start(2), s + m.end(2), cue_s, cue_e)
        if m.group(3) and sp is not None and sp.name is None:  # "menurut laporan firma analitik, Elliptic"
            sp = self.res.named_phrase(s + m.start(3), s + m.end(3)) or sp
        cstart = self._content_start(s, s + m.start(), taken)
        if sp is None or cstart is None:
            return False
        return self._emit(cstart, s + m.start(), m.group(1), cue_s, cue_e, sp, taken, direct)

    def _post_cue_clause(self, s: int, end: int, taken: list[tuple[int, int]],
                         direct: Sequence[tuple[int, int, int, int]]) -> bool:
        """"CONTENT, kata X" / "A, katanya, B" / "CONTENT, X said" / "CONTENT, said X"."""
        text = self.text
        sent = text[s:end]
        for m in re.finditer(r",\s+", sent):
            if len(sent[: m.start()].split()) < 2 or self._overlaps(s + m.start(), s + m.end(), taken) \
                    or self._quoted(s + m.start()):
                continue
            if re.match(r"(?:and|but|or|so|yet|dan|tetapi|tapi|namun|atau)\b", text[s + m.end():end], re.I):
                continue  # ", but she said ...": a new clause, not an attribution of what came before
            cue = self.post_cue(s + m.end(), end)
            if cue is None:
                continue
            cue_name, cue_s, cue_e, sp = cue
            if sp is None:
                continue
            if sp.kind == "nominal" and not sp.name and (sp.end - sp.start) > 80:
                continue
            rest = text[max(cue_e, sp.end):end]
            mid = re.match(r"\s*,\s+(.+)$", rest)
            cstart = self._content_start(s, s + m.start(), taken, 2 if mid else 3)
            if cstart is None or text[cstart:s + m.start()].split()[0].lower() in _EN_LEAD_ADJUNCTS:
                continue
            rest_words = _words(rest, 0, len(rest))
            if mid is None and rest_words and rest_words[0][2].lower() in _EN_AUX:
                continue  # "..., says Libya is the biggest trouble": the cue starts the content
            if mid is None and len(rest_words) >= 3 and rest_words[0][2].lower() in _CLAUSE_OPENERS:
                continue  # "..., while 22 percent said they might change their mind"
            if mid is None and len(rest_words) > 6 and not _REST_ADJUNCT_RE.match(rest):
                continue  # "In an interview, Trump says he ...": the cue starts the content
            cend = end if mid and len(mid.group(1).split()) >= 2 else s + m.start()
            return self._emit(cstart, cend, cue_name, cue_s, cue_e, sp, taken, direct)
        return False

    def _verb_clause(self, s: int, end: int, taken: list[tuple[int, int]],
                     direct: Sequence[tuple[int, int, int, int]]) -> bool:
        """"X mengatakan (bahwa) CONTENT" / "X said (that) CONTENT", and the inverted
        "CONTENT, X memperingatkan pada hari Jumat"."""
        text = self.text
        for rx in (_ID_PRE_RE, _EN_PRE_RE, _EN_THAT_RE):
            used = {q.cue_start for q in self.quotes if q.cue}
            for m in rx.finditer(text, s, end):
                cue_s, cue_e = m.span("cue")
                if re.search(r"[,.!?]\s*[\"”']+\s*$", text[max(s, cue_s - 5):cue_s]):
                    continue  # '“...,” said X': the cue of the quote before it, not a report of its own
                if cue_s in used or self._quoted(cue_s) or text[max(s, cue_s - 8):cue_s].lower().split()[-1:] in (
                        [w] for w in _NOT_A_REPORT_BEFORE):
                    continue
                relative = re.search(r"(?:,\s*)?\b(yang|who)\s+(?:(?:also|has|have|had|juga|telah|sudah)\s+)*$",
                                     text[max(s, cue_s - 20):cue_s])
                if text[max(s, cue_s - 6):cue_s].lower().strip().split()[-1:] == ["which"]:
                    continue
                after = text[cue_e:end]
                if rx is _EN_PRE_RE and m.group("cue") in ("told", "tells"):
                    body = re.match(r"\s+(?:the\s+)?\S+(?:\s+[A-Z]\w+)*(?:(?:[^,.;:\"“]{0,40}?\s)?that\b)?\s*",
                                    after)
                elif re.match(r"\s*(?:kepada|to)\b", after):
                    body = (re.match(r"\s*(?:kepada|to)\s+.*?\b(?:bahwa|that)\b\s*", after)
                            or re.match(r"\s*(?:kepada|to)\s+[^,]*?,\s*", after))
                else:
                    body = re.match(r"\s*(?:[^,.;:\"“]{0,40}?\s)?(?:bahwa|that)\b\s*|\s*[:,]?\s*", after)
                if body is None:
                    continue
                sp: _Speaker | None
                if relative:
                    rel_s = max(s, cue_s - 20) + relative.start()
                    head = self.subject_before(s, rel_s, cue_s)
                    if head is None or head.name is None:
                        continue
                    who = max(s, cue_s - 20) + relative.start(1)
                    sp = _Speaker(who, who + len(relative.group(1)), head.name, "pronoun",
                                  head.antecedent or (head.start, head.end))
                elif re.fullmatch(r"[\s,]*(?:and|but|dan|serta|namun)?[\s,]*", text[s:cue_s]) and self.quotes:
                    sp = self.res.back_reference(cue_s, cue_s, cue_s, self.quotes[-1])  # "..., and said B"
                else:
                    sp = self.subject_before(s, cue_s, cue_s, participle=m.group("cue").endswith("ing"))
                if sp is None or (sp.kind == "nominal" and rx is not _ID_PRE_RE and (sp.end - sp.start) > 60):
                    continue
                cstart = cue_e + body.end()
                first = _words(text, cstart, min(end, cstart + 20))[:1]
                if first and first[0][2].lower() in _PREPOSITIONS:
                    if len(_words(text, cstart, end)) <= 10 or first[0][2].lower() in ("to", "into", "for", "of"):
                        continue  # "joked with reporters after a town hall": no content
                    lead = re.match(r"[^,]{0,40},\s*", text[cstart:end])
                    cstart += lead.end() if lead else 0
                if body.end() <= 1 and _NOUN_OBJECT_RE.match(text, cstart, end):
                    continue  # "menyampaikan keprihatinan atas ...": a noun, not a statement
                if len(_words(text, cstart, end)) < 3 or _ADJUNCT_AFTER_VERB.match(text, cstart, end):
                    comma = text.rfind(",", s, sp.start)
                    if comma < 0 or len(_words(text, s, comma)) < 3:
                        continue
                    return self._emit(self._content_start(s, comma, taken) or s, comma,
                                      m.group("cue").lower(), cue_s, cue_e, sp, taken, direct)
                cut = _NEXT_CUE_RE.search(text, cstart, end)
                if cut and not self._quoted(cut.start()) and len(_words(text, cstart, cut.start())) >= 3:
                    # "X said A, and said B" / "..., adding that B": B is a quote of its own
                    done = self._emit(cstart, cut.start(), m.group("cue").lower(), cue_s, cue_e, sp, taken, direct)
                    self._reported(cut.start(), end, taken, direct)
                    return done
                return self._emit(cstart, end, m.group("cue").lower(), cue_s, cue_e, sp, taken, direct)
        return False

    def _content_start(self, s: int, limit: int, taken: Sequence[tuple[int, int]], min_words: int = 3) -> int | None:
        start = s
        for a, b in taken:
            if s <= a < limit and b <= limit:
                start = max(start, b)
        start, _ = _strip(self.text, start, limit, " \t\n,.;:")
        return start if len(_words(self.text, start, limit)) >= min_words else None

    def _menurut_speaker(self, cue: str, s: int, e: int, cue_s: int, cue_e: int) -> _Speaker | None:
        if cue.lower().endswith("nya"):
            return self.res.back_reference(cue_e - 3, cue_e, cue_s, self.previous(cue_s))
        if not self.text[s:e].strip() or len(_words(self.text, s, e)) > 16:
            return None
        return self.speaker_after(s, e, cue_s) or _Speaker(s, e, None, "nominal")

    def _emit(self, cs: int, ce: int, cue: str, cue_s: int, cue_e: int, sp: _Speaker,
              taken: list[tuple[int, int]], direct: Sequence[tuple[int, int, int, int]]) -> bool:
        if cs >= cue_e:
            cut = _CONTENT_END_RE.search(self.text, cs, ce)
            if cut and not self._overlaps(cut.start(), cut.end(), taken):
                ce = cut.start()
        cs, ce = _strip(self.text, cs, ce, " \t\n,;:")
        dateline = _DATELINE_RE.match(self.text, cs, ce)
        if dateline:
            cs = dateline.end()
        if ce <= cs:
            return False
        label = "reported"
        for open_mark, qs, qe, close_end in direct:
            if abs(open_mark - cs) <= 1 and close_end >= ce - 1:
                label, cs, ce = "direct", qs, qe
                cs, ce = _strip(self.text, cs, ce, " \t\n,")
        self.add(_Quote(cs, ce, label, cue, cue_s, cue_e, sp))
        taken.append((cs, ce))
        return True


def find_quotes(text: str, entities: Sequence[Span] = ()) -> list[Span]:
    """Every quote in ``text`` as a ``quote`` span; ``entities`` is the article's entity layer."""
    out = []
    for q in _Finder(text, entities).run():
        sp = q.speaker
        attrs = {
            "speaker": sp.name if sp else None,
            "speaker_start": sp.start if sp else None,
            "speaker_end": sp.end if sp else None,
            "speaker_entity_id": sp.entity_id if sp else None,
            "cue": q.cue,
            "cue_start": q.cue_start,
            "cue_end": q.cue_end,
            "content_start": q.start,
            "content_end": q.end,
        }
        if sp is not None and sp.antecedent is not None:
            attrs["antecedent_start"], attrs["antecedent_end"] = sp.antecedent
        out.append(Span(q.start, q.end, q.label, layer="quote", attrs=attrs))
    return out


@stage("quotes", requires=["text"], assigns=["quote"])
def quotes(article: Article) -> Article:
    """Assign the ``quote`` layer: direct and reported speech with resolved speakers."""
    article.set_layer("quote", find_quotes(article.text, article.layer("entity")))
    return article
