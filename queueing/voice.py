"""The voice of the calling display: espeak-ng (offline, Debian package `espeak-ng`) reads an announcement
into a WAV file once; the file is kept under VAR_DIR/queue-audio, named by a hash of what is said."""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import shutil
import subprocess
import threading
from pathlib import Path

from django.conf import settings

ESPEAK = "espeak-ng"
VOICE = ["-v", "vi", "-s", "150"]  # Vietnamese, a little slower than the default 175 words a minute
TIMEOUT = 15  # seconds; espeak-ng takes well under one for a sentence
_TICKET_CODE = re.compile(r"\b[A-Za-z]{0,2}\d{3,}\b")


class VoiceUnavailable(Exception):
    """espeak-ng is not installed or failed: the display shows the call without sound."""


def speech_text(text: str) -> str:
    """What espeak-ng is given for an announcement's text.

    A ticket code is read character by character: "1023" → "một không hai ba" rather than espeak's
    "một nghìn không trăm hai mươi ba". Half the syllables in a noisy hall, exactly what is printed on the
    ticket and shown on the screen (people compare digit by digit), and a code with zeros (A001, 2005)
    keeps them audible. The counter number (one or two digits) stays a number: "quầy số mười hai"."""
    return _TICKET_CODE.sub(lambda m: " ".join(m.group(0)), text)


def audio_dir() -> Path:
    return Path(settings.VAR_DIR) / "queue-audio"


_SYNTHESES = threading.BoundedSemaphore(2)


def wav_for(text: str) -> Path:
    """The WAV file of `text` (generated on first use). Raises VoiceUnavailable."""
    speech = speech_text(text)
    digest = hashlib.sha256(("\x1f".join([*VOICE, speech])).encode()).hexdigest()
    folder = audio_dir()
    path = folder / f"{digest}.wav"
    if path.is_file() and path.stat().st_size > 44:  # more than a bare WAV header
        return path
    exe = shutil.which(ESPEAK)
    if exe is None:
        raise VoiceUnavailable(f"{ESPEAK} is not installed")
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".{digest}.{secrets.token_hex(4)}.tmp"  # two requests at once each write their own file
    # At most two syntheses at once per process: requests for many old calls cannot take every web thread.
    if not _SYNTHESES.acquire(timeout=TIMEOUT):
        raise VoiceUnavailable("the speech engine is busy")
    try:
        # No shell; the text goes on stdin (never an argument espeak-ng could read as an option).
        subprocess.run([exe, *VOICE, "-w", str(tmp), "--stdin"], input=speech.encode(), timeout=TIMEOUT,
                       check=True, capture_output=True)
        if not tmp.is_file() or tmp.stat().st_size <= 44:
            raise VoiceUnavailable(f"{ESPEAK} wrote no sound")
        os.replace(tmp, path)
    except (OSError, subprocess.SubprocessError) as exc:
        raise VoiceUnavailable(str(exc)) from exc
    finally:
        _SYNTHESES.release()
        tmp.unlink(missing_ok=True)
    return path
