"""Metamorphic variants of a SELECT: the same query written differently (comments, `;`, layout,
keyword case, quoted or qualified identifiers, integers as strings, other sql_modes), for
test_differential_variants.py. Every variant must keep the query's meaning exactly, so a server
(or proxy) must answer a variant as it answers the original.

A variant is built from a few transforms of a token list (Tokenizer below: MySQL's lexical rules
for strings, quoted identifiers, numbers and comments). It is rendered twice from one seed, once
for the proxy (tables qualified with the logical database) and once for the reference database,
so both sides get the same random choices:

    variant("comments", sql, Context(proxy_db="sharding_db", reference_db="ref", ...), seed)
        -> Variant(proxy_sql, reference_sql, mode_flags, params)

mode_flags are the sql_mode flags (e.g. "ANSI_QUOTES") the session must add to the server's mode
before running the variant; params are string parameters for `?` placeholders (binary protocol).
"""

import random
import re

# ------------------------------------------------------------------------------------------
# Tokenizer
# ------------------------------------------------------------------------------------------

WS, COMMENT, STR, IDENT_BQ, IDENT_DQ, NUM, WORD, PUNCT, PARAM = (
    "ws", "comment", "str", "ident_bq", "ident_dq", "num", "word", "punct", "param")

MULTI_PUNCT = ("<=>", "<=", ">=", "<>", "!=", ":=", "||", "&&", "<<", ">>")
WORD_CHAR = re.compile(r"[A-Za-z0-9_$\u0080-\uffff]")
NUMBER = re.compile(r"(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


class Token:
    __slots__ = ("kind", "text")

    def __init__(self, kind, text):
        self.kind = kind
        self.text = text

    def __repr__(self):
        return "%s(%r)" % (self.kind, self.text)

    @property
    def significant(self):
        return self.kind not in (WS, COMMENT)


class LexError(ValueError):
    pass


def tokenize(sql, ansi_quotes=False, no_backslash_escapes=False):
    """Tokens of sql read as MySQL reads it in the given sql_mode; joining their texts gives sql
    back."""
    out = []
    i, n = 0, len(sql)
    while i < n:
        c = sql[i]
        if c.isspace():
            j = i
            while j < n and sql[j].isspace():
                j += 1
            out.append(Token(WS, sql[i:j]))
            i = j
        elif c == "#" or (sql.startswith("--", i) and (i + 2 == n or sql[i + 2].isspace())):
            j = sql.find("\n", i)
            j = n if j < 0 else j + 1
            out.append(Token(COMMENT, sql[i:j]))
            i = j
        elif sql.startswith("/*", i):
            j = sql.find("*/", i + 2)
            if j < 0:
                raise LexError("unterminated comment at %d" % i)
            out.append(Token(COMMENT, sql[i:j + 2]))
            i = j + 2
        elif c in "'\"`":
            j = i + 1
            escapes = c != "`" and not no_backslash_escapes
            while True:
                if j >= n:
                    raise LexError("unterminated quote at %d" % i)
                if escapes and sql[j] == "\\":
                    j += 2
                    continue
                if sql[j] == c:
                    if j + 1 < n and sql[j + 1] == c:    # a doubled quote stands for itself
                        j += 2
                        continue
                    break
                j += 1
            kind = {"'": STR, "`": IDENT_BQ, '"': IDENT_DQ if ansi_quotes else STR}[c]
            out.append(Token(kind, sql[i:j + 1]))
            i = j + 1
        elif c.isdigit() or (c == "." and i + 1 < n and sql[i + 1].isdigit()
                             and not (out and out[-1].kind in (WORD, IDENT_BQ, IDENT_DQ))):
            m = NUMBER.match(sql, i)
            j = m.end()
            if j < n and WORD_CHAR.match(sql[j]):      # 1abc, 0x1F: a word, not a number
                while j < n and WORD_CHAR.match(sql[j]):
                    j += 1
                out.append(Token(WORD, sql[i:j]))
            else:
                out.append(Token(NUM, sql[i:j]))
            i = j
        elif WORD_CHAR.match(c):
            j = i
            while j < n and WORD_CHAR.match(sql[j]):
                j += 1
            out.append(Token(WORD, sql[i:j]))
            i = j
        elif c == "?":
            out.append(Token(PARAM, c))
            i += 1
        else:
            for p in MULTI_PUNCT:
                if sql.startswith(p, i):
                    out.append(Token(PUNCT, p))
                    i += len(p)
                    break
            else:
                out.append(Token(PUNCT, c))
                i += 1
    return out


def render(tokens):
    return "".join(t.text for t in tokens)


# ------------------------------------------------------------------------------------------
# String literals
# ------------------------------------------------------------------------------------------

ESCAPES = {"0": "\0", "b": "\b", "n": "\n", "r": "\r", "t": "\t", "Z": "\x1a"}


def string_value(text, no_backslash_escapes=False):
    """The value of a quoted string literal as MySQL reads it. A backslash before % or _ stays
    (as MySQL keeps it, for LIKE)."""
    q, body = text[0], text[1:-1]
    out = []
    i = 0
    while i < len(body):
        c = body[i]
        if c == "\\" and not no_backslash_escapes:
            nxt = body[i + 1]
            if nxt in "%_":
                out.append("\\" + nxt)
            else:
                out.append(ESCAPES.get(nxt, nxt))
            i += 2
        elif c == q:              # the first of a doubled quote
            out.append(q)
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def string_literal(value, quote="'", backslash_escapes=True, rng=None):
    """A literal for value. With backslash escapes (the default sql_mode) a quote is written as
    \\' or doubled (at random) and a backslash as \\\\; without them (NO_BACKSLASH_ESCAPES) a quote
    is doubled and a backslash is itself."""
    out = []
    for c in value:
        if c == quote:
            out.append("\\" + c if backslash_escapes and rng and rng.random() < 0.5 else c + c)
        elif c == "\\" and backslash_escapes:
            out.append("\\\\")
        else:
            out.append(c)
    return quote + "".join(out) + quote


# ------------------------------------------------------------------------------------------
# Words
# ------------------------------------------------------------------------------------------

# Keywords of the SELECTs the generator writes (and a few more); every other word is an
# identifier (MariaDB's table names are case-sensitive: only these change case).
KEYWORDS = frozenset("""
SELECT DISTINCT ALL FROM WHERE AND OR NOT XOR IN IS NULL LIKE ESCAPE BETWEEN EXISTS AS ON USING
JOIN INNER LEFT RIGHT OUTER CROSS STRAIGHT_JOIN NATURAL GROUP BY HAVING ORDER ASC DESC LIMIT OFFSET
UNION INTERSECT EXCEPT CASE WHEN THEN ELSE END TRUE FALSE DIV MOD WITH ROLLUP FOR UPDATE SHARE LOCK
INTERVAL BINARY COLLATE ANY SOME SEPARATOR SIGNED UNSIGNED INTEGER
""".split())
FUNCTIONS = frozenset("""
COUNT SUM MIN MAX AVG GROUP_CONCAT CONCAT IFNULL COALESCE NULLIF IF ABS ROUND FLOOR CEIL CEILING
LOWER UPPER LENGTH CHAR_LENGTH SUBSTRING SUBSTR TRIM DATE YEAR MONTH DAY CAST CONVERT SIGN
UCASE LCASE LOCATE LEAST GREATEST
""".split())


def is_keyword(tok, nxt=None):
    if tok.kind != WORD:
        return False
    up = tok.text.upper()
    if up in KEYWORDS:
        return True
    return up in FUNCTIONS and nxt is not None and nxt.text == "("


def sig_indexes(tokens):
    return [i for i, t in enumerate(tokens) if t.significant]


def neighbours(tokens):
    """{index: (previous significant token, next significant token)} for significant tokens."""
    idx = sig_indexes(tokens)
    out = {}
    for k, i in enumerate(idx):
        out[i] = (tokens[idx[k - 1]] if k else None, tokens[idx[k + 1]] if k + 1 < len(idx) else None)
    return out


def is_identifier(tok, prev, nxt):
    return tok.kind in (IDENT_BQ, IDENT_DQ) or (tok.kind == WORD and not is_keyword(tok, nxt))


def ident_name(tok):
    if tok.kind in (IDENT_BQ, IDENT_DQ):
        q = tok.text[0]
        return tok.text[1:-1].replace(q + q, q)
    return tok.text


def quote_ident(name, q):
    return q + name.replace(q, q + q) + q


# ------------------------------------------------------------------------------------------
# Context and transforms
# ------------------------------------------------------------------------------------------

class Context:
    """What the transforms know of the schema: the database that qualifies table names on this
    side, the table names, the sharding columns."""

    def __init__(self, database, tables, sharding_columns):
        self.database = database
        self.tables = frozenset(tables)
        self.sharding_columns = frozenset(sharding_columns)


class State:
    """A variant being built: tokens (read in `modes`), the sql_mode flags it needs, the
    parameters of its `?` placeholders."""

    def __init__(self, tokens):
        self.tokens = tokens
        self.modes = []
        self.params = []

    @property
    def ansi_quotes(self):
        return "ANSI_QUOTES" in self.modes

    @property
    def no_backslash_escapes(self):
        return "NO_BACKSLASH_ESCAPES" in self.modes


COMMENT_TEXTS = ["c", "x", " comment ", "it's", '"q"', "`b`", ";", "/ *", "SELECT 1", "--", "?", "*"]


def _block_comment(rng):
    return "/*" + rng.choice(COMMENT_TEXTS).replace("*/", "") + "*/"


def _line_comment(rng, style=None):
    style = style or rng.choice(["--", "#"])
    body = rng.choice(COMMENT_TEXTS)
    return (style + " " + body if style == "--" else "#" + body) + "\n"


def _joinable(tokens, i):
    """Whether whitespace or a comment may go between tokens[i-1] and tokens[i] (both
    significant or not): never between a function name and its `(`, where MariaDB's default
    sql_mode (no IGNORE_SPACE) reads the name as an identifier."""
    if i <= 0 or i >= len(tokens):
        return False
    prev = next((t for t in reversed(tokens[:i]) if t.significant), None)
    cur = tokens[i]
    if cur.text == "(" and prev is not None and prev.kind == WORD and prev.text.upper() in FUNCTIONS:
        return False
    return True


def t_trailing_comment(state, ctx, rng):
    style = rng.choice(["--", "#", "/*"])
    text = {"--": " -- " + rng.choice(COMMENT_TEXTS).strip(), "#": " #" + rng.choice(COMMENT_TEXTS),
            "/*": " " + _block_comment(rng)}[style]
    if rng.random() < 0.3 and style != "/*":
        text += "\n"
    state.tokens = state.tokens + [Token(COMMENT, text)]


def t_leading_comment(state, ctx, rng):
    style = rng.choice(["/*", "--", "#"])
    text = _block_comment(rng) + rng.choice([" ", "", "\n"]) if style == "/*" else _line_comment(rng, style)
    state.tokens = [Token(COMMENT, text)] + state.tokens


def t_inner_comments(state, ctx, rng):
    """Comments between random tokens; a line comment always ends with its newline."""
    toks = state.tokens
    positions = [i for i in range(1, len(toks)) if toks[i].significant and _joinable(toks, i)]
    chosen = set(rng.sample(positions, min(len(positions), rng.randint(1, 4))))
    out = []
    for i, t in enumerate(toks):
        if i in chosen:
            text = _block_comment(rng) if rng.random() < 0.5 else _line_comment(rng)
            out.append(Token(COMMENT, " " + text if not text.endswith("\n") else " " + text))
            if not text.endswith("\n"):
                out.append(Token(WS, " "))
        out.append(t)
    state.tokens = out


def t_semicolon(state, ctx, rng):
    tail = rng.choice([";", " ;", ";", "; -- c", ";# c", "; /* c */", ";\n"])
    state.tokens = state.tokens + tokenize(tail)


WHITESPACE = ["\n", "\t", "  ", "   ", " \n ", "\t\t", "\r\n", " \t", "\n\n  "]


def t_whitespace(state, ctx, rng):
    """Every run of whitespace replaced by newlines, tabs or runs of spaces; some made where
    there was none (around punctuation)."""
    toks = state.tokens
    out = []
    for i, t in enumerate(toks):
        if t.kind == WS:
            out.append(Token(WS, rng.choice(WHITESPACE)))
            continue
        if (i > 0 and t.significant and toks[i - 1].significant and _joinable(toks, i)
                and (t.kind == PUNCT or toks[i - 1].kind == PUNCT) and rng.random() < 0.4):
            out.append(Token(WS, rng.choice(WHITESPACE)))
        out.append(t)
    if rng.random() < 0.5:
        out.insert(0, Token(WS, rng.choice(WHITESPACE)))
    if rng.random() < 0.5:
        out.append(Token(WS, rng.choice(WHITESPACE)))
    state.tokens = out


def _case(text, how, rng):
    if how == "lower":
        return text.lower()
    if how == "upper":
        return text.upper()
    return "".join(c.upper() if rng.random() < 0.5 else c.lower() for c in text)


def _keyword_case(how):
    def t(state, ctx, rng):
        nb = neighbours(state.tokens)
        for i, tok in enumerate(state.tokens):
            if i in nb and is_keyword(tok, nb[i][1]):
                tok.text = _case(tok.text, how, rng)
    return t


def _quote_identifiers(q):
    def t(state, ctx, rng):
        nb = neighbours(state.tokens)
        for i, tok in enumerate(state.tokens):
            if i in nb and is_identifier(tok, *nb[i]):
                tok.text = quote_ident(ident_name(tok), q)
                tok.kind = IDENT_BQ if q == "`" else IDENT_DQ
    return t


def t_backquote(state, ctx, rng):
    _quote_identifiers("`")(state, ctx, rng)


def t_qualify(state, ctx, rng):
    """Table names (not aliases: only the schema's table names) qualified with the database;
    a `table.column` reference too, at random (`db.table.column`)."""
    toks = state.tokens
    nb = neighbours(toks)
    qualify_columns = rng.random() < 0.5
    out = []
    for i, tok in enumerate(toks):
        if i in nb and tok.kind in (WORD, IDENT_BQ, IDENT_DQ) and ident_name(tok) in ctx.tables:
            prev, nxt = nb[i]
            if not (prev is not None and prev.text == ".") and (
                    nxt is None or nxt.text != "." or qualify_columns):
                q = tok.text[0] if tok.kind != WORD else ""
                out += [Token(tok.kind, q + ctx.database + q if q else ctx.database), Token(PUNCT, ".")]
        out.append(tok)
    state.tokens = out


COMPARISONS = ("=", "<>", "!=", "<", "<=", ">", ">=", "<=>")


def _value_positions(tokens):
    """Indexes of integer literals (with a unary minus: (index of '-', index of number)) that
    stand as values: after a comparison, in an IN list, in BETWEEN ... AND ..., after LIMIT or
    OFFSET; each with the column compared to it (or None)."""
    sig = sig_indexes(tokens)
    out = []
    in_list = []              # stack: column of each open IN list, or False for other parens
    between = None            # column of an open BETWEEN, until its AND
    limit = False
    for k, i in enumerate(sig):
        tok = tokens[i]
        up = tok.text.upper() if tok.kind == WORD else tok.text
        prev = tokens[sig[k - 1]] if k else None
        prev2 = tokens[sig[k - 2]] if k > 1 else None
        if tok.text == "(":
            is_in = prev is not None and prev.kind == WORD and prev.text.upper() == "IN"
            in_list.append(_column_before(tokens, sig, k - 2) if is_in else False)
            continue
        if tok.text == ")":
            if in_list:
                in_list.pop()
            continue
        if up == "LIMIT":
            limit = True
        elif tok.kind == WORD and up in ("SELECT", "FROM", "WHERE", "ORDER", "GROUP", "HAVING"):
            limit = False
        if up == "BETWEEN":
            between = _column_before(tokens, sig, k - 1)
        if tok.kind != NUM or "." in tok.text or "e" in tok.text.lower():
            continue
        start = i
        p, p_k = prev, k - 1
        if prev is not None and prev.text == "-":
            start = sig[k - 1]
            p, p_k = prev2, k - 2
        if p is None:
            continue
        pup = p.text.upper() if p.kind == WORD else p.text
        col = None
        if pup in COMPARISONS:
            col = _column_before(tokens, sig, p_k - 1)
        elif pup in ("(", ",") and in_list and in_list[-1] is not False:
            col = in_list[-1]
        elif pup == "BETWEEN":
            col = between
        elif pup == "AND" and between is not None and _between_and(tokens, sig, p_k):
            col = between
            between = None
        elif pup in ("LIMIT", "OFFSET") or (pup == "," and limit):
            col = None
        else:
            continue
        out.append((start, i, col))
    return out


def _between_and(tokens, sig, and_k):
    """Whether the AND at sig[and_k] closes a BETWEEN (`BETWEEN [-]n AND`)."""
    k = and_k - 1
    if k >= 0 and tokens[sig[k]].kind in (NUM, STR):
        k -= 1
        if k >= 0 and tokens[sig[k]].text == "-":
            k -= 1
        return k >= 0 and tokens[sig[k]].kind == WORD and tokens[sig[k]].text.upper() == "BETWEEN"
    return False


def _column_before(tokens, sig, k):
    """The column name ending at sig[k] (`col`, `t.col`), or None. A NOT before IN is skipped."""
    if k < 0:
        return None
    tok = tokens[sig[k]]
    if tok.kind == WORD and tok.text.upper() == "NOT":
        return _column_before(tokens, sig, k - 1)
    if tok.kind in (WORD, IDENT_BQ, IDENT_DQ) and not is_keyword(tok):
        return ident_name(tok)
    return None


def t_sharding_values_as_strings(state, ctx, rng):
    """`user_id = 3` -> `user_id = '3'` (and in IN lists and BETWEEN) for sharding columns:
    MariaDB compares an integer column with a string as numbers."""
    toks = state.tokens
    for start, end, col in reversed(_value_positions(toks)):
        if col in ctx.sharding_columns:
            text = "".join(t.text for t in toks[start:end + 1] if t.significant)
            toks[start:end + 1] = [Token(STR, "'%s'" % text)]


def t_parameters(state, ctx, rng):
    """Integer literals in value positions become `?`, each bound as a string."""
    toks = state.tokens
    found = _value_positions(toks)
    params = []
    for start, end, col in reversed(found):
        text = "".join(t.text for t in toks[start:end + 1] if t.significant)
        params.append(text)
        toks[start:end + 1] = [Token(PARAM, "?")]
    state.params = list(reversed(params)) + state.params


def t_ansi_quotes(state, ctx, rng):
    """sql_mode ANSI_QUOTES: identifiers in double quotes, strings in single quotes."""
    nb = neighbours(state.tokens)
    for i, tok in enumerate(state.tokens):
        if tok.kind == STR and tok.text[0] == '"':
            tok.text = string_literal(string_value(tok.text, state.no_backslash_escapes), "'",
                                      not state.no_backslash_escapes, rng)
    state.modes.append("ANSI_QUOTES")
    for i, tok in enumerate(state.tokens):
        if i in nb and is_identifier(tok, *nb[i]):
            tok.text = quote_ident(ident_name(tok), '"')
            tok.kind = IDENT_DQ


def t_no_backslash_escapes(state, ctx, rng):
    """sql_mode NO_BACKSLASH_ESCAPES: every string literal rewritten to the same value with no
    backslash escape (a quote doubled); in double quotes at random, unless ANSI_QUOTES."""
    for tok in state.tokens:
        if tok.kind == STR:
            value = string_value(tok.text)
            q = '"' if not state.ansi_quotes and rng.random() < 0.3 else "'"
            if "\\%" in value or "\\_" in value:
                raise NotApplicable("a LIKE escape (\\% or \\_) reads differently")
            tok.text = string_literal(value, q, backslash_escapes=False)
    state.modes.append("NO_BACKSLASH_ESCAPES")


# Letters and digits a backslash may stand before in a string, meaning the character itself
# (MySQL drops the backslash of an unknown escape); not \0 \b \n \r \t \Z, nor \N, \% or \_.
PLAIN_ESCAPABLE = frozenset("ACDEFGHIJKLMOPQRSTUVWXYacdefghijklmopqsuvwxyz123456789")


def t_escaped_strings(state, ctx, rng):
    """Some characters of each string literal written with a backslash before them (`'P\\aid'`
    is 'Paid'), quotes as \\'; in the default sql_mode only."""
    for tok in state.tokens:
        if tok.kind != STR:
            continue
        q = tok.text[0]
        out = []
        for c in string_value(tok.text):
            if c in PLAIN_ESCAPABLE and rng.random() < 0.4:
                out.append("\\" + c)
            elif c == q:
                out.append("\\" + c)
            elif c == "\\":
                out.append("\\\\")
            else:
                out.append(c)
        tok.text = q + "".join(out) + q


def t_double_quoted_strings(state, ctx, rng):
    """String literals in double quotes (the default sql_mode reads them as strings)."""
    for tok in state.tokens:
        if tok.kind == STR and rng.random() < 0.7:
            tok.text = string_literal(string_value(tok.text, state.no_backslash_escapes), '"',
                                      not state.no_backslash_escapes, rng)


class NotApplicable(Exception):
    pass


# Transforms in the order they are applied in a combination: those that change what tokens are
# first, layout last.
TRANSFORMS = [
    ("qualified", t_qualify),
    ("sharding_strings", t_sharding_values_as_strings),
    ("params", t_parameters),
    ("escaped_strings", t_escaped_strings),
    ("keywords_lower", _keyword_case("lower")),
    ("keywords_upper", _keyword_case("upper")),
    ("keywords_mixed", _keyword_case("mixed")),
    ("backquoted", t_backquote),
    ("double_quoted_strings", t_double_quoted_strings),
    ("no_backslash_escapes", t_no_backslash_escapes),
    ("ansi_quotes", t_ansi_quotes),
    ("whitespace", t_whitespace),
    ("inner_comments", t_inner_comments),
    ("leading_comment", t_leading_comment),
    ("semicolon", t_semicolon),
    ("trailing_comment", t_trailing_comment),
]
TRANSFORM_BY_NAME = dict(TRANSFORMS)
ORDER = {name: k for k, (name, _) in enumerate(TRANSFORMS)}

# Transforms that do not go together in one variant.
EXCLUSIVE = [{"keywords_lower", "keywords_upper", "keywords_mixed"},
             {"backquoted", "ansi_quotes"},
             {"double_quoted_strings", "ansi_quotes"},
             {"semicolon", "trailing_comment"}]

# Variant kinds for the text protocol (the single transforms; "combo" picks 2 or 3) and the
# binary protocol (where "params" is the point).
# keywords_upper runs only in combinations: the generator writes keywords in upper case.
TEXT_KINDS = [name for name, _ in TRANSFORMS if name not in ("params", "keywords_upper")] + ["combo"]
BINARY_KINDS = ["plain", "params", "params+combo", "combo"]


def pick_combo(rng, base=(), allowed=None):
    """2 or 3 transform names (plus base) that go together, in application order."""
    names = [n for n, _ in TRANSFORMS if n != "params" and (allowed is None or n in allowed)]
    want = len(base) + rng.randint(2, 3)
    chosen = list(base)
    while len(chosen) < want:
        n = rng.choice(names)
        if n in chosen or any(n in group and any(c in group for c in chosen) for group in EXCLUSIVE):
            continue
        chosen.append(n)
    return sorted(chosen, key=ORDER.get)


class Variant:
    def __init__(self, name, transforms, proxy_sql, reference_sql, modes, params):
        self.name = name                  # the variant kind
        self.transforms = transforms      # the transforms applied, in order
        self.proxy_sql = proxy_sql
        self.reference_sql = reference_sql
        self.modes = modes                # sql_mode flags to add, [] for the server's mode
        self.params = params              # strings for the `?` placeholders

    @property
    def mode_flags(self):
        return ",".join(self.modes) or None


def apply(names, sql, ctx, seed):
    """(sql, modes, params) of sql through the named transforms, with random choices from seed."""
    rng = random.Random(seed)
    state = State(tokenize(sql))
    for name in names:
        TRANSFORM_BY_NAME[name](state, ctx, rng)
    out = render(state.tokens)
    # the variant must read back as tokens in its sql_mode
    tokenize(out, state.ansi_quotes, state.no_backslash_escapes)
    return out, state.modes, state.params


def variant(kind, sql, proxy_ctx, reference_ctx, seed):
    """The Variant of `kind` (a TEXT_KINDS or BINARY_KINDS name) of sql, or None when it would
    be the same text as sql or does not apply."""
    rng = random.Random(seed)
    if kind == "combo":
        names = pick_combo(rng)
    elif kind == "params+combo":
        names = pick_combo(rng, base=["params"])
    elif kind == "plain":
        names = []
    else:
        names = [kind]
    try:
        proxy_sql, modes, params = apply(names, sql, proxy_ctx, seed)
        reference_sql, modes2, params2 = apply(names, sql, reference_ctx, seed)
    except NotApplicable:
        return None
    assert modes == modes2 and params == params2, (names, sql)
    if names and proxy_sql == sql and reference_sql == sql and not modes:
        return None
    if "params" in names and not params:
        return None
    return Variant(kind, names, proxy_sql, reference_sql, modes, params)


# ------------------------------------------------------------------------------------------
# Self-test (python3 metamorphic.py)
# ------------------------------------------------------------------------------------------

def _self_test():
    s = "SELECT a, 'it''s \\' -- x', \"d\\\"q\" FROM t_order o -- c\nWHERE o.user_id = -3 # h\n/* b */"
    toks = tokenize(s)
    assert render(toks) == s
    kinds = [t.kind for t in toks if t.significant]
    assert kinds.count(STR) == 2 and kinds.count(COMMENT) == 0, toks
    assert string_value("'it''s \\' x'") == "it's ' x"
    assert string_value("'a\\%'") == "a\\%"
    assert [t.kind for t in tokenize('"x"', ansi_quotes=True)] == [IDENT_DQ]
    assert [t.text for t in tokenize("'a\\'", no_backslash_escapes=True)] == ["'a\\'"]
    p = Context("sharding_db", ["t_order", "t_order_item"], ["user_id", "order_id"])
    sql = ("SELECT COUNT(*) FROM t_order WHERE user_id IN (1, -2) AND order_id = 7 AND x > 5 "
           "AND order_id BETWEEN 3 AND 9 AND t_order.order_id = 1 ORDER BY a LIMIT 2, 3")
    out, _, _ = apply(["sharding_strings"], sql, p, 1)
    assert out == ("SELECT COUNT(*) FROM t_order WHERE user_id IN ('1', '-2') AND order_id = '7' AND x > 5 "
                   "AND order_id BETWEEN '3' AND '9' AND t_order.order_id = '1' ORDER BY a LIMIT 2, 3"), out
    out, _, params = apply(["params"], sql, p, 1)
    assert params == ["1", "-2", "7", "5", "3", "9", "1", "2", "3"], params
    out, _, _ = apply(["backquoted"], "SELECT o.status, COUNT(x) FROM t_order o", p, 1)
    assert out == "SELECT `o`.`status`, COUNT(`x`) FROM `t_order` `o`", out
    for seed in range(50):
        out, _, _ = apply(["qualified"], "SELECT x FROM t_order o JOIN t_order_item ON t_order_item.a = o.b", p, seed)
        assert out.startswith("SELECT x FROM sharding_db.t_order o JOIN sharding_db.t_order_item ON "), out
    print("metamorphic self-test ok")


if __name__ == "__main__":
    _self_test()
