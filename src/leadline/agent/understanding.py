"""Reading a lead's message: what they need, what they answer, what they ask, how they feel.

Everything here is a pure function of the text (plus today's date and the company's brand
list): no database, no clock, no network. The rules brain decides what to do with the result.
Patterns are written for the way people really text: lowercase, typos, no punctuation,
several things in one message, a little Spanish.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from leadline.kit.places import lookup_zip


def normalize(text: str) -> str:
    """Lowercase, straight quotes, no accents, single spaces: the form every pattern reads."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"')
    text = text.replace("\u201d", '"').replace("\u2013", "-").replace("\u2014", "-")
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"\s+", " ", plain.lower()).strip()


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _any(pattern: re.Pattern[str], text: str) -> bool:
    return pattern.search(text) is not None


# --- Opt-out, wrong number -----------------------------------------------------------------

_OPT_OUT_KEYWORD = _rx(
    r"^\W*(stop|stopall|stop all|unsubscribe|end|quit|cancel|revoke|optout|opt out|opt-out)\W*$"
)
_OPT_OUT_WORDS = _rx(
    r"\bstop (texting|messaging|calling|contacting|sending|bothering|spamming|text|call)"
    r"|\b(don'?t|do not|dont|never|quit) (text|txt|call|contact|message|msg)(ing)? "
    r"(me|us|this number|my number|here)"
    r"|\bremove (me|my number|this number|us)\b|\btake (me|my number|us) off\b"
    r"|\bunsubscribe\b|\bopt[ -]?out\b|\bleave me alone\b|\blose (my|this) number\b"
    r"|\bno mas\b|\bno me (escriba|llame|contacte)|^\W*(please |pls |plz )?stop"
    r"( it| now| please| pls| plz| texting)?\W*$"
)
_WRONG_NUMBER = _rx(
    r"\bwrong (number|person|#)|\bnot (my|our) (number|name)\b|\byou have the wrong\b"
    r"|\bno (one|body|1) (here )?(by|named|with) that name\b|\bnumero equivocado\b"
)

# --- People, bots ----------------------------------------------------------------------------

_HUMAN_REQUEST = _rx(
    r"\b(talk|speak|chat|speaking|talking)\s+(to|with|w/?)\s+"
    r"(a |an |the |some |your |one of your )?"
    r"(real |actual |live |human |office )?(person|human|someone|somebody|some one|rep\b|"
    r"representative|agent|manager|owner|supervisor|tech|technician|operator|people|staff|"
    r"team member|office|dispatcher|csr|customer service)"
    r"|\b(call|phone|ring) (me|us)\b(?! (when|before|if|once|after|on the way|as soon as))"
    r"|\bgive (me|us) a (call|ring)\b"
    r"|\b(can|could|would|will) (you|someone|somebody|some one|a person|your office) "
    r"(please )?(call|phone|ring)\b"
    r"|\bhave (someone|somebody|a person|a human|your office|the office|a rep|a manager) "
    r"(call|contact|reach|get in touch|phone)"
    r"|\bcall ?back\b|\b(want|need|prefer|get me|give me|like) (a |an |to )?"
    r"(real |live |actual )?(human|person|representative|operator|manager)\b"
    r"|^\W*(human|person|agent|operator|representative|real person|live person)\W*(please|pls)?\W*$"
    r"|\bhablar con (alguien|una persona)"
)
_BOT_QUESTION = _rx(
    r"\b(is this|are you|r u|am i (talking|texting|chatting) (to|with)) (a |an )?"
    r"(bot|robot|ai|a\.i\.|machine|computer|automated|automatic|recording|real|human|person|"
    r"live|actual person|scam|spam|legit)"
    r"|\b(bot|robot)\?|\bwho (is|'s) this\b|\bwhos this\b|\bwho are you\b|\bis this real\b"
)

# --- Mood ------------------------------------------------------------------------------------

_COMPLAINT_STRONG = _rx(
    r"\bscam(s|mers?|ming)?\b|\brip(ped|ping)?[ -]?(me |us )?off\b|\bripoff\b"
    r"|\b(nobody|no one|noone|no1|you never|your (guy|tech|technician)s? never|never) "
    r"(showed|show|came|come)( up)?\b|\bno[ -]show\b|\bdidn'?t (show|come)( up)?\b"
    r"|\bstood (me|us) up\b|\bworst (service|company|experience|customer service|business)\b"
    r"|\bovercharg|\blied\b|\bliars?\b|\breport (you|this)\b|\bbbb\b|\blawyer\b|\bsue\b"
    r"|\brefund\b"
)
_COMPLAINT_MILD = _rx(
    r"\bawful\b|\bterrible\b|\bhorrible\b|\bridiculous\b|\bunacceptable\b|\bpathetic\b"
    r"|\buseless\b|\bincompetent\b|\bunprofessional\b|\brude\b|\bwast(e|ed|ing) (of )?(my|our) "
    r"time\b|\bfed up\b|\bsick of\b|\bdisgusted\b|\bfurious\b|\bpissed\b|\bsucks?\b|\bgarbage\b"
    r"|\ba joke\b|\bnever again\b|\bdone with (you|your)\b|\bstill waiting\b|\bdisappointed\b"
    r"|\bi'?m done\b|\bfrustrat|\bbeen waiting (all|for|since|\d)"
)
_ANGER_TARGET = _rx(
    r"\b(your|ur|this|that) (company|business|office|team|techs?|technicians?|guys?|man|crew|"
    r"people|staff|service|plumbers?|electricians?|employees?|workers?|dispatch(er)?|scheduling|"
    r"app|manager|outfit)\b"
    r"|\b(you|u) (guys|people|all)\b|\by'?all\b|\bya'?ll\b"
    r"|\byou (never|didn'?t|did not|charged|overcharged|ripped|lied|promised|said you|sent|"
    r"were supposed|are|suck|keep|still)\b"
    r"|\b(nobody|no one|noone|never) (showed|came)\b|\bno[ -]show\b|\bstood (me|us) up\b"
    r"|\bdidn'?t (show|come)( up)?\b|\bthe (guy|tech|technician) you sent\b"
)
_ABUSE_AT_YOU = _rx(
    r"\b(fuck|f\*+k?|f\*+|screw|to hell with|damn) (you|u|y'?all|off|your)\b|\b(you|u) suck\b"
    r"|\bgo to hell\b|\byou'?re (useless|pathetic|a joke|an idiot|idiots|stupid|worthless|a scam)"
    r"|\b(you|u|y'?all|ya'?ll|you guys|you people) (are|r) (useless|pathetic|a joke|idiots|"
    r"clowns|crooks|thieves|worthless|a scam)\b"
    r"|\b(useless|stupid|worthless|pathetic|crooked) (bot|company|people|business)\b"
)
_STRONG_WEIGHT = 0.55
_MILD_WEIGHT = 0.3
# "you guys" in a request ("can you guys come today?", "y'all available?") or in thanks is
# not aimed at the business in anger.
_FRIENDLY_YOU = _rx(
    r"\b(can|could|would|will|do|did|are|have|when can|how soon can|if|hope|hoping) "
    r"(you|u|y'?all|ya'?ll)( guys| all| people| folks)?\b"
    r"|\b(you|u) (guys|all|people|folks) (available|free|open|around|able|come|coming|do|have|"
    r"fix|service|send|cover|work|still|busy|out|there)\b"
    r"|\b(y'?all|ya'?ll) (available|free|open|around|able|come|coming|do|have|fix|service|send|"
    r"cover|work|busy|out|there)\b"
    r"|\b(thank|thanks|love|appreciate|trust|need|called|calling|found|chose|picked) "
    r"(you|u|y'?all|ya'?ll)( guys| all| people| folks)?\b"
)
# A complaint about another company ("the last plumber never showed up") is not about us.
_SOMEONE_ELSE = _rx(
    r"\b(last|other|previous|another|different|old|first|prior) (company|guy|plumber|"
    r"electrician|contractor|tech|technician|crew|outfit|business|hvac company|hvac guy|"
    r"handyman|landlord)\b|\bsomeone else\b|\b(landlord|handyman|home warranty)\b"
)
# What is wrong with the house, said without naming us: frustration, not a complaint.
_PROBLEM_WORDS = _rx(
    r"\b(broke|broken|died|dead|leak\w*|stuck|clog\w*|flood\w*|overflow\w*|not working|"
    r"stopped|won'?t|wont|isn'?t|hot in here|heat|cold|freezing|burning|water|mess|smell\w*|"
    r"noise|sparks?|tripp\w*|running|dripp\w*|backed up|quit|out|in here|degrees|humid|"
    r"sweating|boiling|melting)\b"
)
_MOOD_CLAUSES = re.compile(r"[.!?;,\n]+|\s+-\s+|\b(?:but|and|so|plus)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Mood:
    """What in a message is aimed at the business, and how negative that part is."""

    aimed: str  # the clauses about us or about nothing in particular
    target: bool  # a clause names us (your company, you guys, your tech, nobody showed up...)
    score: float  # sentiment_score of `aimed` (0 when nothing is aimed at us)


def read_mood(text: str) -> Mood:
    """Keep the clauses that may be about the business; drop those about the broken thing.

    "Drain is clogged bad, can you guys come today" names us only to ask for help, and its
    only negative words are about the drain: nothing is aimed at us. "You guys charged me
    $400 and it broke again, total rip off" keeps "you guys charged me $400" and "total rip
    off", drops "it broke again", and is a complaint.
    """
    kept: list[str] = []
    target = False
    for clause in _MOOD_CLAUSES.split(text):
        if not clause or not clause.strip():
            continue
        norm = normalize(clause)
        if _any(_SOMEONE_ELSE, norm):
            continue
        aimed = _any(_ANGER_TARGET, _FRIENDLY_YOU.sub(" ", norm))
        if not aimed:
            need = detect_need(clause)
            if need.job_type or need.outside or _any(_PROBLEM_WORDS, norm):
                continue
        kept.append(clause.strip())
        target = target or aimed
    aimed_text = ". ".join(kept)
    return Mood(aimed_text, target, sentiment_score(aimed_text) if aimed_text else 0.0)


@cache
def _analyzer() -> SentimentIntensityAnalyzer:
    return SentimentIntensityAnalyzer()


def sentiment_score(text: str) -> float:
    """VADER's compound score (negative side only), pulled down by complaint phrases.

    VADER alone reads "Nobody showed up Friday" as neutral, so phrases about the service
    failing weigh in too. Positive scores count as zero: sarcasm reads as positive.
    """
    norm = normalize(text)
    compound = float(_analyzer().polarity_scores(text)["compound"])
    strong = len(_COMPLAINT_STRONG.findall(norm))
    mild = len(_COMPLAINT_MILD.findall(norm))
    score = min(compound, 0.0) - _STRONG_WEIGHT * strong - _MILD_WEIGHT * mild
    return max(score, -1.0)


# --- Job types -------------------------------------------------------------------------------

# Work outside every known job type. A match also swallows the words right after it (up to a
# comma or "and"), so "the fridge is leaking" does not read as a leak for the plumber.
_OUTSIDE: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "pest control",
        _rx(
            r"\b(pest|pests|termites?|roach(es)?|cockroach(es)?|rodents?|mice|"
            r"rats?|bed ?bugs|exterminat\w*|ants|wasps?|hornets?|scorpions?|"
            r"fleas|bugs)\b"
        ),
    ),
    ("solar", _rx(r"\bsolar\b")),
    ("roofing", _rx(r"\b(roof|roofs|roofing|roofer|shingles?|gutters?)\b")),
    ("pools and spas", _rx(r"\b(pool|pools|spa|hot tub|jacuzzi)\b")),
    (
        "appliance repair",
        _rx(
            r"\b(fridge|refrigerator|freezer|washer|washing machine|dryer|"
            r"dishwasher|oven|stove|microwave|ice maker|appliances?|"
            r"cooktop)\b"
        ),
    ),
    (
        "landscaping",
        _rx(
            r"\b(landscap\w*|lawn|sprinklers?|irrigation|mowing|fence|fencing|"
            r"tree (trimming|removal|service|fell))\b"
        ),
    ),
    (
        "commercial properties",
        _rx(
            r"\b(commercial|restaurant|office building|warehouse|"
            r"retail|storefront|strip mall|apartment complex|hotel|"
            r"business property|our store|my store|our shop)\b"
        ),
    ),
    (
        "remodeling",
        _rx(
            r"\b(remodel\w*|renovat\w*|flooring|drywall|painting|paint|cabinets|"
            r"countertops?|siding|foundation|concrete|window replacement|"
            r"new windows)\b"
        ),
    ),
    ("security systems", _rx(r"\b(security (system|cameras?)|alarm system|cameras?)\b")),
    (
        "septic and wells",
        _rx(
            r"\b(septic|well pump|well water|water softener|water filtration|"
            r"water treatment)\b"
        ),
    ),
    ("generators", _rx(r"\bgenerators?\b")),
    ("gas lines", _rx(r"\b(gas line|gas leak|smell gas)\b")),
    ("duct cleaning", _rx(r"\b(duct cleaning|air duct cleaning|dryer vent)\b")),
    ("chimneys", _rx(r"\b(chimney|fireplace)\b")),
    ("mold and insulation", _rx(r"\b(mold|asbestos|insulation)\b")),
    ("locksmith work", _rx(r"\b(locksmith|locked out|rekey)\b")),
)
_TRAILING = _rx(r"[^,.;!?]*?(?=\b(and|also|plus|but)\b|[,.;!?]|$)")

# A water heater named as such decides the job whatever else the text says ("water heater
# leaking" is a water heater job, not a leak).
_WATER_HEATER_NAMED = _rx(
    r"\b(hot )?water ?(heater|heather|heatr|heter|htr|tank)s?\b|\btankless\b|\bh2o heater"
)
_WATER_HEATER = _rx(_WATER_HEATER_NAMED.pattern + r"|\bno hot water\b|\bhot water\b")
_REPLACE = _rx(
    r"\breplac\w*|\binstall\w*|\bupgrade\b|\bswap (it )?out\b|\bnew (\w+ ){0,2}"
    r"(system|unit|ac|a/c|air conditioner|furnace|hvac|heat pump|water heater|tank|door|"
    r"garage door|one|tankless)\b"
)
_REPLACE_IT = _rx(
    r"\b(replac\w*|swap(ping)? out|install\w*) (it|that|this one|the whole thing)\b"
    r"|\b(a|get|want|need|buy) (brand )?new one\b"
)
_OPENER = _rx(
    r"\b(opener|garage remote|remote (for|to) the garage|clicker|keypad|"
    r"garage door motor)\b"
)
_GARAGE = _rx(
    r"\bgarage ?doors?\b|\boverhead doors?\b|\b(door|garage) springs?\b|\bbroken springs?\b"
    r"|\boff (the )?tracks?\b|\bgarage (won'?t|wont|doesn'?t|doesnt|isn'?t|is stuck|stuck|keeps|"
    r"will not|opens|closes|is making|makes|is off|is broken|broke|is jammed|jammed)"
)
_EV = _rx(
    r"\bev\b|\belectric (vehicle|car|truck)\b|\btesla\b|\bcar charger\b"
    r"|\bcharger for (my|the|our|a) (car|ev|truck|tesla)\b|\blevel (2|two) charg"
    r"|\bcharging station\b|\bwall connector\b|\bchargepoint\b|\bev charg"
)
_PANEL = _rx(
    r"\bpanel\b|\bbreaker box\b|\bfuse box\b|\bservice upgrade\b|\b(100|200) ?amp"
    r"|\bmain breaker\b"
)
_HVAC_UNIT = _rx(
    r"\b(ac|a/c|a\.c\.?|air ?con\w*|aircon|hvac|furnace|furnance|heat pump|"
    r"system|unit|central air)\b"
)
_TUNE_UP = _rx(
    r"\btune[ -]?ups?\b|\btuneups?\b|\bmaint[ae]n[ae]nce\b|\bcheck[ -]?up\b"
    r"|\binspection\b|\bannual service\b|\bseasonal service\b"
    r"|\bservice (my|the|our) (ac|unit|system|furnace|hvac)\b"
    r"|\bclean(ing)? (my |the |our )?(ac|unit|coils|system)\b"
)
_AC = _rx(
    r"\b(ac|a/c|a\.c|air ?con(ditioner|ditioning|ditionar)?|aircon|central air|"
    r"not cooling|isn'?t cooling|no cool(ing)?|won'?t cool|warm air|hot air|"
    r"blowing (hot|warm)|condenser|compressor|evaporator|freon|refrigerant|"
    r"frozen coils?|cooling|no ac|no air)\b"
)
_HEATING = _rx(
    r"\b(furnace|furnance|heater|heating|no heat|pilot light|blowing cold)\b"
    r"|\bheat (isn'?t|is not|not|won'?t|wont|doesn'?t|does not|stopped|quit|went out|is out|"
    r"is off|keeps (shutting|turning) off|(is )?broken|(is )?not working)"
)
_TOILET = _rx(r"\b(toilets?|toliets?|commode|running toilet)\b")
_DRAIN = _rx(
    r"\b(clog\w*|cloged|drains?|draining|backed up|backing up|sewer|snake|"
    r"hydro ?jet\w*|stopped up|garbage disposal)\b"
)
_LEAK = _rx(
    r"\b(leak\w*|leek\w*|drip\w*|burst|busted pipe|broken pipe|pipes?|faucets?|"
    r"flood\w*|spigot|hose bib|water line|water pressure|water everywhere|"
    r"water on the floor|water under)\b"
)
_ELECTRICAL = _rx(
    r"\b(breakers?|tripp\w*|outlets?|plugs?|no power|power (is )?out|lost power|"
    r"flicker\w*|lights? (keep|are|went|go|is|won'?t|don'?t|not)|light (switch|fixture)|"
    r"switches|switch (is|isn'?t|not|stopped|doesn'?t)|sparks?|sparking|burning smell|"
    r"wiring|rewir\w*|electrical|electrician|electric|gfci|gfi|ceiling fan|surge|"
    r"half the house)\b"
)
# HVAC equipment by name ("furnace", "heat pump"), without the vague "system" or "unit".
_HVAC_UNIT_NAMED = _rx(r"\b(hvac|furnace|furnance|heat pump|central air)\b")
_HVAC_GENERIC = _rx(
    r"\b(hvac|thermostat|heat pump|air handler|vents?|blower)\b"
    r"|\b(outside|outdoor|indoor|upstairs|downstairs|attic) unit\b"
    r"|\bunit (is |isn'?t|is not|won'?t|not|stopped|keeps|outside)"
)


@dataclass(frozen=True)
class Need:
    job_type: str | None
    outside: str | None  # label of work outside every known job type
    # The job type was read from a symptom only ("it's leaking", "the breaker trips"), not from
    # the thing that has it; such a job does not replace a job already known for that thing.
    by_symptom: bool = False


def detect_need(text: str) -> Need:
    """The job type a text describes, and any work outside every known job type."""
    norm = normalize(text)
    outside = None
    for label, pattern in _OUTSIDE:
        while (match := pattern.search(norm)) is not None:
            outside = outside or label
            tail = _TRAILING.match(norm, match.end())
            end = tail.end() if tail else match.end()
            norm = norm[: match.start()] + " " + norm[end:]
    job_type, by_symptom = _job_type(norm)
    return Need(job_type=job_type, outside=outside, by_symptom=by_symptom)


def _job_type(t: str) -> tuple[str | None, bool]:
    # An EV charger is often "in the garage": the charger decides.
    if _any(_EV, t):
        return "ev_charger_estimate", False
    # Anything said about a water heater is a water heater job.
    if (heater := _WATER_HEATER_NAMED.search(t)) is not None:
        return _thing_job("water_heater", _clause(t, heater.start()), t), False
    # Things (an AC, a toilet, a garage door) beat symptoms (a leak, a clog); between things,
    # the one named first is the job. Words like "replace" count only in that thing's clause.
    found = [
        (match.start(), family)
        for family, pattern in _THINGS
        if (match := pattern.search(t)) is not None
    ]
    if found:
        position, family = min(found)
        return _thing_job(family, _clause(t, position), t), False
    if _any(_REPLACE, t) and _any(_HVAC_UNIT, t):
        return "hvac_replacement_estimate", False  # "a new system", "replace the unit"
    if _any(_TUNE_UP, t):
        return "hvac_tune_up", False
    symptoms = [
        (match.start(), code)
        for code, pattern in _SYMPTOMS
        if (match := pattern.search(t)) is not None
    ]
    return (min(symptoms)[1], True) if symptoms else (None, False)


def _clause(t: str, position: int) -> str:
    """The part of the text around `position`, between punctuation or "and"/"but"."""
    cuts = [0, *(m.end() for m in _CLAUSE_BREAK.finditer(t, 0, position))]
    after = _CLAUSE_BREAK.search(t, position)
    return t[max(cuts) : after.start() if after else len(t)]


def _thing_job(family: str, clause: str, text: str) -> str:
    # "Replace" counts in the thing's own clause, or anywhere as "a new one" / "replace it".
    replace = _any(_REPLACE, clause) or _any(_REPLACE_IT, text)
    if family == "water_heater":
        return "water_heater_replacement_estimate" if replace else "water_heater_repair"
    if family == "garage":
        if _any(_OPENER, clause):
            return "garage_door_opener"
        return "garage_door_replacement_estimate" if replace else "garage_door_repair"
    if family == "panel":
        return "panel_upgrade_estimate"
    if family == "toilet":
        return "toilet_repair"
    if replace:
        return "hvac_replacement_estimate"
    if _any(_TUNE_UP, clause):
        return "hvac_tune_up"
    heating = _HEATING.search(clause)
    cooling = _AC.search(clause)
    if heating and (cooling is None or heating.start() < cooling.start()):
        return "heating_repair"
    return "ac_repair"


_CLAUSE_BREAK = _rx(r"[,.;!?]|\b(and|but|also|plus)\b")
_THINGS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("water_heater", _WATER_HEATER),
    ("garage", _rx(_OPENER.pattern + "|" + _GARAGE.pattern)),
    ("panel", _PANEL),
    ("hvac", _AC),
    ("hvac", _HEATING),
    ("hvac", _HVAC_UNIT_NAMED),
    ("toilet", _TOILET),
)
_SYMPTOMS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("drain_cleaning", _DRAIN),
    ("leak_repair", _LEAK),
    ("electrical_repair", _ELECTRICAL),
    ("ac_repair", _HVAC_GENERIC),
)


# --- When: days, parts of the day, times --------------------------------------------------

_WEEKDAYS: tuple[tuple[int, str], ...] = (
    (0, r"monday|mon|mondays"),
    (1, r"tuesday|tues|tue|teusday|tuesdays"),
    (2, r"wednesday|wed|weds|wensday|wendesday|wednsday|wednesdays"),
    (3, r"thursday|thurs|thur|thu|thrusday|thursdays"),
    (4, r"friday|fri|fridays"),
    (5, r"saturday|saturdays|sat(?= morning| afternoon| am\b| pm\b| at| works|\?|$| is)"),
    (6, r"sunday|sundays"),
)
_SPANISH_WEEKDAYS = ("lunes", "martes", "miercoles", "jueves", "viernes", "sabado", "domingo")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")

_TODAY = _rx(
    r"\b(today|tonight|this (morning|afternoon|aft|arvo|evening|am|pm)|hoy|asap today|"
    r"2day|tday)\b"
)
# "manana" alone is tomorrow; "la manana" ("en/por la manana") is the morning.
_TOMORROW = _rx(
    r"\b(tomorrow|tmrw|tmr|tmrow|tmro|tomorow|tommorow|tommorrow|tomorrw|tomarrow|tmorrow|"
    r"2morrow|2morow|2moro|2mrw|tomorrows)\b|(?<!la )(?<!pasado )\bmanana\b"
)
_DAY_AFTER = _rx(r"\bday after (tomorrow|tmrw|tomorow|tommorow)\b|\bpasado manana\b")
_NEXT_WEEK = _rx(r"\bnext week\b|\bla proxima semana\b|\bsemana que viene\b")
_THIS_WEEK = _rx(r"\b(this|later this) week\b|\besta semana\b")
_WEEKEND = _rx(r"\bweekend\b|\bfin de semana\b")
_MONTH_DAY = _rx(r"\b(" + "|".join(_MONTHS) + r")[a-z]*\.? (\d{1,2})(st|nd|rd|th)?\b")
_NUMERIC_DATE = _rx(r"\b(\d{1,2})/(\d{1,2})(?:/\d{2,4})?\b")
_DAY_OF_MONTH = _rx(
    r"\bthe (\d{1,2})(st|nd|rd|th)\b(?! (one|option|slot|window|choice|floor|story|"
    r"level|bathroom|bedroom|unit|time))"
)

_DAY_WORD = r"(mon|tue|tues|wed|thu|thur|thurs|fri|sat|tomorrow|tmrw|today|[a-z]+day)"
_MORNING = _rx(
    r"\b(morning|mornings|mornin|morni?ng|early|in the am|am slot|this am|before lunch|"
    r"manana temprano|"
    r"en la manana|por la manana|de la manana|this morning)\b|\b" + _DAY_WORD + r" am\b"
)
_AFTERNOON = _rx(
    r"\b(afternoon|afternoons|afternon|aftenoon|afternooon|aftn|arvo|in the pm|pm slot|"
    r"after lunch|la tarde|this afternoon|this aft|this pm)\b|\b" + _DAY_WORD + r" (pm|aft)\b"
)
_EVENING = _rx(r"\b(evening|evenings|tonight|after work|la noche)\b")
_NOON = _rx(r"\b(noon|midday|lunch ?time|around lunch)\b")

_SUFFIX = r"(am|pm|a\.m\.?|p\.m\.?|a|p)"
_RANGE = _rx(
    r"(?:between |from )?\b(\d{1,2})(?::(\d{2}))?\s*" + _SUFFIX + r"?\s*(?:-|to|til|till|until|"
    r"thru|and)\s*(\d{1,2})(?::(\d{2}))?\s*" + _SUFFIX + r"?(?![\d/])"
)
_POINT_SUFFIX = _rx(r"\b(\d{1,2})(?::(\d{2}))?\s*" + _SUFFIX + r"(?![a-z])")
_POINT_CLOCK = _rx(r"\b(\d{1,2}):(\d{2})\b")
_POINT_PREP = _rx(
    r"\b(at|around|about|@|arrive at|come at|by|after|before|a las)\s*"
    r"(\d{1,2})(?::(\d{2}))?\b(?!\s*(st|nd|rd|th|days?|hours?|min|weeks?|months?|years?|ton|people))"
)
_POINT_WORD = _rx(r"\b(after|before|by|at|around)\s+(noon|lunch|midday)\b")
# The window that starts at an hour: "the 10 one", "the 10am one", "10 oclock", "2pm slot".
_POINT_PICK = _rx(
    r"\b(\d{1,2})(?::(\d{2}))?\s*" + _SUFFIX + r"?\s*(?:o'?clock|o clock)"
    r"|\bthe (\d{1,2})(?::(\d{2}))?\s*" + _SUFFIX + r"?\s*(?:one|slot|window|option|time)\b"
    r"|\b(\d{1,2})(?::(\d{2}))?\s*" + _SUFFIX + r"?\s*(?:slot|window)\b"
)

_EARLIEST = _rx(
    r"\b(earliest|earlist|earlyest|soonest|asap|a\.s\.a\.p|as soon as (possible|you can)|"
    r"first available|first avail\w*|first opening|first open|next available|first thing|"
    r"any ?time|any time works|whatever (is|you have)|whichever|doesn'?t matter|"
    r"dont care|don'?t care|any of (them|those)|either (one|is fine|works)|any is fine|"
    r"lo antes posible|lo mas pronto|cuanto antes|right away|quickest|fastest)\b"
)
# Said plainly ("earliest is fine"), these pick the soonest window; "asap" only says it's urgent.
_SOONEST_PLEASE = _rx(
    r"\b(earliest|earlist|soonest|first available|first avail\w*|first opening|next available|"
    r"whatever (is|you have)|whichever|any ?time|lo antes posible)\b"
)
# Asking about a time rather than taking it: "what's the earliest?", "when is the soonest?"
_INFO_QUESTION = _rx(r"\b(what'?s|what is|whats|when'?s|when is|which is|how early|how soon)\b")
_REPEAT = _rx(
    r"\b(repeat( that| those| it)?|say (that|those|it) again|come again|what was that|"
    r"didn'?t (catch|hear) (that|you)|can'?t hear|one more time|pardon)\b|^\W*(sorry|what)\W*$"
)
_LATEST = _rx(
    r"\b(latest|last one|last option|last slot|later one|the last|el ultimo|"
    r"la ultima)\b"
)


@dataclass(frozen=True)
class When:
    """Constraints a lead put on the arrival time. Minutes are counted from local midnight."""

    dates: tuple[date, ...] = ()
    part: str | None = None  # "morning" | "afternoon" | "evening"
    range_start: int | None = None
    range_end: int | None = None
    at: int | None = None
    after: int | None = None
    before: int | None = None

    @property
    def is_empty(self) -> bool:
        return self == When()

    def matches(self, start: datetime, end: datetime) -> bool:
        """Whether a window (in local time) satisfies every constraint given."""
        if self.dates and start.date() not in self.dates:
            return False
        s = start.hour * 60 + start.minute
        e = end.hour * 60 + end.minute
        if self.part == "morning" and s >= 12 * 60:
            return False
        if self.part == "afternoon" and s < 12 * 60:
            return False
        if self.part == "evening" and e <= 17 * 60:
            return False
        if self.range_start is not None and self.range_end is not None:
            exact = s == self.range_start and e == self.range_end
            inside = s >= self.range_start and e <= self.range_end
            if not (exact or inside):
                return False
        if self.at is not None and not (s <= self.at < e):
            return False
        if self.after is not None and s < self.after:
            return False
        return not (self.before is not None and e > self.before)

    def describe(self) -> str:
        bits = [d.isoformat() for d in self.dates[:1]]
        if self.part:
            bits.append(self.part)
        if self.range_start is not None and self.range_end is not None:
            bits.append(f"{_hhmm(self.range_start)}-{_hhmm(self.range_end)}")
        if self.at is not None:
            bits.append(f"at {_hhmm(self.at)}")
        if self.after is not None:
            bits.append(f"after {_hhmm(self.after)}")
        if self.before is not None:
            bits.append(f"before {_hhmm(self.before)}")
        return " ".join(bits)


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _hour(value: str, minute: str | None, suffix: str | None) -> int | None:
    """Minutes after midnight; without am/pm, 7-11 is morning and 12-6 afternoon (work hours)."""
    hour = int(value)
    mins = int(minute) if minute else 0
    if hour > 23 or mins > 59:
        return None
    if suffix:
        pm = suffix.startswith("p")
        if pm and hour < 12:
            hour += 12
        elif not pm and hour == 12:
            hour = 0
    elif 1 <= hour <= 6:
        hour += 12
    return hour * 60 + mins


def _next_weekday(today: date, weekday: int) -> date:
    return today + timedelta(days=(weekday - today.weekday()) % 7)


_NOT_BEFORE = _rx(
    r"\b(don'?t|do not|dont|not|never) (come |arrive |be here |show up )?before\b"
    r"|\bno earlier than\b|\bnot until\b"
)
_NOT_AFTER = _rx(
    r"\b(don'?t|do not|dont|not|never) (come |arrive |be here |show up )?after\b"
    r"|\bno later than\b"
)


_ANY_WEEKDAY = "|".join(names for _, names in _WEEKDAYS)
# A day in the past is when it started, not when to come: "since sunday", "it broke monday".
_PAST_DAY = _rx(
    r"\b(since|last|this past|every|ago)\s+(" + _ANY_WEEKDAY + r")\b"
    r"|\b(started|broke|quit|died|stopped|happened|began|went out|noticed|came out)"
    r"((?: (?:on|it|down|out|up|again|working|last|this|past|late|early))*) ("
    + _ANY_WEEKDAY
    + r")\b"
)


def parse_when(norm: str, today: date) -> When:
    """Days, parts of the day and times of day in a normalized text, relative to `today`."""
    dates: list[date] = []
    norm = _PAST_DAY.sub(lambda m: " " if m.group(1) else f" {m.group(3)}{m.group(4)} ", norm)
    if _any(_DAY_AFTER, norm):
        dates.append(today + timedelta(days=2))
    elif _any(_TOMORROW, norm):
        dates.append(today + timedelta(days=1))
    if _any(_TODAY, norm):
        dates.append(today)
    for weekday, names in _WEEKDAYS:
        if re.search(r"\b(" + names + r")\b", norm):
            first = _next_weekday(today, weekday)
            dates.extend([first, first + timedelta(days=7)])
    for weekday, name in enumerate(_SPANISH_WEEKDAYS):
        if re.search(r"\b" + name + r"\b", norm):
            first = _next_weekday(today, weekday)
            dates.extend([first, first + timedelta(days=7)])
    if _any(_NEXT_WEEK, norm):
        monday = today + timedelta(days=7 - today.weekday())
        dates.extend(monday + timedelta(days=i) for i in range(7))
    elif _any(_THIS_WEEK, norm):
        dates.extend(today + timedelta(days=i) for i in range(7 - today.weekday()))
    if _any(_WEEKEND, norm):
        saturday = _next_weekday(today, 5)
        dates.extend([saturday, saturday + timedelta(days=1)])
    dates.extend(_explicit_dates(norm, today))

    part = None
    if _any(_MORNING, norm):
        part = "morning"
    elif _any(_AFTERNOON, norm):
        part = "afternoon"
    elif _any(_EVENING, norm):
        part = "evening"

    range_start = range_end = at = after = before = None
    scrubbed = _NUMERIC_DATE.sub(" ", _MONTH_DAY.sub(" ", norm))
    scrubbed = re.sub(r"\b\d{3,}\b", " ", scrubbed)
    # "don't come before 10" means after 10; "no later than 2" means before 2.
    scrubbed = _NOT_BEFORE.sub(" after ", scrubbed)
    scrubbed = _NOT_AFTER.sub(" before ", scrubbed)
    if (rng := _RANGE.search(scrubbed)) is not None and _looks_like_range(rng):
        end_suffix = rng.group(6)
        range_end = _hour(rng.group(4), rng.group(5), end_suffix)
        range_start = _hour(rng.group(1), rng.group(2), rng.group(3))
        if rng.group(3) is None and end_suffix and range_end is not None:
            shared = _hour(rng.group(1), rng.group(2), end_suffix)
            if shared is not None and shared < range_end:
                range_start = shared
    elif (point := _POINT_PREP.search(scrubbed)) is not None:
        suffix_match = _POINT_SUFFIX.match(scrubbed, point.start(2))
        suffix = suffix_match.group(3) if suffix_match else None
        value = _hour(point.group(2), point.group(3), suffix)
        prep = point.group(1)
        if prep == "after":
            after = value
        elif prep in ("before", "by"):
            before = value
        else:
            at = value
    elif (point := _POINT_SUFFIX.search(scrubbed)) is not None:
        at = _hour(point.group(1), point.group(2), point.group(3))
    elif (point := _POINT_PICK.search(scrubbed)) is not None:
        picked = point.groups()
        hour_at = next(i for i in (0, 3, 6) if picked[i] is not None)
        at = _hour(picked[hour_at], picked[hour_at + 1], picked[hour_at + 2])
    elif (point := _POINT_CLOCK.search(scrubbed)) is not None:
        at = _hour(point.group(1), point.group(2), None)
    elif (word := _POINT_WORD.search(scrubbed)) is not None:
        if word.group(1) == "after":
            after = 12 * 60
        elif word.group(1) in ("before", "by"):
            before = 12 * 60
        else:
            at = 12 * 60
    elif _any(_NOON, scrubbed):
        at = 12 * 60
    if range_start is not None and range_end is not None and range_start >= range_end:
        range_start = range_end = None
    unique = tuple(dict.fromkeys(d for d in dates if d >= today))
    return When(unique, part, range_start, range_end, at, after, before)


def _looks_like_range(match: re.Match[str]) -> bool:
    # "between 2 and 4" is a range; "1 and 2" alone is more likely two choices.
    joined = match.group(0)
    if joined.startswith(("between", "from")):
        return True
    if " and " in joined:
        return False
    return any(mark in joined for mark in ("-", "to", "til", "thru")) or bool(
        match.group(3) or match.group(6)
    )


def _explicit_dates(norm: str, today: date) -> Iterable[date]:
    for match in _MONTH_DAY.finditer(norm):
        month = _MONTHS.index(match.group(1)[:3]) + 1
        found = _safe_date(today.year, month, int(match.group(2)), today)
        if found:
            yield found
    for match in _NUMERIC_DATE.finditer(norm):
        found = _safe_date(today.year, int(match.group(1)), int(match.group(2)), today)
        if found:
            yield found
    for match in _DAY_OF_MONTH.finditer(norm):
        day = int(match.group(1))
        found = _safe_date(today.year, today.month, day, today)
        if found is None and today.month < 12:
            found = _safe_date(today.year, today.month + 1, day, today)
        if found:
            yield found


def _safe_date(year: int, month: int, day: int, today: date) -> date | None:
    try:
        found = date(year, month, day)
    except ValueError:
        return None
    if found < today:
        try:
            return date(year + 1, month, day)
        except ValueError:
            return None
    return found


# --- Choosing among offered windows -------------------------------------------------------

_ORDINAL_WORDS = {
    "first": 1,
    "1st": 1,
    "second": 2,
    "2nd": 2,
    "third": 3,
    "3rd": 3,
    "fourth": 4,
    "4th": 4,
    "primero": 1,
    "primera": 1,
    "segundo": 2,
    "segunda": 2,
    "tercero": 3,
    "tercera": 3,
    "last": -1,
    "ultimo": -1,
    "ultima": -1,
}
_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "uno": 1, "dos": 2, "tres": 3}
_ORDINAL = _rx(
    r"\b(the |option |opt |#|number |choice |el |la )?(first|1st|second|2nd|third|3rd|fourth|"
    r"4th|last|primero|primera|segundo|segunda|tercero|tercera|ultimo|ultima)\b(?: (\w+))?"
)
_ORDINAL_FOLLOWERS = {
    "one",
    "option",
    "slot",
    "window",
    "choice",
    "works",
    "work",
    "is",
    "pls",
    "please",
    "plz",
    "sounds",
    "looks",
    "would",
    "will",
    "thanks",
    "for",
    "time",
    "opcion",
    "esta",
    "then",
}
_NOT_ORDINAL_FOLLOWERS = {
    "available",
    "avail",
    "thing",
    "opening",
    "open",
    "floor",
    "story",
    "level",
    "bathroom",
    "bedroom",
    "house",
    "home",
    "unit",
    "visit",
    "week",
    "month",
    "year",
    "night",
    "friday",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "saturday",
    "sunday",
    "day",
}
_NUMBERED = _rx(
    r"(?:#|\boption\s*|\bopt\s*|\bnumber\s*|\bno\.\s*|\bchoice\s*|\bnum\s*)"
    r"([1-9]|one|two|three|four)\b"
)
_FILLER = _rx(
    r"\b(please|pls|plz|thanks|thank you|thx|ty|works|work|working|is|fine|good|great|perfect|"
    r"for|me|us|sounds|ok|okay|sure|yes|yeah|yea|yep|yup|the|one|lets|let's|do|go|with|that|"
    r"i'll|ill|take|book|it|gracias|si|el|la|opcion|would|be|will|best|i|want|like|choose|"
    r"pick|guess|then|and)\b"
)


_TIME_TAKEN = _rx(r"\s*(works?|is|slot|sounds|please|pls|would|will|for|looks|ok|\W*$)")


def parse_ordinal(norm: str) -> int | None:
    """1-based choice ("the second one", "#2", "2", "option two"); -1 is the last one."""
    if (numbered := _NUMBERED.search(norm)) is not None:
        token = numbered.group(1)
        return int(token) if token.isdigit() else _NUMBER_WORDS[token]
    for match in _ORDINAL.finditer(norm):
        word = match.group(2)
        follower = match.group(3) or ""
        if follower in _NOT_ORDINAL_FOLLOWERS:
            continue
        if follower == "time" and not _TIME_TAKEN.match(norm, match.end()):
            continue  # "first time customer", "last time you came"
        if norm[: match.start()].endswith(("a ", "one ", "just a ", "wait a ")):
            continue
        short = len(norm.split()) <= 3
        if match.group(1) or follower in _ORDINAL_FOLLOWERS or short:
            return _ORDINAL_WORDS[word]
    rest = _FILLER.sub(" ", re.sub(r"[^\w\s']", " ", norm)).split()
    if len(rest) == 1:
        token = rest[0]
        if token.isdigit() and 1 <= int(token) <= 9:
            return int(token)
        if token in _NUMBER_WORDS:
            return _NUMBER_WORDS[token]
    return None


# --- Everything else a lead says ----------------------------------------------------------

_YES = _rx(
    r"\b(y|ya|yah|yea|yeah|yeh|yes+|yess+|yep|yup|yas|sure|ok|okay|okey|oki|k|kk|si|claro|dale|"
    r"absolutely|definitely|of course|correct|affirmative|please do|go ahead|sounds good|"
    r"sounds great|that works|works for me|that'?d be great|that would be great|perfect|"
    r"great|let'?s do it|lets do it|do it|book it|i do|we do|please|yes please|por favor|"
    r"alright|all right|bet|for sure|totally|you bet)\b"
)
# A yes that takes an offer. "ok", "great" and "perfect" also take it when said alone, but
# not next to thanks: "ok thanks" acknowledges, it does not choose.
_CONFIRM = _rx(
    r"\b(y|ya|yah|yea|yeah|yeh|yes+|yess+|yep|yup|yas|sure|si|claro|dale|absolutely|definitely|"
    r"of course|correct|affirmative|please do|go ahead|sounds good|sounds great|that works|"
    r"works for me|that'?d be great|that would be great|let'?s do it|lets do it|do it|book it|"
    r"book that|book me|lock it in|i do|we do|por favor|bet|for sure|you bet)\b"
)
_NOT_YES = _rx(
    r"\b(not sure|no se|is (it|that) ok|if that'?s ok|not ok|not okay|not great|"
    r"not good|make sure)\b"
)
_NO_START = _rx(
    r"^\W*(no+|nope|nah|naw|not really|negative|no gracias)\b(?!\s*(heat|hot|power|"
    r"cool|air|water|one|body|show|ac|a/c|electricity|lights?|idea|problem|rush|"
    r"worries|worry|se|pressure|longer))"
)
_NEITHER = _rx(
    r"\b(none|neither|nothing) (of (those|these|them|the above) )?(work|works|"
    r"fit|good|is good|are good)|\bnone of (those|these|them)\b|\bneither\b"
)
_MORE_TIMES = _rx(
    r"\bother (times?|days?|options|dates|slots)\b|\banything (else|later|earlier|other)\b"
    r"|\bsomething (else|later|earlier)\b|\bdifferent (time|day|date)\b|\bany other\b"
    r"|\b(those|that|these) (don'?t|doesn'?t|do not|won'?t|wont) work\b"
    r"|\bcan'?t (do|make) (those|that|these|any|it)\b|\blater (in the week|date|on)\b"
    r"|\bmore (times|options)\b|\bnot (those|that one|then)\b|\bbusy then\b"
)
_GREETING = _rx(
    r"^\W*(hi|hey|hello|hola|good (morning|afternoon|evening)|yo|howdy|hiya|"
    r"heya|sup|buenos dias|buenas)\b|\bthis is [a-z]+(\W*$|,| here| speaking)"
    r"|^\W*[a-z]+ here\W*$"
    r"|\bspeaking\W*$"
)
_THANKS = _rx(r"\b(thank|thanks|thx|thanx|ty|tysm|appreciate|gracias|much appreciated)\b")
_ACK = _rx(
    r"^\W*(ok+|okay|k|kk|got it|cool|alright|noted|sounds good|great|perfect|awesome|"
    r"no problem|no worries|will do|understood|roger|bueno|vale|\U0001f44d)\W*$"
)
_DECLINE = _rx(
    r"\bno thanks?\b|\bno thank you\b|\bno thx\b|\bno ty\b|\bnah,? thanks\b|\bnot interested\b"
    r"|\bno longer (need|interested|necessary|an issue)\b"
    r"|\b(don'?t|do not|dont) need (it|one|anything|help|service|you|someone|anyone|a tech|"
    r"it anymore|anymore|the service)\b"
    r"|\balready (fixed|taken care|got|found|hired|have someone|scheduled|booked|called)\b"
    r"|\bgot it fixed\b|\bfixed it\b|\bit'?s fixed\b|\bits fixed\b|\bis fixed now\b"
    r"|\b(took|taken) care of\b|\ball set\b|\bwe'?re good\b|\bwere good\b|\bi'?m good\b"
    r"|\bim good\b|\bwent with (someone|another|a different|somebody)\b"
    r"|\bfound (someone|somebody|another)\b|\bhired (someone|somebody|another)\b"
    r"|\busing (someone|another|a different)\b|\bsomeone else\b|\banother company\b"
    r"|\bnever ?mind\b|\bnvm\b|\bchanged (my|our) mind\b|\bno gracias\b|\bnot needed\b"
    r"|\bno need\b|\bdon'?t bother\b|\bforget (it|about it)\b|\bcancel (the|my|this) request\b"
    r"|\bya no\b|\bno lo necesito\b|\bwe'?re all good\b|\bworking (fine|again|now)\b"
)
_NOT_NOW = _rx(
    r"\bmaybe later\b|\bnot (right )?now\b|\bnot yet\b|\bi'?ll let you know\b"
    r"|\bget back to you\b|\bthink about it\b|\bhold off\b|\bcheck with my\b"
    r"|\btalk (it over )?(to|with) my (wife|husband|partner|landlord|spouse)\b"
    r"|\bin a (few|couple) (weeks|months)\b|\bnext month\b|\bmas tarde\b"
)
_WANTS = _rx(
    r"\bcome (out|by|over|today|tomorrow|fix|look|take|check|asap|this|on|at|thursday|"
    r"friday|monday|tuesday|wednesday|saturday)\b"
    r"|\bsend (someone|somebody|a tech|a technician|a plumber|an electrician|out|a guy|help)"
    r"|\bneed (someone|somebody|a tech|help|service|a plumber|an electrician|it fixed|"
    r"this fixed|a repair|an appointment|a visit|a technician|a quote|an estimate)"
    r"|\bget (someone|somebody|a tech|a technician) (out|over)"
    r"|\bschedul\w*|\bbook\w*|\bappointment|\bappt\b|\bavailab\w*|\bavail\b|\bopenings?\b"
    r"|\bopen (slots?|times?|windows?)\b|\bwhat (do you have|times|time|days|day)"
    r"|\bwhen can\b|\bhow soon\b|\btimes? (do you have|available)\b|\btake a look\b"
    r"|\blook at (it|my|the)\b|\bfix (it|my|the|this)\b|\brepair\b|\bcan (you|someone|"
    r"somebody|u|y'?all) (help|fix|come|do|get)\b|\bcould (someone|somebody|you) (come|help)"
    r"|\bset (it|something|me|us) up\b|\bget (me|us) (on the|in|scheduled)\b|\bready\b"
    r"|\bi need\b|\bwe need\b|\bneed to get\b|\bplease send\b|\bcita\b|\bwhat do you got\b"
    r"|\bwhat'?cha got\b|\bwhen are you free\b|\bare you free\b"
    r"|\b(broke|broken|stopped working|not working|isn'?t working|doesn'?t work|won'?t work|"
    r"died|is dead|quit working|went out|acting up|messed up|acting weird|nothing (is )?working)\b"
    r"|\b(not sure|don'?t know|no idea|idk) what'?s wrong\b"
)
_URGENT = _rx(
    r"\b(asap|urgent|urgently|emergency|right away|right now|today|immediately|flood\w*|"
    r"no heat|no ac|no air|no water|no hot water|no power|burst|sparks?|sparking|smoke|"
    r"smoking|burning|100 degrees|can'?t wait|dying|melting|freezing|baby|elderly|urgente)\b"
)
_QUESTIONS = _rx(
    r"\b(a few|some|couple|quick|a) questions?\b|\bquestion (first|for you)\b"
    r"|\bpreguntas?\b"
)
_PRICE = _rx(
    r"\bhow much\b|\bprices?\b|\bpricing\b|\bcosts?\b|\bcharges?\b|\bfees?\b|\brates?\b"
    r"|\bquote\b|\bexpensive\b|\bcheap\b|\bcuanto\b|\bcuesta\b|\bprecio\b|\$"
    r"|\bis (it|the estimate|that|the visit) free\b|\bfree estimate\?|\bafford"
)
_BRAND_QUESTION = _rx(
    r"\bbrands?\b|\bwhat (kind|type|make)s? (of|do)\b|\bany brand\b"
    r"|\bmake and model\b|\bwork on all\b"
)
_HOURS = _rx(
    r"\bhours\b|\bare you open\b|\bwhen (are|do) you (open|close)\b|\bwhat time do you "
    r"(open|close)\b|\bopen (on|today|tomorrow|late|early|sundays?|saturdays?|weekends?)\b"
    r"|\bclose[sd]? (on|at|today)\b|\b(work|open) (on )?(weekends|sundays|saturdays)\b"
    r"|\bhorario\b"
)
_AREA = _rx(
    r"\bservice area\b|\bareas? (do )?(you )?(serve|cover|service)\b|\bwhat areas\b"
    r"|\b(are you|is that) in my area\b|\bin (your|my) area\b|\bhow far\b|\bdo you come (out )?to\b"
    r"|\bdo you (cover|serve|go to|come to|travel to|work in)\b|\bmy area\b|\bzona\b"
)
_SERVICE_WHAT = _rx(r"\bdo you (service|serve) ([a-z][a-z ]+)")
_SKILL_QUESTION = _rx(
    r"\b(do|can|could) (you|y'?all|u) (guys )?(fix|repair|do|handle|work on|install|replace|"
    r"service|take care of|offer|deal with)\b|\bis that something you\b|\bdo you (guys )?do\b"
)
_OFFICE_QUESTION = _rx(
    r"\b(credit cards?|debit|cash|(take|accept|pay by|pay with) checks?|payments?|pay (with|by|in)|"
    r"financ\w*|warrant\w*|guarantee\w*|"
    r"licensed|insured|insurance|bonded|reviews?|references|how long (will|does|would) (it|that|"
    r"the (job|repair|visit)) take|phone number|discounts?|coupons?|senior discount|"
    r"military discount|permits?)\b"
)
# "How did you get my number?", "what is this about?": why we are in touch.
_WHY_CONTACTED = _rx(
    r"\bhow (did|do|does) (you|u|ya|y'?all|this) (get|have|find|got) (my|this|our) "
    r"(number|#|phone|info|contact)"
    r"|\bwhere (did|do) (you|u|ya) (get|find) (my|this|our) (number|#|phone|info)"
    r"|\bwhy (are|r|is) (you|u|this|someone) (texting|calling|messaging|contacting|txting)"
    r"|\bwhat (is|'?s) (this|it) (about|regarding|for)\b|\bwhats this (about|regarding|for)\b"
    r"|\bwhat (is|was) this regarding\b|\bdid i (contact|call|text|reach out to) (you|u)\b"
)
# When the technician comes, whether they call first: asked after a booking.
_ARRIVAL_QUESTION = _rx(
    r"\bwhat time (will|does|is|should|do)\b|\bwhen (will|does|is|should|do) (the |my |your )?"
    r"(tech|technician|guy|plumber|electrician|someone|he|she|they|you)\b"
    r"|\b(will|do|does|can) (they|he|she|the tech|the technician|the guy|you|someone) "
    r"(call|text|let me know|give me a heads up)\b|\bhow will i know\b|\beta\b"
    r"|\bwho (is|will be) coming\b|\bwho'?s coming\b|\bneed to be (home|there)\b"
    r"|\bhave to be (home|there)\b|\bbe home\b"
)
_RESCHEDULE = _rx(
    r"\breschedul\w*|\bchange (my|the) (appointment|appt|time|booking)\b"
    r"|\bcancel (my|the|our) (appointment|appt|booking|visit)\b"
    r"|\bmove (my|the) (appointment|appt|booking|visit)\b|\bcan'?t make it\b"
)
_ZIP = _rx(r"(?<![\d$-])(\d{5})(?:-\d{4})?(?![\d-])")
_ADDRESS = _rx(
    r"\b\d{1,6} [a-z0-9 .']{2,40}\b(st|street|ave|avenue|rd|road|dr|drive|ln|lane|"
    r"blvd|boulevard|way|ct|court|cir|circle|pkwy|parkway|trl|trail|pl|place|hwy|"
    r"highway|loop|cv|cove|pass|run|bend)\b"
)

# Brands people ask about that a company may not list: answered honestly rather than ignored.
KNOWN_BRANDS = (
    "trane",
    "carrier",
    "lennox",
    "goodman",
    "rheem",
    "ruud",
    "york",
    "daikin",
    "bryant",
    "american standard",
    "amana",
    "mitsubishi",
    "fujitsu",
    "heil",
    "payne",
    "coleman",
    "bosch",
    "ao smith",
    "a.o. smith",
    "state select",
    "bradford white",
    "rinnai",
    "navien",
    "noritz",
    "kohler",
    "moen",
    "delta",
    "liftmaster",
    "chamberlain",
    "genie",
    "craftsman",
    "clopay",
    "wayne dalton",
    "chargepoint",
    "square d",
    "siemens",
    "eaton",
    "nest",
    "ecobee",
    "honeywell",
    "tesla",
    "whirlpool",
    "maytag",
    "samsung",
    "lg",
)


@dataclass(frozen=True)
class Understanding:
    """What a lead's message says, as far as the rules can tell."""

    text: str
    opt_out: bool = False
    opt_out_kind: str = ""  # "keyword" (STOP, END, ...) or "words" ("stop texting me")
    wrong_number: bool = False
    human_request: bool = False
    bot_question: bool = False
    sentiment: float = 0.0  # the whole message
    sentiment_at_us: float = 0.0  # only the part aimed at the business
    anger_target: bool = False
    abuse: bool = False
    decline: bool = False
    not_now: bool = False
    yes: bool = False
    confirms: bool = False  # a yes that takes an offered window ("yes", "sure", not "ok thanks")
    no: bool = False
    greeting: bool = False
    thanks: bool = False
    ack: bool = False
    job_type: str | None = None
    job_from_symptom: bool = False  # read from a symptom only ("it's leaking"), see Need
    outside: str | None = None
    urgent: bool = False
    wants_service: bool = False
    earliest: bool = False
    soonest_please: bool = False
    info_question: bool = False
    repeat: bool = False
    latest: bool = False
    ordinal: int | None = None
    more_times: bool = False
    when: When = field(default_factory=When)
    price_question: bool = False
    brand_question: bool = False
    brands_named: tuple[str, ...] = ()  # company brands named in the text, as configured
    other_brands: tuple[str, ...] = ()  # brands named that the company does not list
    hours_question: bool = False
    area_question: bool = False
    skill_question: bool = False
    office_question: bool = False  # payment, warranty, licences...: the office answers those
    general_question: bool = False
    reschedule: bool = False
    arrival_question: bool = False
    why_contacted: bool = False
    zip_code: str | None = None
    address: bool = False
    is_question: bool = False

    def angry(self, threshold: float) -> bool:
        """Upset with the business: abuse aimed at us, or a negative score aimed at the service.

        Only what is said about the business counts (Mood): "drain is clogged bad" and "worst
        week ever, the AC died" are about the problem, however negative they are.
        """
        return self.abuse or (self.anger_target and self.sentiment_at_us < threshold)

    @property
    def choice(self) -> bool:
        """The lead picked or described a time."""
        return self.ordinal is not None or self.earliest or self.latest or not self.when.is_empty

    @property
    def asks_something(self) -> bool:
        return (
            self.price_question
            or self.brand_question
            or self.hours_question
            or self.area_question
            or self.skill_question
            or self.office_question
            or self.general_question
            or self.bot_question
            or self.why_contacted
        )

    def intents(self) -> tuple[str, ...]:
        flags = (
            ("opt_out", self.opt_out),
            ("wrong_number", self.wrong_number),
            ("human_request", self.human_request),
            ("question:bot", self.bot_question),
            ("decline", self.decline),
            ("not_now", self.not_now),
            ("greeting", self.greeting),
            ("yes", self.yes),
            ("no", self.no),
            ("thanks", self.thanks),
            ("ack", self.ack),
        )
        found = [name for name, on in flags if on]
        if self.job_type:
            found.append(f"job:{self.job_type}")
        if self.outside:
            found.append(f"outside_skills:{self.outside}")
        found.extend(
            name
            for name, on in (
                ("urgent", self.urgent),
                ("wants_service", self.wants_service),
                ("ask_earliest", self.earliest),
                ("ask_latest", self.latest),
                ("more_times", self.more_times),
                ("question:price", self.price_question),
                ("question:brands", self.brand_question),
                ("question:hours", self.hours_question),
                ("question:service_area", self.area_question),
                ("question:skill", self.skill_question),
                ("question:office", self.office_question),
                ("question:general", self.general_question),
                ("reschedule", self.reschedule),
                ("question:why_contacted", self.why_contacted),
                ("repeat", self.repeat),
                ("address", self.address),
            )
            if on
        )
        if self.ordinal is not None:
            found.append(f"choose:{self.ordinal}")
        if not self.when.is_empty:
            found.append(f"when:{self.when.describe()}")
        if self.zip_code:
            found.append(f"zip:{self.zip_code}")
        return tuple(found)

    @property
    def understood(self) -> bool:
        return bool(self.intents())


def understand(text: str, *, today: date, brands: Iterable[str] = ()) -> Understanding:
    """Read one message from a lead; `today` is the company's local date."""
    norm = normalize(text)
    need = detect_need(text)
    ordinal = parse_ordinal(norm)
    when = parse_when(norm, today)
    zip_code = next((z for z in reversed(_ZIP.findall(norm)) if lookup_zip(z)), None)
    mood = read_mood(text)
    named, others = _brands_in(norm, brands)
    human = _any(_HUMAN_REQUEST, norm)
    keyword = _any(_OPT_OUT_KEYWORD, norm)
    earliest = _any(_EARLIEST, norm)
    no = _any(_NO_START, norm)
    choice_made = ordinal is not None or earliest or not when.is_empty
    decline = _any(_DECLINE, norm) and not choice_made
    yes = _any(_YES, norm) and not _any(_NOT_YES, norm) and not decline
    area = _any(_AREA, norm)
    serviced = _SERVICE_WHAT.search(norm)
    if serviced and not named and not others and need.job_type is None and need.outside is None:
        area = True
    return Understanding(
        text=text,
        opt_out=keyword or _any(_OPT_OUT_WORDS, norm),
        opt_out_kind="keyword" if keyword else "words",
        wrong_number=_any(_WRONG_NUMBER, norm),
        human_request=human,
        bot_question=_any(_BOT_QUESTION, norm) and not human,
        sentiment=sentiment_score(text),
        sentiment_at_us=mood.score,
        anger_target=mood.target,
        abuse=_any(_ABUSE_AT_YOU, norm),
        decline=decline,
        not_now=_any(_NOT_NOW, norm) and not choice_made,
        yes=yes and not no,
        no=no,
        greeting=_any(_GREETING, norm),
        thanks=_any(_THANKS, norm),
        ack=_any(_ACK, norm),
        confirms=yes and not no and (_any(_CONFIRM, norm) or not _any(_THANKS, norm)),
        job_type=need.job_type,
        job_from_symptom=need.by_symptom,
        outside=need.outside,
        urgent=_any(_URGENT, norm),
        wants_service=_any(_WANTS, norm),
        earliest=earliest,
        soonest_please=_any(_SOONEST_PLEASE, norm),
        info_question=_any(_INFO_QUESTION, norm),
        repeat=_any(_REPEAT, norm),
        latest=_any(_LATEST, norm) and ordinal in (None, -1),
        ordinal=ordinal,
        more_times=_any(_NEITHER, norm) or _any(_MORE_TIMES, norm),
        when=when,
        price_question=_any(_PRICE, norm),
        brand_question=bool(named or others) or _any(_BRAND_QUESTION, norm),
        brands_named=named,
        other_brands=others,
        hours_question=_any(_HOURS, norm),
        area_question=area,
        skill_question=_any(_SKILL_QUESTION, norm) and bool(need.job_type or need.outside),
        office_question=_any(_OFFICE_QUESTION, norm),
        general_question=_any(_QUESTIONS, norm),
        reschedule=_any(_RESCHEDULE, norm),
        arrival_question=_any(_ARRIVAL_QUESTION, norm),
        why_contacted=_any(_WHY_CONTACTED, norm),
        zip_code=zip_code,
        address=_any(_ADDRESS, norm),
        is_question="?" in text
        or bool(re.match(r"^\W*(what|when|how|which|do|does|can|is)\b", norm)),
    )


def _brands_in(norm: str, brands: Iterable[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    configured = list(brands)
    lowered = {normalize(b) for b in configured}
    named = tuple(b for b in configured if re.search(r"\b" + re.escape(normalize(b)) + r"\b", norm))
    others = tuple(
        b
        for b in KNOWN_BRANDS
        if b not in lowered and re.search(r"\b" + re.escape(b) + r"\b", norm)
    )
    return named, others


# --- Business hours ---------------------------------------------------------------------------

_DAY_NAMES = (
    (0, r"mon(day)?s?"),
    (1, r"tue(s|sday)?s?"),
    (2, r"wed(s|nesday)?s?"),
    (3, r"thu(r|rs|rsday)?s?"),
    (4, r"fri(day)?s?"),
    (5, r"sat(urday)?s?"),
    (6, r"sun(day)?s?"),
)
_DAY_TOKEN = re.compile(
    r"\b(" + "|".join(f"(?P<d{n}>{names})" for n, names in _DAY_NAMES) + r"|weekdays|weekends?)\b"
)
_EVERY_DAY = _rx(r"\b(24/7|7 days|seven days|every ?day|daily|all week)\b")


def closed_weekdays(business_hours: str) -> frozenset[int]:
    """The weekdays (Monday is 0) the business hours say the company is closed.

    Reads "Monday to Saturday, 7 am to 6 pm; closed Sunday", "Mon-Fri 8-5, Sat 9-1",
    "closed weekends". Days named as open make every other day closed; nothing readable
    means no day is known to be closed.
    """
    text = normalize(business_hours)
    if not text:
        return frozenset()
    closed: set[int] = set()
    open_days: set[int] = set()
    for part in re.split(r"[;,.\n]|\band\b(?=\s+closed)", text):
        days = _days_in(part)
        if re.search(r"\bclosed\b", part):
            closed |= days
        else:
            open_days |= days
    if _any(_EVERY_DAY, text):
        return frozenset(closed)
    if open_days:
        closed |= set(range(7)) - open_days
    return frozenset(closed - open_days)


def _days_in(part: str) -> set[int]:
    """The weekdays a piece of text names: single days, "weekdays", ranges ("Mon-Fri")."""
    found: list[tuple[int, int, int]] = []  # (start, end, weekday); -1 weekdays, -2 weekends
    for match in _DAY_TOKEN.finditer(part):
        said = match.group(1)
        if said == "weekdays":
            day = -1
        elif said.startswith("weekend"):
            day = -2
        else:
            day = next(n for n in range(7) if match.group(f"d{n}"))
        found.append((match.start(), match.end(), day))
    days: set[int] = set()
    skip = False
    for i, (_, end, day) in enumerate(found):
        if skip:
            skip = False
            continue
        if day == -1:
            days |= {0, 1, 2, 3, 4}
            continue
        if day == -2:
            days |= {5, 6}
            continue
        after = found[i + 1] if i + 1 < len(found) else None
        between = part[end : after[0]] if after else ""
        if after and after[2] >= 0 and re.fullmatch(r"\s*(-|to|through|thru|till|til)\s*", between):
            last = after[2]
            span = (last - day) % 7
            days |= {(day + k) % 7 for k in range(span + 1)}
            skip = True
        else:
            days.add(day)
    return days
