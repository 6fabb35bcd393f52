"""Reference codes that people can read aloud, and secret tokens stored only as hashes."""
import hashlib
import hmac
import secrets

# No look-alikes: no 0 or O, no 1, I or L.
REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
REFERENCE_LENGTH = 8


def new_reference() -> str:
    return "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))


def normalise_reference(text: str) -> str:
    """What a person types ("km7q 3x9p", "KM7Q-3X9P") as the stored form."""
    return "".join(ch for ch in text.upper() if ch.isalnum())


def format_reference(reference: str) -> str:
    """Groups of four are easier to read aloud and copy: KM7Q-3X9P."""
    return f"{reference[:4]}-{reference[4:]}" if len(reference) == 8 else reference


def new_token() -> str:
    """192 random bits, URL-safe."""
    return secrets.token_urlsafe(24)


def hash_token(token: str) -> str:
    # The token has 192 bits of entropy, so a fast hash is enough: nothing to brute-force.
    return hashlib.sha256(token.encode()).hexdigest()


def token_matches(token: str | None, stored_hash: str | None) -> bool:
    if not token or not stored_hash:
        return False
    return hmac.compare_digest(hash_token(token), stored_hash)
