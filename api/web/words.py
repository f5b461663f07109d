"""The pages' word tables, read once from `words.toml` beside this module.

The tables are pure data (a key and its Danish and English text), so they live in a data file
rather than in Python dict literals: one place to add or correct a text, read by people who
write Danish rather than Python. Each entry becomes a `Text`, so the pages keep picking a
language the one way every layer does. An entry that is not a pair of texts raises here, at
import, so a half-written translation stops the service at start-up, never a page.
"""

import tomllib
from pathlib import Path

from states.text import Text

WORDS_FILE = Path(__file__).with_name("words.toml")


def load_words(path: Path = WORDS_FILE) -> dict[str, dict[str, Text]]:
    """Every table in `path` (`[pages]`, `[actions]`, ...), each key mapped to its `Text`."""
    with path.open("rb") as file:
        tables = tomllib.load(file)
    return {
        table: {key: _text(path, table, key, pair) for key, pair in entries.items()}
        for table, entries in tables.items()
    }


def _text(path: Path, table: str, key: str, pair: object) -> Text:
    """`pair` as a `Text`, or a `ValueError` that names the file, table and key to mend."""
    if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(p, str) for p in pair)):
        raise ValueError(f'{path.name} [{table}] "{key}": want ["Danish", "English"], got {pair!r}')
    return Text(pair[0], pair[1])


WORDS: dict[str, dict[str, Text]] = load_words()
