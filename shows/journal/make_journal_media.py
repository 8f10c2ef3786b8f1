"""Build the committed media of the sample's second show, the agency's daily bulletin.

Run from the repository root::

    python shows/journal/make_journal_media.py

What it makes, with the helpers of ``episodes/make_sample_media.py`` (the first show's generator):

* ``shows/journal/episodes/2025-11-13-journal/audio.mp3``: the bulletin of 13 November 2025 in French
  speech (espeak-ng, one call per sentence, joined with short silences), brought to -19 LUFS integrated
  (Apple's level for mono) by ffmpeg's ``loudnorm`` filter (and measured with its ``ebur128``), encoded as
  untagged mono CBR MP3 (well under 300 KB);
* ``shows/journal/episodes/2025-11-13-journal/transcript.vtt``: its WebVTT transcript, each cue at the
  real sample offsets of its sentence;
* ``shows/journal/cover.jpg``: the show's 1400x1400 RGB artwork, drawn with Pillow.

Tools needed: what ``make_sample_media.py`` needs (espeak-ng, lameenc, Pillow) and ffmpeg (on PATH, or the
one the PyPI package imageio-ffmpeg ships). Nothing else needs them: the files are committed.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
import wave
from pathlib import Path

from PIL import ImageDraw

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT / "episodes"))

import make_sample_media as sample  # noqa: E402  (the first show's generator, next to its episodes)

EPISODE_DIR = HERE / "episodes" / "2025-11-13-journal"
TARGET_LUFS = -19.0
"""Apple's integrated loudness for a mono programme (-16 for stereo), within 1 LU."""
TRUE_PEAK = -2.0
"""The highest true peak loudnorm lets through (dBTP), under Apple's -1."""
KBPS = 32
MAX_MP3_BYTES = 300_000

BULLETIN = (
    "Le journal d'Agence Presse Audio, ce jeudi 13 novembre 2025. "
    "À Bamako, le premier salon international de la défense et de la sécurité se poursuit jusqu'à demain, "
    "au Parc des expositions. "
    "Les entreprises turques y présentent des drones de surveillance, des fusils d'assaut et des munitions. "
    "Le ministre malien de la Défense, Sadio Camara, y a rappelé la volonté de son pays de diversifier "
    "ses partenaires. "
    "Notre documentaire consacré à ce salon est à écouter dans le fil des documentaires de l'agence. "
    "C'était le journal d'Agence Presse Audio. Merci de votre écoute."
)


def speech(tmp: Path) -> tuple[bytes, list[sample.Cue]]:
    """The bulletin as 16-bit mono PCM, and one cue per sentence."""
    pcm = bytearray(sample.silence(0.3))
    cues = []
    for index, text in enumerate(sample.sentences(BULLETIN)):
        if index:
            pcm += sample.silence(sample.SENTENCE_GAP_S)
        start = len(pcm) // 2
        pcm += sample.synthesize(text, tmp / f"s{index:02d}.wav")
        cues.append(sample.Cue(text, start, len(pcm) // 2))
    pcm += sample.silence(sample.TAIL_S)
    return bytes(pcm), cues


def ffmpeg() -> str:
    """ffmpeg on PATH, else imageio-ffmpeg's."""
    found = shutil.which("ffmpeg")
    if found:
        return found
    import imageio_ffmpeg

    return str(imageio_ffmpeg.get_ffmpeg_exe())


def integrated_lufs(pcm: bytes, tmp: Path) -> float:
    """The integrated loudness of ``pcm`` (BS.1770 / EBU R128), as ffmpeg's ebur128 filter measures it."""
    wav = tmp / "measure.wav"
    with wave.open(str(wav), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(sample.SAMPLE_RATE)
        out.writeframes(pcm)
    args = [ffmpeg(), "-hide_banner", "-nostats", "-i", str(wav), "-af", "ebur128", "-f", "null", "-"]
    report = subprocess.run(args, check=True, capture_output=True, text=True).stderr
    found = re.findall(r"I:\s+(-?\d+(?:\.\d+)?) LUFS", report)
    if not found:
        raise RuntimeError(f"ffmpeg's ebur128 gave no integrated loudness:\n{report}")
    return float(found[-1])


def normalised(pcm: bytes) -> bytes:
    """``pcm`` brought to TARGET_LUFS by ffmpeg's loudnorm filter (EBU R128), its true peak kept under
    TRUE_PEAK, at the same rate and length."""
    loudnorm = f"loudnorm=I={TARGET_LUFS}:TP={TRUE_PEAK}:LRA=11,aresample={sample.SAMPLE_RATE}"
    raw = ["-f", "s16le", "-ac", "1", "-ar", str(sample.SAMPLE_RATE)]
    args = [ffmpeg(), "-hide_banner", "-nostats", *raw, "-i", "-", "-af", loudnorm, *raw, "-"]
    out = subprocess.run(args, input=pcm, check=True, capture_output=True).stdout
    return out[: len(pcm)].ljust(len(pcm), b"\x00")


def cover() -> sample.Image.Image:
    """The show's artwork: 'Agence Presse Audio' / 'Le journal'."""
    image = sample.gradient((12, 40, 44), (18, 24, 60))
    draw = ImageDraw.Draw(image)
    sample.draw_frame(draw, (90, 200, 180))
    y = sample.draw_block(draw, 360, "Agence Presse Audio", sample.load_font(sample.BOLD_FONTS, 170), (245, 245, 250))
    sample.draw_block(draw, y + 60, "Le journal", sample.load_font(sample.REGULAR_FONTS, 110), (90, 200, 180))
    footer = "L’actualité du jour, en quelques minutes"
    sample.draw_block(draw, 1260, footer, sample.load_font(sample.REGULAR_FONTS, 48), (200, 200, 215))
    return image


def main() -> None:
    """Generate the bulletin's audio and transcript and the show's cover."""
    EPISODE_DIR.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="apa-journal-") as name:
        tmp = Path(name)
        pcm, cues = speech(tmp)
        pcm = normalised(pcm)
        level = integrated_lufs(pcm, tmp)
    mp3 = sample.encode_mp3(pcm, KBPS)
    if len(mp3) >= MAX_MP3_BYTES:
        raise RuntimeError(f"audio.mp3 is {len(mp3)} bytes, over {MAX_MP3_BYTES}")
    (EPISODE_DIR / "audio.mp3").write_bytes(mp3)
    sample.write_text(EPISODE_DIR / "transcript.vtt", sample.render_vtt(cues))
    sample.save_jpeg(cover(), HERE / "cover.jpg")
    seconds = len(pcm) / 2 / sample.SAMPLE_RATE
    print(f"audio.mp3: {len(mp3)} bytes, {KBPS} kbps, {seconds:.3f} s, {level:.1f} LUFS, {len(cues)} cues")


if __name__ == "__main__":
    main()
