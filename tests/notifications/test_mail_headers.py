"""Mail headers with Danish text: RFC 2047 encoded words that any mail reader decodes."""

import base64
import itertools
from email.header import decode_header, make_header

import pytest

from notifications.mailer import MAX_WORD_BYTES, _encoded_words, _header

SUBJECTS = [
    "Frist om 7 dage: Baselinemåling – Energistyring i kommunale bygninger i Vejle Kommune",
    "æ" * 60,
    "ø",
    "a" * 38 + "å" + "b" * 80,
    "Ærø 🙂 Ålborg 🙂🙂 " * 6,
]


@pytest.mark.parametrize("value", SUBJECTS)
def test_encoded_words_decode_to_the_text_and_stay_within_the_limits(value: str) -> None:
    encoded = _encoded_words(value)
    assert str(make_header(decode_header(encoded))) == value
    lines = encoded.split("\r\n ")
    assert all(len(line) <= 76 for line in lines)
    assert all(line.startswith("=?utf-8?b?") and line.endswith("?=") for line in lines)
    words = [base64.b64decode(line[len("=?utf-8?b?") : -2]) for line in lines]
    # Each word is whole UTF-8 on its own (no character cut in two) and as full as allowed:
    # one more character would not have fitted.
    assert all(len(word) <= MAX_WORD_BYTES for word in words)
    decoded = [word.decode("utf-8") for word in words]
    for word, following in itertools.pairwise(decoded):
        assert len((word + following[0]).encode()) > MAX_WORD_BYTES


def test_an_ascii_header_is_left_as_it_is_and_line_breaks_never_pass() -> None:
    assert _header("Subject", "Plain\r\nBcc: x@y.dk") == b"Subject: Plain Bcc: x@y.dk\r\n"
