"""Build the committed sample media for the Agence Presse Audio demo show.

Run from the repository root::

    python episodes/make_sample_media.py

What it makes, from the text of the episode's web page ("Coopération/
Mali-Turquie : L'arsenal militaire turc en vitrine à Bamako", Agence Presse
Audio, 12 November 2025), which is transcribed into ``SECTIONS`` below:

* ``episodes/2025-11-12-mali-turquie/audio.mp3``: French speech of the title,
  summary, body and credits, one espeak-ng call per sentence, joined with
  short silences and encoded as untagged mono CBR MP3 (kept under 1 MB);
* ``episodes/2025-11-12-mali-turquie/transcript.vtt``: WebVTT transcript whose
  cue times are the real sample offsets of each sentence in the audio;
* ``episodes/2025-11-12-mali-turquie/chapters.json``: Podcasting 2.0 JSON
  chapters (version 1.2.0), one per section;
* ``cover.jpg`` (show art) and ``episodes/2025-11-12-mali-turquie/cover.jpg``
  (episode art): 1400x1400 RGB JPEGs drawn with Pillow.

Tools needed: the ``espeak-ng`` command (Debian package espeak-ng, French
voice ``fr``), and the Python packages ``lameenc`` and ``Pillow`` (>= 10.1).
A DejaVu/Liberation TrueType font is used when present, otherwise Pillow's
built-in font. The output is deterministic for given espeak-ng, LAME and
Pillow versions: no timestamps, no randomness, no tags or EXIF.
"""

from __future__ import annotations

import json
import re
import subprocess
import tempfile
import wave
from dataclasses import dataclass
from pathlib import Path

import lameenc
from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
EPISODE_DIR = ROOT / "episodes" / "2025-11-12-mali-turquie"
NARRATOR = "Sam Rivers"

SAMPLE_RATE = 22050
SPEED_WPM = 165
SENTENCE_GAP_S = 0.35
SECTION_GAP_S = 0.8
TAIL_S = 0.25
BITRATES_KBPS = (48, 40, 32, 24)
MAX_MP3_BYTES = 1_000_000

COVER_SIZE = 1400
MARGIN = 120
TEXT_WIDTH = COVER_SIZE - 2 * MARGIN
MAX_JPEG_BYTES = 300_000
FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/truetype/liberation"),
)
BOLD_FONTS = ("DejaVuSans-Bold.ttf", "LiberationSans-Bold.ttf")
REGULAR_FONTS = ("DejaVuSans.ttf", "LiberationSans-Regular.ttf")

# (chapter title, paragraph text), split into sentences by ``sentences()``.
# The page's summary sentence also opens its first body paragraph; it is spoken
# once, in the introduction. Web UI text ("On l’écoute", comments) is left out.
SECTIONS: tuple[tuple[str, str], ...] = (
    (
        "Introduction",
        (
            "Coopération. "
            "Mali-Turquie : L’arsenal militaire turc en vitrine à Bamako. "
            "Les entreprises turques ont déployé leur savoir-faire au Mali, "
            "en matière d’armement, lors de la première édition du salon "
            "international de la défense et de la sécurité. "
            "Cet événement qui se tient du 11 au 14 novembre 2025 à Bamako, "
            "marque une nouvelle étape dans le renforcement des relations "
            "militaires entre la Turquie et ce pays d'Afrique de l'Ouest."
        ),
    ),
    (
        "Le salon de Bamako",
        (
            "Fusils d'assaut, drones de surveillance sophistiqués et "
            "munitions : un arsenal impressionnant a été dévoilé au Parc des "
            "expositions de la capitale malienne durant plusieurs jours. "
            "Cet équipement est susceptible d'intéresser fortement l'armée "
            "malienne, en première ligne dans sa lutte acharnée contre les "
            "groupes djihadistes qui continuent d'écumer de vastes pans du "
            "territoire. "
            "Sabri Guler, spécialiste des exportations chez Hedef Defence, "
            "apporte des éclaircissements sur les principales commandes déjà "
            "passées par le gouvernement malien dans le domaine de la défense."
        ),
    ),
    (
        "La stratégie malienne",
        (
            "De son côté, le ministre malien de la Défense, Sadio Camara, a "
            "souligné l'impératif pour son pays de diversifier ses partenaires "
            "afin de faire face efficacement aux groupes armés. "
            "La Turquie figure désormais en bonne place sur cette liste, dans "
            "un contexte où Bamako dénonce vigoureusement des puissances "
            "extérieures accusées de collusion avec les terroristes. "
            "Le ministre Sadio Camara explique la stratégie malienne de "
            "diversification des alliances. "
            "Il est à noter que le Mali a également intensifié ses "
            "acquisitions d'équipements militaires et reçu le soutien "
            "d'unités de mercenaires en provenance de la Russie, accentuant "
            "ainsi le tournant de sa politique de défense."
        ),
    ),
    (
        "Crédits",
        (
            "Réalisation : Agence Presse Audio. "
            "Mise en onde et mix : Agence Presse Audio. "
            "Illustration : Agence Presse Audio. "
            "Production : Agence Presse Audio. "
            f"Texte et récit : {NARRATOR}."
        ),
    ),
)


def sentences(paragraph: str) -> list[str]:
    """Split a paragraph into sentences at '.', '!' or '?' plus a space."""
    return re.split(r"(?<=[.!?])\s+", paragraph.strip())


@dataclass(frozen=True)
class Cue:
    """One spoken sentence and its position in the audio, in samples."""

    text: str
    start: int
    end: int


# ---------------------------------------------------------------- audio


def synthesize(text: str, wav_path: Path) -> bytes:
    """Speak ``text`` with espeak-ng (French) and return 16-bit mono PCM."""
    spoken = text.replace("’", "'")
    cmd = ["espeak-ng", "-v", "fr", "-s", str(SPEED_WPM), "-w", str(wav_path)]
    subprocess.run([*cmd, spoken], check=True, capture_output=True)
    with wave.open(str(wav_path), "rb") as wav:
        if (wav.getnchannels(), wav.getsampwidth()) != (1, 2):
            raise RuntimeError(f"unexpected espeak-ng WAV format: {wav_path}")
        if wav.getframerate() != SAMPLE_RATE:
            raise RuntimeError(f"unexpected sample rate {wav.getframerate()}")
        return wav.readframes(wav.getnframes())


def silence(seconds: float) -> bytes:
    """Return ``seconds`` of 16-bit mono digital silence."""
    return b"\x00\x00" * round(seconds * SAMPLE_RATE)


def build_speech(tmp: Path) -> tuple[bytes, list[Cue], list[int]]:
    """Synthesize every section; return PCM, cues and section start samples."""
    pcm = bytearray()
    cues: list[Cue] = []
    section_starts: list[int] = []
    for s_index, (_, paragraph) in enumerate(SECTIONS):
        if s_index:
            pcm += silence(SECTION_GAP_S)
        section_starts.append(len(pcm) // 2)
        for index, text in enumerate(sentences(paragraph)):
            if index:
                pcm += silence(SENTENCE_GAP_S)
            start = len(pcm) // 2
            pcm += synthesize(text, tmp / f"s{s_index:02d}-{index:02d}.wav")
            cues.append(Cue(text, start, len(pcm) // 2))
    pcm += silence(TAIL_S)
    return bytes(pcm), cues, section_starts


def encode_mp3(pcm: bytes, kbps: int) -> bytes:
    """Encode mono PCM at SAMPLE_RATE to CBR MP3 (no ID3 tags)."""
    encoder = lameenc.Encoder()
    encoder.set_bit_rate(kbps)
    encoder.set_in_sample_rate(SAMPLE_RATE)
    encoder.set_channels(1)
    encoder.set_quality(2)
    return bytes(encoder.encode(pcm)) + bytes(encoder.flush())


def encode_under_limit(pcm: bytes) -> tuple[bytes, int]:
    """Encode at the highest bitrate in BITRATES_KBPS that fits under 1 MB."""
    for kbps in BITRATES_KBPS:
        mp3 = encode_mp3(pcm, kbps)
        if len(mp3) < MAX_MP3_BYTES:
            return mp3, kbps
    raise RuntimeError("speech too long to fit under the MP3 size limit")


# ---------------------------------------------------- transcript, chapters


def vtt_time(sample: int) -> str:
    """Format a sample offset as a WebVTT timestamp HH:MM:SS.mmm."""
    ms = round(sample * 1000 / SAMPLE_RATE)
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}"


def vtt_escape(text: str) -> str:
    """Escape the characters WebVTT cue text reserves."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def render_vtt(cues: list[Cue]) -> str:
    """Render the cues as a WebVTT document with narrator voice tags."""
    blocks = ["WEBVTT"]
    for number, cue in enumerate(cues, start=1):
        timing = f"{vtt_time(cue.start)} --> {vtt_time(cue.end)}"
        body = f"<v {NARRATOR}>{vtt_escape(cue.text)}"
        blocks.append(f"{number}\n{timing}\n{body}")
    return "\n\n".join(blocks) + "\n"


def render_chapters(section_starts: list[int]) -> str:
    """Render Podcasting 2.0 JSON chapters, one per section."""
    chapters = [
        {"startTime": round(start / SAMPLE_RATE, 3), "title": title}
        for (title, _), start in zip(SECTIONS, section_starts, strict=True)
    ]
    doc = {"version": "1.2.0", "chapters": chapters}
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


# ---------------------------------------------------------------- artwork


def load_font(names: tuple[str, ...], size: int) -> ImageFont.ImageFont:
    """Return the first TrueType font found, else Pillow's built-in one."""
    for folder in FONT_DIRS:
        for name in names:
            if (folder / name).is_file():
                return ImageFont.truetype(str(folder / name), size)
    return ImageFont.load_default(size=size)


def gradient(top: tuple[int, int, int], bottom: tuple[int, int, int]) -> Image.Image:
    """Return a square vertical gradient from ``top`` to ``bottom``."""
    size = COVER_SIZE
    column = Image.new("RGB", (1, size))
    for y in range(size):
        t = y / (size - 1)
        column.putpixel(
            (0, y),
            tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)),
        )
    return column.resize((size, size), Image.Resampling.NEAREST)


def wrap(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.ImageFont, width: int) -> list[str]:
    """Greedily wrap ``text`` into lines no wider than ``width`` pixels."""
    lines: list[str] = []
    for word in text.split():
        candidate = f"{lines[-1]} {word}" if lines else word
        if lines and draw.textlength(candidate, font=font) <= width:
            lines[-1] = candidate
        else:
            lines.append(word)
    return lines


def fit_font(draw: ImageDraw.ImageDraw, text: str, names: tuple[str, ...], size: int) -> ImageFont.ImageFont:
    """Return the largest font up to ``size`` that fits ``text`` on one line."""
    font = load_font(names, size)
    while size > 40 and draw.textlength(text, font=font) > TEXT_WIDTH:
        size -= 4
        font = load_font(names, size)
    return font


def draw_block(
    draw: ImageDraw.ImageDraw,
    y: int,
    text: str,
    font: ImageFont.ImageFont,
    fill: tuple[int, int, int],
) -> int:
    """Draw wrapped, left-aligned ``text`` from ``y``; return the next y."""
    size = font.size if isinstance(font, ImageFont.FreeTypeFont) else 40
    for line in wrap(draw, text, font, TEXT_WIDTH):
        draw.text((MARGIN, y), line, font=font, fill=fill)
        y += round(size * 1.22)
    return y


def draw_frame(draw: ImageDraw.ImageDraw, accent: tuple[int, int, int]) -> None:
    """Draw the accent bar and footer rule shared by both covers."""
    draw.rectangle((MARGIN, 150, MARGIN + 180, 166), fill=accent)
    rule = (MARGIN, 1220, COVER_SIZE - MARGIN, 1223)
    draw.rectangle(rule, fill=(200, 200, 215))


def show_cover() -> Image.Image:
    """Draw the show artwork: 'Agence Presse Audio' / 'Documentaires'."""
    image = gradient((14, 22, 48), (52, 18, 46))
    draw = ImageDraw.Draw(image)
    draw_frame(draw, (235, 170, 60))
    y = draw_block(draw, 360, "Agence Presse Audio", load_font(BOLD_FONTS, 170), (245, 245, 250))
    draw_block(draw, y + 60, "Documentaires", load_font(REGULAR_FONTS, 100), (235, 170, 60))
    draw_block(
        draw,
        1260,
        "Récits sonores en français",
        load_font(REGULAR_FONTS, 48),
        (200, 200, 215),
    )
    return image


def episode_cover() -> Image.Image:
    """Draw the episode artwork for the Mali–Turquie documentary."""
    image = gradient((10, 34, 40), (46, 22, 20))
    draw = ImageDraw.Draw(image)
    draw_frame(draw, (230, 120, 70))
    title_font = fit_font(draw, "Mali – Turquie", BOLD_FONTS, 160)
    y = draw_block(draw, 400, "Mali – Turquie", title_font, (245, 245, 250))
    subtitle = "L’arsenal militaire turc en vitrine à Bamako"
    y = draw_block(draw, y + 50, subtitle, load_font(REGULAR_FONTS, 84), (230, 230, 238))
    draw_block(draw, y + 50, "12 novembre 2025", load_font(REGULAR_FONTS, 64), (230, 120, 70))
    draw_block(
        draw,
        1260,
        "Agence Presse Audio · Documentaires",
        load_font(REGULAR_FONTS, 48),
        (200, 200, 215),
    )
    return image


def save_jpeg(image: Image.Image, path: Path) -> None:
    """Save ``image`` as a deterministic baseline RGB JPEG under 300 KB."""
    path.parent.mkdir(parents=True, exist_ok=True)
    image.convert("RGB").save(path, "JPEG", quality=85, optimize=True, progressive=False)
    if path.stat().st_size >= MAX_JPEG_BYTES:
        raise RuntimeError(f"{path} is larger than {MAX_JPEG_BYTES} bytes")


# ------------------------------------------------------------------- main


def write_text(path: Path, text: str) -> None:
    """Write UTF-8 text with LF line endings."""
    path.write_text(text, encoding="utf-8", newline="\n")


def main() -> None:
    """Generate the audio, transcript, chapters and both covers."""
    EPISODE_DIR.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="apa-speech-") as tmp:
        pcm, cues, section_starts = build_speech(Path(tmp))
    mp3, kbps = encode_under_limit(pcm)
    (EPISODE_DIR / "audio.mp3").write_bytes(mp3)
    write_text(EPISODE_DIR / "transcript.vtt", render_vtt(cues))
    write_text(EPISODE_DIR / "chapters.json", render_chapters(section_starts))
    save_jpeg(show_cover(), ROOT / "cover.jpg")
    save_jpeg(episode_cover(), EPISODE_DIR / "cover.jpg")
    seconds = len(pcm) / 2 / SAMPLE_RATE
    print(f"audio.mp3: {len(mp3)} bytes, {kbps} kbps, {seconds:.3f} s, {len(cues)} cues")


if __name__ == "__main__":
    main()
