"""Every message key the code and the templates use exists in both
catalogs (a missing one would show users a raw key)."""
import json
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[2]
PREFIXES = ("error|http|csrf|db|auth|validate|parse|multipart|login|mfa|"
            "account|password|admin|token|secret|role|team|nav|home|lang|"
            "app")
C_KEY = re.compile(r'"((?:%s)\.[a-z0-9_]+(?:\.[a-z0-9_]+)*)"' % PREFIXES)
T_KEY = re.compile(r"\{\{\s*[#^/]?\s*t\.([a-z0-9_.]+)\s*\}\}")


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


# Strings passed to these are event names for logs and the audit log, not
# message keys.
NOT_MESSAGES = {"log_info", "log_warn", "log_error", "log_debug",
                "log_event", "audit_write", "audit_write_db", "audit_login"}
IDENT = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\s*$")


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


def used_keys():
    keys = set()
    for f in (ROOT / "module").glob("*.c"):
        if f.name == "routes.c":  # route names
            continue
        text = f.read_text()
        for m in C_KEY.finditer(text):
            k = m.group(1)
            if k.endswith((".h", ".c", ".log", ".lock", ".sock")):
                continue
            if enclosing_call(text, m.start()) in NOT_MESSAGES:
                continue
            keys.add(k)
    for f in (ROOT / "templates").rglob("*.mustache"):
        keys.update(T_KEY.findall(f.read_text()))
    return keys


def test_every_used_key_is_translated():
    zh, en = catalog("zh-CN"), catalog("en")
    used = used_keys()
    assert len(used) > 100
    # Error keys are objects with a title and a message.
    expanded = set()
    for k in used:
        if re.fullmatch(r"error\.(\d+|rule)", k):
            expanded.update({k + ".title", k + ".message"})
        else:
            expanded.add(k)
    missing = sorted(k for k in expanded if k not in zh or k not in en)
    assert missing == []


def test_dynamic_keys_are_translated():
    zh, en = catalog("zh-CN"), catalog("en")
    roles = ["admin", "manager", "rep", "legal", "finance", "supervisor",
             "store_manager", "marketing"]
    dynamic = [f"role.{r}" for r in roles]
    dynamic += [f"account.done_{d}" for d in
                ("password", "sessions", "token", "session", "mfa")]
    for code in (400, 401, 403, 404, 405, 409, 413, 415, 422, 429, 500, 503):
        dynamic += [f"error.{code}.title", f"error.{code}.message"]
    missing = [k for k in dynamic if k not in zh or k not in en]
    assert missing == []
