"""Links in a paper's text: its code repository, and the web addresses in an abstract.

A paper's code link comes from its source when the source names one (Hugging Face's
`githubRepo`), else from the first GitHub or GitLab repository address in its abstract or
comment ("Code is available at https://github.com/manasgupta-1/GlobalMP."): the upsert
fills `url_code` with it, so every front shows the same button. Only http and https
addresses are ever kept, whatever a source or an imported file says.

    code_url("Code: https://github.com/org/repo/tree/main.")   # 'https://github.com/org/repo'
    web_url("javascript:alert(1)")                             # None
    split_urls("see https://x.org/a.")    # ['see ', ('https://x.org/a', 'https://x.org/a'), '.']
"""

from __future__ import annotations

import re

# An address ends at whitespace, a quote, an angle bracket or a closing brace (LaTeX's
# `\url{…}`); trailing sentence punctuation is trimmed afterwards.
_URL = re.compile(r"\bhttps?://[^\s<>\"'{}\\]+", re.IGNORECASE)
_TRAILING = ".,;:!?"
_REPO = re.compile(
    r"^https?://(?:www\.)?(github\.com|gitlab\.com)/([A-Za-z0-9_.\-]+(?:/[A-Za-z0-9_.\-]+)+)",
    re.IGNORECASE,
)
# GitHub paths that are not repositories.
_NOT_OWNERS = {"about", "features", "topics", "orgs", "sponsors", "settings", "marketplace",
               "collections", "explore", "login", "join"}


def _trim(url: str) -> str:
    """An address without the punctuation a sentence put after it (a closing parenthesis
    only when the address opened none)."""
    while url:
        if url[-1] in _TRAILING or url[-1] == ")" and url.count("(") < url.count(")"):
            url = url[:-1]
        else:
            break
    return url


def find_urls(text: str | None) -> list[str]:
    """Every http(s) address in `text`, trimmed, in order."""
    return [_trim(m.group(0)) for m in _URL.finditer(text or "")]


def web_url(value: str | None) -> str | None:
    """`value` if it is an http or https address, else None (a `javascript:` link, a path)."""
    if not value:
        return None
    value = value.strip()
    return value if re.match(r"^https?://[^\s/]", value, re.IGNORECASE) else None


def repository(url: str) -> str | None:
    """The repository an address points into: `https://github.com/owner/repo` (GitLab:
    the project path before `/-/`); None for anything else."""
    match = _REPO.match(url)
    if not match:
        return None
    host, path = match.group(1).lower(), match.group(2)
    parts = path.split("/")
    if host == "github.com":
        if parts[0].lower() in _NOT_OWNERS:
            return None
        parts = parts[:2]
    else:
        cut = parts.index("-") if "-" in parts else len(parts)
        parts = parts[:cut]
        if len(parts) < 2:
            return None
    if parts[-1].lower().endswith(".git"):
        parts[-1] = parts[-1][:-4]
    if not parts[-1]:
        return None
    return f"https://{host}/" + "/".join(parts)


def code_url(*texts: str | None) -> str | None:
    """The first GitHub or GitLab repository named in these texts."""
    for text in texts:
        for url in find_urls(text):
            repo = repository(url)
            if repo:
                return repo
    return None


def split_urls(text: str) -> list[str | tuple[str, str]]:
    """`text` as plain pieces and (address, shown text) pairs, for rendering as links."""
    pieces: list[str | tuple[str, str]] = []
    position = 0
    for match in _URL.finditer(text):
        url = _trim(match.group(0))
        start, end = match.start(), match.start() + len(url)
        if start > position:
            pieces.append(text[position:start])
        pieces.append((url, url))
        position = end
    if position < len(text):
        pieces.append(text[position:])
    return pieces
