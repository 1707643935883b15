"""How warm or cross a customer's chat message sounds, in English, Spanish and Italian.

``score`` returns a number from -1 (furious) to 1 (delighted), 0 for a message with no
feeling in it ("how much is the XPS 13?"). It is a small VADER-like reader: weighted word
lists chosen for shop chat (broken, late, still waiting, thanks, perfect), negation that turns
the next three words round ("not good", "no funciona", "non è male" reads mildly positive),
intensifiers ("very", "muy", "molto"), ALL-CAPS words and "!" for emphasis, and a few emoji.
Emoji and "!" are read from the raw text; words are compared accent- and case-folded.

No PyPI library fits: VADER and TextBlob read English only, vader-multi translates through an
online service, and polyglot downloads its lexicons at run time.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cache

from journeys.text import fold

# Weights -3..3 by word or phrase, longest phrase first; 0 keeps a phrase from reading as the
# listed word inside it ("por la tarde" is the afternoon, not "late").
_WORDS: dict[str, dict[int, tuple[str, ...]]] = {
    "en": {
        3: ("love", "loved", "loving", "perfect", "perfectly", "excellent", "amazing", "awesome",
            "fantastic", "outstanding", "superb", "brilliant", "wonderful", "flawless",
            "delighted", "thrilled", "incredible", "exceptional", "gorgeous", "stunning",
            "fabulous", "adore", "can t wait"),
        2: ("great", "good", "happy", "glad", "nice", "recommend", "recommended", "fast", "quick",
            "quickly", "helpful", "satisfied", "pleased", "beautiful", "impressed", "lovely",
            "cool", "reliable", "efficient", "friendly", "smooth", "easy", "solved", "resolved",
            "thanks", "thank", "thx", "appreciate", "appreciated", "enjoy", "enjoyed", "liked",
            "wow", "yay", "grateful", "bargain", "punctual", "fixed"),
        1: ("works", "working", "decent", "fine", "worth it", "polite", "professional", "prompt",
            "fair", "affordable", "comfortable", "solid", "sturdy", "on time", "as described",
            "well packed", "useful", "best ever"),
        0: ("no thanks", "no thank you"),
        -1: ("waiting", "expensive", "cancel", "error", "confusing", "complicated", "worried",
             "concerned", "sorry", "unfortunately", "meh", "noisy", "stuck", "ugh", "issue",
             "slowly", "difficult"),
        -2: ("bad", "broken", "damaged", "defective", "faulty", "late", "delayed", "lost",
             "missing", "wrong", "poor", "poorly", "disappointed", "disappointing", "angry",
             "upset", "annoyed", "frustrated", "frustrating", "slow", "rude", "unhelpful",
             "problem", "problems", "issues", "complaint", "cracked", "scratched", "stolen",
             "sad", "unhappy", "worse", "overpriced", "mistake", "failed", "fail", "mediocre",
             "ugly", "dirty", "dead", "ignored", "overheating", "crashes", "leaking", "waste",
             "misleading", "lied", "wtf", "never arrived", "still waiting", "stopped working",
             "t work", "not work", "money back"),
        -3: ("terrible", "awful", "horrible", "worst", "useless", "disgusting", "unacceptable",
             "scam", "fraud", "hate", "hated", "pathetic", "garbage", "rubbish", "trash",
             "furious", "disaster", "nightmare", "ridiculous", "outrageous", "ripoff", "ripped",
             "appalling", "atrocious", "fake", "counterfeit", "incompetent", "cheated", "sucks",
             "crap", "never again"),
    },
    "es": {
        3: ("excelente", "perfecto", "perfecta", "perfectamente", "genial", "increible",
            "maravilloso", "maravillosa", "maravilla", "fantastico", "fantastica", "encanta",
            "encanto", "encantado", "encantada", "espectacular", "estupendo", "estupenda",
            "buenisimo", "buenisima", "magnifico", "impecable", "adoro", "de diez", "lo mejor"),
        2: ("bueno", "buena", "buenos", "bien", "gracias", "agradecido", "agradecida", "contento",
            "contenta", "feliz", "satisfecho", "satisfecha", "rapido", "rapida", "rapidisimo",
            "recomiendo", "recomendable", "recomendado", "amable", "amables", "util", "facil",
            "bonito", "bonita", "precioso", "preciosa", "chulo", "guay", "gusta",
            "solucionado", "resuelto", "eficiente", "puntual", "ganga", "de lujo", "agradable",
            "felicidades", "encantador", "atentos"),
        1: ("funciona", "funcionan", "gusto", "comodo", "comoda", "atento", "atenta",
            "profesional", "a tiempo", "barato", "economico", "vale la pena",
            "bien embalado"),
        0: ("no gracias", "por la tarde", "esta tarde", "de la tarde", "a la tarde",
            "buenas tardes"),
        -1: ("esperando", "caro", "cancelar", "error", "preocupado", "preocupada",
             "lamentablemente", "desgraciadamente", "complicado", "dificil", "lento",
             "lenta"),
        -2: ("malo", "mala", "malos", "mal", "roto", "rota", "rotos", "danado", "danada",
             "defectuoso", "defectuosa", "tarde", "retraso", "retrasado", "retrasada", "perdido",
             "perdida", "equivocado", "equivocada", "decepcionado", "decepcionada",
             "decepcionante", "decepcion", "enfadado", "enfadada", "enojado", "enojada",
             "molesto", "molesta", "frustrado", "frustrada", "problema", "problemas", "queja",
             "reclamacion", "rayado", "rayada", "carisimo", "triste", "fallo", "falla", "averiado",
             "sucio", "feo", "fea", "mentira", "grosero", "maleducado", "mediocre", "cutre",
             "peor", "no funciona", "no ha llegado", "no llego", "sigo esperando"),
        -3: ("pesimo", "pesima", "horrible", "terrible", "fatal", "desastre", "malisimo",
             "malisima", "estafa", "asco", "odio", "inaceptable", "verguenza", "indignado",
             "indignada", "inutil", "basura", "timo", "lamentable", "engano", "robo",
             "incompetente", "nefasto", "penoso", "lo peor", "nunca mas"),
    },
    "it": {
        3: ("ottimo", "ottima", "ottimamente", "perfetto", "perfetta", "perfettamente",
            "eccellente", "fantastico", "fantastica", "stupendo", "stupenda", "meraviglioso",
            "meravigliosa", "splendido", "splendida", "favoloso", "benissimo", "adoro",
            "impeccabile", "incredibile", "strepitoso", "eccezionale", "spettacolare",
            "magnifico", "entusiasta", "velocissimo", "velocissima", "gentilissimo",
            "gentilissimi", "consigliatissimo", "complimenti", "il migliore"),
        2: ("buono", "buona", "bene", "bravo", "bravi", "brava", "grazie", "contento", "contenta",
            "contenti", "felice", "soddisfatto", "soddisfatta", "veloce", "rapido", "rapida",
            "consigliato", "gentile", "gentili", "utile", "facile", "bello", "bella", "belli",
            "carino", "carina", "piace", "amo", "risolto", "puntuale", "top", "affare",
            "piacevole", "ringrazio", "efficiente", "cortese"),
        1: ("funziona", "funzionano", "comodo", "comoda", "professionale", "in tempo",
            "economico", "conveniente", "ne vale la pena", "ben imballato"),
        0: ("bene o male", "piu tardi"),
        -1: ("aspettando", "costoso", "annullare", "errore", "preoccupato", "preoccupata",
             "purtroppo", "tardi", "complicato", "difficile",
             "lento", "lenta"),
        -2: ("male", "brutto", "brutta", "rotto", "rotta", "rotti", "danneggiato", "danneggiata",
             "difettoso", "difettosa", "ritardo", "ritardi", "perso", "persa", "smarrito",
             "mancante", "sbagliato", "sbagliata", "deluso", "delusa", "deludente", "delusione",
             "arrabbiato", "arrabbiata", "infastidito", "frustrato", "frustrata", "problema",
             "problemi", "reclamo", "graffiato", "graffiata", "carissimo", "triste", "guasto",
             "sporco", "bugia", "maleducato", "scortese", "mediocre", "scadente", "scarso",
             "peggio", "ridicolo", "non funziona", "non e arrivato", "non e ancora arrivato",
             "non arriva", "mai arrivato", "ancora in attesa", "aspetto ancora"),
        -3: ("pessimo", "pessima", "pessimi", "terribile", "orribile", "schifo", "vergogna",
             "vergognoso", "truffa", "inaccettabile", "disastro", "disastroso", "odio",
             "inutile", "indecente", "peggiore", "scandaloso", "penoso", "squallido",
             "incompetenti", "incompetente", "falso", "lentissimo", "mai piu"),
    },
}  # fmt: skip
# "don't" folds to "don t", so a lone "t" is the English negation.
_NEGATORS = {
    "en": ("not", "no", "never", "t", "cannot", "dont", "doesnt", "didnt", "isnt", "wasnt",
           "cant", "wont", "nothing", "none", "nobody", "neither", "nor", "without", "hardly"),
    "es": ("no", "nunca", "jamas", "nada", "ni", "sin", "tampoco", "nadie", "ningun", "ninguno",
           "ninguna"),
    "it": ("non", "mai", "niente", "nulla", "senza", "nessun", "nessuno", "nessuna", "neanche",
           "nemmeno", "neppure"),
}  # fmt: skip
_BOOSTERS = {
    "en": ("very", "really", "so", "extremely", "super", "totally", "absolutely", "incredibly",
           "truly", "completely", "highly", "too", "such"),
    "es": ("muy", "tan", "super", "realmente", "demasiado", "totalmente", "absolutamente",
           "sumamente", "extremadamente", "mucho", "muchisimo", "muchas", "tanto"),
    "it": ("molto", "tanto", "davvero", "super", "veramente", "troppo", "proprio",
           "assolutamente", "estremamente", "totalmente", "cosi", "tantissimo", "parecchio"),
}  # fmt: skip
# A contrast starts afresh: "not cheap but great" does not turn "great" round.
_CONTRAST = frozenset({"but", "however", "though", "pero", "sino", "aunque", "ma", "tuttavia"})
_EMOJI = {"😀": 2, "😃": 2, "😁": 2, "😊": 2, "🙂": 1, "👍": 2, "❤": 3, "😍": 3, "🥰": 3,
          "😡": -3, "😠": -2, "🤬": -3, "👎": -2, "😞": -2, "😢": -2, "😭": -2, "💔": -2,
          ":)": 1, ":-)": 1, ":(": -1, ":-(": -1}  # fmt: skip
_CLAUSE = re.compile(r"[.,;:!?¡¿()\n]+")
_NEGATION_REACH = 3  # words after a negator that it turns round
_BOOSTER_REACH = 2  # words after an intensifier that it strengthens
_NEGATION = -0.74  # VADER's factor: "not good" is bad, but less than "bad"
_BOOST = 0.293
_CAPS = 0.733
_BANG = 0.292
_MAX_BANGS = 4
_ALPHA = 15.0


@dataclass(frozen=True, slots=True)
class _Lexicon:
    valences: dict[str, float]
    negators: frozenset[str]
    boosters: frozenset[str]
    longest: int


@cache
def _lexicon(language: str) -> _Lexicon:
    """The word lists of ``language`` (English for a language not listed)."""
    lang = language if language in _WORDS else "en"
    valences = {w: float(weight) for weight, ws in _WORDS[lang].items() for w in ws}
    longest = max(len(w.split()) for w in valences)
    return _Lexicon(valences, frozenset(_NEGATORS[lang]), frozenset(_BOOSTERS[lang]), longest)


def score(text: str, language: str) -> float:
    """How positive ``text`` sounds, from -1.0 to 1.0; 0.0 when it says nothing either way.

    ``language`` is "en", "es" or "it"; any other reads as English. The raw sum is squashed
    with VADER's ``x / sqrt(x² + 15)`` so that a long rant does not leave the range.
    """
    lexicon = _lexicon(language.lower()[:2])
    total = sum(_clause_valence(clause, lexicon) for clause in _CLAUSE.split(text))
    total += sum(value * text.count(emoji) for emoji, value in _EMOJI.items())
    if total:
        total += math.copysign(min(text.count("!"), _MAX_BANGS) * _BANG, total)
    return total / math.sqrt(total * total + _ALPHA)


def _tokens(clause: str) -> tuple[list[str], list[bool]]:
    """Folded words of ``clause`` and, for each, whether it was typed in capitals."""
    words: list[str] = []
    shouted: list[bool] = []
    for raw in clause.split():
        letters = [c for c in raw if c.isalpha()]
        caps = len(letters) >= 3 and all(c.isupper() for c in letters)
        for word in fold(raw).split():
            words.append(word)
            shouted.append(caps)
    return words, shouted


def _clause_valence(clause: str, lexicon: _Lexicon) -> float:
    """The summed valence of one clause: negation does not reach past its punctuation."""
    words, shouted = _tokens(clause)
    total = 0.0
    negated_until = boosted_until = -1
    boosts = 0
    i = 0
    while i < len(words):
        size, valence = _match(words, i, lexicon)
        last = i + size - 1
        if valence:
            if i <= boosted_until:
                valence += math.copysign(boosts * _BOOST, valence)
            if any(shouted[i : last + 1]):
                valence += math.copysign(_CAPS, valence)
            # A phrase that starts with its own negation ("no funciona") is not turned again.
            if i <= negated_until and words[i] not in lexicon.negators:
                valence *= _NEGATION
            total += valence
            boosts = 0
        if words[i] in lexicon.negators and (valence or size == 1):
            negated_until = last + _NEGATION_REACH
        elif words[i] in lexicon.boosters:
            boosts = boosts + 1 if i <= boosted_until else 1
            boosted_until = i + _BOOSTER_REACH
        elif words[i] in _CONTRAST:
            negated_until = boosted_until = -1
        i = last + 1
    return total


def _match(words: list[str], start: int, lexicon: _Lexicon) -> tuple[int, float]:
    """(length, valence) of the longest listed phrase at ``start``; (1, 0.0) when none."""
    for size in range(min(lexicon.longest, len(words) - start), 0, -1):
        valence = lexicon.valences.get(" ".join(words[start : start + size]))
        if valence is not None:
            return size, valence
    return 1, 0.0
