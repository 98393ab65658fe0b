"""The message catalogs and what uses them, derived from the code and the
templates rather than from a list of namespaces: every key the code or a
template uses exists in both catalogs (a missing one would show users a
raw key), and every catalog key is used, literally or through a family of
keys the code builds ("stage.refused.%s")."""
import json
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[2]

# Every C string literal (adjacent literals are separate matches).
C_LITERAL = re.compile(r'"((?:[^"\\\n]|\\.)*)"')
KEY = re.compile(r"[a-z][a-z0-9_]*(?:\.[a-z0-9_-]+)+")
# A family of keys built at run time: "stage.refused.%s", "rules.done_%.*s",
# or a prefix the code appends to ("contact.channel.").
FAMILY = re.compile(r"([a-z][a-z0-9_]*\.(?:[a-z0-9_]+\.)*(?:[a-z0-9_]+_)?)"
                    r"(?:%s|%\.\*s)?")
T_KEY = re.compile(r"\{\{\s*[#^/&]?\s*t\.([a-z0-9_.-]+)\s*\}\}")

# Calls whose string arguments are event names for the logs and the audit
# log, or file names, not message keys.
NOT_MESSAGES = {"log_info", "log_warn", "log_error", "log_debug",
                "log_event", "audit_write", "audit_write_db", "audit_login",
                "audit", "view_csv_begin", "http_fail_point", "user_set_password",
                "ctx_fail_point", "ctx_emit"}
# Literals that look like keys and are not, each with its reason.
NOT_KEYS = {
    "list.0": "a template test path (tmpl.c)",
    "presentationml.presentation": "part of a MIME type (files.c)",
    "spreadsheetml.sheet": "part of a MIME type (files.c)",
    "wordprocessingml.document": "part of a MIME type (files.c)",
}
# Files whose dotted literals are not messages: routes.c names routes for
# the logs; sbxlib.c names Lua library functions in errors for rule
# authors (technical text, like Lua's own).
NOT_MESSAGE_FILES = {"routes.c", "sbxlib.c"}
IDENT = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\s*$")


def catalog(lang):
    data = json.loads((ROOT / "templates" / "i18n" / f"{lang}.json")
                      .read_text())
    keys = set()

    def walk(node, prefix):
        for k, v in node.items():
            if isinstance(v, dict):
                walk(v, prefix + k + ".")
            else:
                keys.add(prefix + k)
    walk(data, "")
    return keys


def enclosing_call(text, pos):
    """The name of the function whose argument list contains pos."""
    depth = 0
    i = pos
    while i > 0:
        i -= 1
        c = text[i]
        if c == ")":
            depth += 1
        elif c == "(":
            if depth == 0:
                m = IDENT.search(text[:i])
                return m.group(1) if m else ""
            depth -= 1
        elif c in ";{}" and depth == 0:
            return ""
    return ""


def code_literals():
    """(literal, file) for every string literal of module/ that is a
    message key or a family of keys."""
    out = []
    for f in sorted((ROOT / "module").rglob("*.c")):
        if f.name in NOT_MESSAGE_FILES:
            continue
        text = f.read_text()
        for m in C_LITERAL.finditer(text):
            line_start = text.rfind("\n", 0, m.start()) + 1
            if text[line_start:m.start()].lstrip().startswith("#include"):
                continue
            lit = m.group(1)
            if lit in NOT_KEYS:
                continue
            if not (KEY.fullmatch(lit) or FAMILY.fullmatch(lit)):
                continue
            if enclosing_call(text, m.start()) in NOT_MESSAGES:
                continue
            out.append((lit, f.name))
    return out


def template_keys():
    keys = set()
    for f in (ROOT / "templates").rglob("*.mustache"):
        keys.update(T_KEY.findall(f.read_text()))
    return keys


def used():
    """(keys, families) the code and the templates use."""
    keys, families = set(), set()
    for lit, _ in code_literals():
        if KEY.fullmatch(lit) and not lit.endswith((".", "_")):
            keys.add(lit)
        else:
            families.add(FAMILY.fullmatch(lit).group(1))
    keys |= template_keys()
    # Error keys are objects with a title and a message.
    expanded = set()
    for k in keys:
        if re.fullmatch(r"error\.(\d+|rule)", k):
            expanded.update({k + ".title", k + ".message"})
        else:
            expanded.add(k)
    return expanded, families


def test_every_used_key_is_translated():
    zh, en = catalog("zh-CN"), catalog("en")
    keys, families = used()
    assert len(keys) > 300 and len(families) >= 10, (len(keys), families)
    missing = sorted(k for k in keys if k not in zh or k not in en)
    assert missing == []
    # A family the code builds has members in both catalogs.
    empty = sorted(f for f in families
                   if not any(k.startswith(f) for k in zh)
                   or not any(k.startswith(f) for k in en))
    assert empty == []


def test_both_catalogs_have_the_same_keys():
    zh, en = catalog("zh-CN"), catalog("en")
    assert sorted(zh ^ en) == []


def test_every_catalog_key_is_used():
    keys, families = used()
    unused = sorted(k for k in catalog("zh-CN") | catalog("en")
                    if k not in keys
                    and not any(k.startswith(f) for f in families))
    assert unused == []


def test_the_derivation_finds_what_it_should():
    """The derivation itself can fail: a key used only under an unusual
    namespace, and a family, are found."""
    lits = dict(code_literals())
    assert lits.get("stage.refused.%s") is not None
    assert lits.get("customer.sort.") is not None
    keys, families = used()
    assert "stage.refused." in families and "role." in families
    assert "error.500.title" in keys and "nav.customers" in keys
