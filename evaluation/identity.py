"""Real identities behind pseudonyms, encrypted at rest with the keys in EISEN_IDENTITY_KEY.

The variable holds Fernet keys, comma-separated, newest first: the newest encrypts, every one of
them decrypts, so a key is rotated by putting a new key in front of the old one.
"""

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.utils.translation import gettext as _

GENERATE_KEY_COMMAND = (
    'python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"'
)


class IdentityKeyError(Exception):
    """The identity key is missing, malformed, or does not open what is stored."""


def identity_key_configured() -> bool:
    return bool(settings.EISEN_IDENTITY_KEYS)


def _cipher() -> MultiFernet:
    keys = settings.EISEN_IDENTITY_KEYS
    if not keys:
        raise IdentityKeyError(
            _(
                "Real identities cannot be stored: no identity key is set. Set the environment "
                "variable EISEN_IDENTITY_KEY to a Fernet key, made with %(command)s, and restart "
                "the app."
            )
            % {"command": GENERATE_KEY_COMMAND}
        )
    fernets = []
    for number, key in enumerate(keys, start=1):
        try:
            fernets.append(Fernet(key))
        except ValueError:
            raise IdentityKeyError(
                _(
                    "Key %(number)s of %(count)s in EISEN_IDENTITY_KEY is not a Fernet key "
                    "(32 bytes, URL-safe base64). Make one with %(command)s."
                )
                % {"number": number, "count": len(keys), "command": GENERATE_KEY_COMMAND}
            ) from None
    return MultiFernet(fernets)


def encrypt(text: str) -> bytes:
    return _cipher().encrypt(text.encode("utf-8"))


def decrypt(token: bytes) -> str:
    try:
        return _cipher().decrypt(bytes(token)).decode("utf-8")
    except InvalidToken:
        raise IdentityKeyError(
            _(
                "This identity was encrypted with a key that is no longer in EISEN_IDENTITY_KEY. "
                "Put the old key back after the new one (comma-separated, newest first)."
            )
        ) from None
