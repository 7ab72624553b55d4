"""Dress hand-written cores in the ways Colombian citizens actually write, for the corpus.

Not part of the service: a script run by hand when cores are added. Each line of
`train_cores.txt` and `heldout_cores.txt` is one request (or non-request) written by hand
for this project, labelled under `routing/data/README.md`'s guide (`label` or
`label:en|pt|fr` for a text in another language). This script gives each core the clothes
of a channel, deterministically (a fixed seed):

- WhatsApp, SMS, Telegram and X DMs: no accents, lower case or ALL CAPS, "q", "xfa",
  "pa", a dropped letter, a greeting and a sign-off of one word;
- voice-mail transcriptions: "eh buenas tardes mire yo llamaba porque…", no punctuation;
- e-mails: greeting, the name, "Enviado desde mi…", and sometimes the quoted history of
  a reply ("El lun., 3 de mar. de 2026, … escribió:" and `>` lines);
- formal letters: "Señores Unidad Administrativa Especial del Servicio Público de Empleo
  … Asunto … Cordialmente", a name and an invented cédula.

Train cores are appended to `pqrsdf/<label>.csv` (each core gives up to three rows; all
the rows of one core share a split: every 5th core of a label is `test`, so no core is
both trained on and measured). Held-out cores go to `heldout/pqrsdf_realistic.csv`
(`text,label,style`), which nothing trains on:
`ventanilla classifier evaluate routing/data/heldout/pqrsdf_realistic.csv`.
Rows already present are never written twice, so running it again adds only new cores.

    .venv/bin/python routing/data/realistic/generate.py
"""

from __future__ import annotations

import csv
import random
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPUS = HERE.parent / "pqrsdf"
HELDOUT = HERE.parent / "heldout" / "pqrsdf_realistic.csv"
NOT_REQUESTS = {"comentario", "spam", "vacio", "autorespuesta"}
CHAT_STYLES = ("whatsapp", "sms", "telegram", "x_dm")
ALL_STYLES = (*CHAT_STYLES, "voice", "email_informal", "email_formal", "letter")

# Spanish shorthand as people type it on a phone (whole words, on lower-case text).
_SHORTHAND = {
    "que": ("q", "k", "que"),
    "por favor": ("xfa", "porfa", "x favor", "por fa"),
    "porque": ("xq", "porq", "pq"),
    "para": ("pa", "pa", "para"),
    "también": ("tb", "tambien"),
    "necesito": ("nesecito", "necesito", "nececito"),
    "hola": ("ola", "holaa", "hola"),
    "hoja de vida": ("hv", "hoja de vida"),
    "gracias": ("grax", "gracias", "graciass"),
    "mensaje": ("msj", "mensaje"),
    "usted": ("ud", "usted"),
    "ya": ("ya", "yaa"),
    "a ver": ("aver",),
    "haber": ("aver", "haber"),
}
_GREETINGS = ("buenas", "buenos dias", "buenas tardes", "hola", "holaa buenas", "buen dia", "")
_SIGN_OFFS = ("gracias", "xfa", "🙏", "porfa", "gracias quedo atenta", "", "", "👍")
_NAMES = (
    "Yurani Castaño",
    "Wilson Ortega",
    "Leidy Johana Pérez",
    "Jhon Fredy Ríos",
    "María Camila Ortiz",
    "Deiver Palacios",
    "Sandra Milena Rojas",
    "Luis Ángel Mosquera",
    "Nathaly Guzmán",
    "Edwin Arley Moreno",
    "Rosa Elvira Quintero",
    "Kevin Andrés Salcedo",
    "Yesica Paola Díaz",
    "Hernán Darío Gil",
    "Luz Marina Cárdenas",
    "Brayan Stiven Cruz",
)
_SUBJECTS = (
    "Derecho de petición",
    "Solicitud",
    "Mi caso",
    "Servicio Público de Empleo",
    "Escrito ciudadano",
    "Comunicación",
    "Referencia: inscripción",
    "Asunto urgente",
)
_QUOTED = (
    "El {day}., {n} de {month}. de 2026, {hour} a. m., Servicio Público de Empleo "
    "<atencion@spe.example.co> escribió:\n> Cordial saludo.\n> Hemos recibido su mensaje y "
    "será atendido en los términos de ley.\n> Atentamente, Grupo de Atención al Ciudadano"
)


def _plain(text: str) -> str:
    """Without accents (ñ kept), as most phones type it."""
    decomposed = unicodedata.normalize("NFD", text)
    kept = "".join(c for c in decomposed if unicodedata.category(c) != "Mn" or c == "\u0303")
    return unicodedata.normalize("NFC", kept)


def _typo(text: str, rng: random.Random) -> str:
    words = text.split(" ")
    long = [i for i, w in enumerate(words) if len(w) > 5 and w.isalpha()]
    if not long:
        return text
    i = rng.choice(long)
    word = words[i]
    j = rng.randrange(1, len(word) - 1)
    words[i] = word[:j] + word[j + 1 :] if rng.random() < 0.5 else word[:j] + word[j] + word[j:]
    return " ".join(words)


def _pick(forms: tuple[str, ...], rng: random.Random) -> Callable[[re.Match[str]], str]:
    """A replacement that picks one form per occurrence ("q" here, "que" there)."""
    return lambda _: rng.choice(forms)


def _casual(text: str, rng: random.Random, lang: str) -> str:
    text = text.lower() if rng.random() < 0.7 else text
    if lang:
        return text if rng.random() < 0.5 else _plain(text)
    text = _plain(text) if rng.random() < 0.8 else text
    text = text.replace("¿", "").replace("¡", "")
    for word, forms in _SHORTHAND.items():
        pattern = re.compile(rf"\b{re.escape(_plain(word))}\b|\b{re.escape(word)}\b")
        if rng.random() < 0.6:
            text = pattern.sub(_pick(forms, rng), text)
    if rng.random() < 0.4:
        text = _typo(text, rng)
    return text.rstrip(".")


def _cedula(rng: random.Random) -> str:
    return (
        f"1.{rng.randint(0, 1)}{rng.randint(0, 9)}{rng.randint(0, 9)}.000.{rng.randint(100, 999)}"
    )


def dress(text: str, label: str, lang: str, style: str, rng: random.Random) -> str:
    """One core in one channel's clothes."""
    name = rng.choice(_NAMES)
    if style in CHAT_STYLES:
        body = _casual(text, rng, lang)
        if style == "sms" and rng.random() < 0.4:
            body = _plain(body).upper()
        greeting = "" if lang else rng.choice(_GREETINGS)
        sign = "" if lang or label in NOT_REQUESTS else rng.choice(_SIGN_OFFS)
        return " ".join(part for part in (greeting, body, sign) if part).strip()
    if style == "voice":
        opener = rng.choice(
            ("eh buenas tardes mire yo llamaba porque", "si alo buenos dias es que", "buenas eh")
        )
        body = re.sub(r"[¿?¡!.,;:]", "", _plain(text).lower())
        return f"{'' if lang else opener + ' '}{body}"
    if style == "email_informal":
        greeting = {"en": "Hello,", "fr": "Bonjour,", "pt": "Olá, boa tarde."}.get(
            lang, rng.choice(("Hola, buenas tardes.", "Buenos días", "Cordial saludo,", "Hola"))
        )
        parts = [greeting, "", text if rng.random() < 0.6 else _plain(text), "", name]
        if rng.random() < 0.4:
            parts.append(rng.choice(("Enviado desde mi Android", "Enviado desde mi iPhone")))
        if rng.random() < 0.5:
            day, month = rng.choice(
                (("lun", "mar"), ("mar", "feb"), ("mié", "ene"), ("jue", "mar"), ("vie", "feb"))
            )
            quoted = _QUOTED.format(day=day, n=rng.randint(1, 28), month=month, hour="9:14")
            parts += ["", quoted]
        return "\n".join(parts)
    # email_formal and letter: only requests come dressed like this.
    subject = rng.choice(_SUBJECTS)
    opener = rng.choice(
        ("", "Por medio de la presente me dirijo a ustedes. ", "De manera respetuosa, ")
    )
    city = rng.choice(("Bogotá D.C.", "Medellín", "Cali", "Barranquilla", "Bucaramanga"))
    head = f"{city}, {rng.randint(1, 28)} de marzo de 2026\n\n" if style == "letter" else ""
    return (
        f"{head}Señores\nUnidad Administrativa Especial del Servicio Público de Empleo\n"
        f"Bogotá D.C.\n\nAsunto: {subject}\n\nRespetados señores:\n\n{opener}{text}\n\n"
        f"Cordialmente,\n\n{name.upper()}\nC.C. {_cedula(rng)}\nCel. 3{rng.randint(0, 2)}0 000 "
        f"{rng.randint(1000, 9999)}"
    )


def _styles(label: str, lang: str, rng: random.Random, count: int) -> list[str]:
    allowed = (*CHAT_STYLES, "email_informal") if label in NOT_REQUESTS or lang else ALL_STYLES
    return rng.sample(allowed, k=min(count, len(allowed)))


def read_cores(path: Path) -> list[tuple[str, str, str]]:
    cores = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        tag, text = line.split("\t", 1)
        label, _, lang = tag.partition(":")
        cores.append((label, lang, text.strip()))
    return cores


def _existing_texts() -> set[str]:
    texts: set[str] = set()
    for path in CORPUS.glob("*.csv"):
        with path.open(newline="", encoding="utf-8") as handle:
            texts.update(row["text"] for row in csv.DictReader(handle))
    return texts


def main() -> None:
    rng = random.Random(1755)
    seen = _existing_texts()
    per_label: dict[str, list[dict[str, str]]] = {}
    core_number: dict[str, int] = {}
    for label, lang, text in read_cores(HERE / "train_cores.txt"):
        core_number[label] = core_number.get(label, 0) + 1
        split = "test" if core_number[label] % 5 == 0 else "train"
        for style in _styles(label, lang, rng, 3):
            dressed = dress(text, label, lang, style, rng)
            if dressed not in seen:
                seen.add(dressed)
                per_label.setdefault(label, []).append(
                    {"text": dressed, "style": style, "split": split}
                )
    for label, rows in per_label.items():
        with (CORPUS / f"{label}.csv").open("a", newline="", encoding="utf-8") as handle:
            csv.DictWriter(handle, fieldnames=["text", "style", "split"]).writerows(rows)
    held: list[dict[str, str]] = []
    # Its own seed: adding train cores never changes the held-out file.
    rng = random.Random(2015)
    for label, lang, text in read_cores(HERE / "heldout_cores.txt"):
        for style in _styles(label, lang, rng, 2):
            dressed = dress(text, label, lang, style, rng)
            if dressed not in seen:
                seen.add(dressed)
                held.append({"text": dressed, "label": label, "style": style})
    HELDOUT.parent.mkdir(exist_ok=True)
    with HELDOUT.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["text", "label", "style"])
        writer.writeheader()
        writer.writerows(held)
    added = sum(len(rows) for rows in per_label.values())
    print(f"{added} corpus rows appended, {len(held)} held-out rows -> {HELDOUT}")


if __name__ == "__main__":
    main()
