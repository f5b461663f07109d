"""The catalogue's inverted index: one row per shared need and Danish lexeme (issue 17).

0017's GIN index finds the needs matching a search, but ranking them with `ts_rank` reads
each match's row of `cases` (a case is about 1.8 kB, so one heap page per match: 5,000 pages
for "demens" over 100,000 shared needs, 20 ms warm and more when `cases` does not fit in
shared buffers). `need_lexemes` holds, for every shared need, each lexeme of its
`need_vector` with the need's `ts_rank` for that lexeme alone (`opi_lexeme_score`, the
formula of PostgreSQL's `calc_rank_or` for one query word over the lexeme's weighted
positions) and the need's `shared_at`, the catalogue's tie-breaker. A search for a word then
reads an index range (the lexemes the word's stem begins) and sums per need, without
touching `cases` (`workflow.needs.fulltext.lexeme_matches`): 4-5 ms for the same search.

Kept by row triggers on `cases`, so no writer (the ORM, the benchmark's COPY and UPDATE) can
forget it: a need shared, unshared, re-shared or whose text changes while shared gets its rows
replaced; anything else (a transition's `UPDATE` of state and version) never fires them.

PostgreSQL only: SQLite (development and tests) searches its FTS5 table `need_fts` (0010).
"""

from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"

_SCORE = """
CREATE FUNCTION opi_lexeme_score(weights text[]) RETURNS real
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    WITH w AS (
        SELECT i, CASE x WHEN 'A' THEN 1.0 WHEN 'B' THEN 0.4 WHEN 'C' THEN 0.2 ELSE 0.1 END AS v
        FROM unnest(weights) WITH ORDINALITY AS t(x, i)
    ), top AS (SELECT i, v FROM w ORDER BY v DESC, i LIMIT 1)
    SELECT ((SELECT v FROM top) + (SELECT sum(v / (i * i)) FROM w)
            - (SELECT v / (i * i) FROM top)) / 1.64493406685
$$
"""
"""`ts_rank` of a need for one lexeme, from the weights of the lexeme's positions in order:
PostgreSQL's default weights (A 1.0, B 0.4, C 0.2, D 0.1), each occurrence's weight over the
square of its ordinal, the first highest weight counted in full, the sum over pi^2/6."""

_FOLLOW = """
CREATE FUNCTION opi_need_lexemes_follow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.shared_at IS NOT NULL THEN
        DELETE FROM need_lexemes WHERE case_id = OLD.id;
    END IF;
    IF NEW.shared_at IS NOT NULL THEN
        INSERT INTO need_lexemes (case_id, lexeme, score, shared_at)
        SELECT NEW.id, u.lexeme, opi_lexeme_score(u.weights), NEW.shared_at
        FROM unnest(NEW.need_vector) AS u;
    END IF;
    RETURN NULL;
END
$$
"""

_CHANGED = (
    "OLD.shared_at IS DISTINCT FROM NEW.shared_at "
    "OR (NEW.shared_at IS NOT NULL AND OLD.need_vector IS DISTINCT FROM NEW.need_vector)"
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "CREATE TABLE need_lexemes ("
        "case_id integer NOT NULL REFERENCES cases (id) ON DELETE CASCADE, "
        'lexeme text COLLATE "C" NOT NULL, '
        "score real NOT NULL, "
        "shared_at timestamp with time zone NOT NULL, "
        "PRIMARY KEY (case_id, lexeme))"
    )
    op.execute(
        "CREATE INDEX ix_need_lexemes_lexeme ON need_lexemes (lexeme, case_id) "
        "INCLUDE (score, shared_at)"
    )
    op.execute(_SCORE)
    op.execute(_FOLLOW)
    op.execute(
        "CREATE TRIGGER cases_need_lexemes_insert AFTER INSERT ON cases FOR EACH ROW "
        "WHEN (NEW.shared_at IS NOT NULL) EXECUTE FUNCTION opi_need_lexemes_follow()"
    )
    op.execute(
        "CREATE TRIGGER cases_need_lexemes_update AFTER UPDATE OF shared_at, search_full "
        f"ON cases FOR EACH ROW WHEN ({_CHANGED}) EXECUTE FUNCTION opi_need_lexemes_follow()"
    )
    op.execute(
        "INSERT INTO need_lexemes (case_id, lexeme, score, shared_at) "
        "SELECT c.id, u.lexeme, opi_lexeme_score(u.weights), c.shared_at "
        "FROM cases c, unnest(c.need_vector) AS u WHERE c.shared_at IS NOT NULL"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER cases_need_lexemes_update ON cases")
    op.execute("DROP TRIGGER cases_need_lexemes_insert ON cases")
    op.execute("DROP TABLE need_lexemes")
    op.execute("DROP FUNCTION opi_need_lexemes_follow()")
    op.execute("DROP FUNCTION opi_lexeme_score(text[])")
