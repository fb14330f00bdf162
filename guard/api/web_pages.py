"""HTML for the review page: small functions, every value escaped, nothing from a CDN."""

from __future__ import annotations

from html import escape
from typing import Any
from urllib.parse import urlencode

STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1d2733;background:#f6f7f9}
header{background:#1d2733;color:#fff;padding:10px 20px;display:flex;gap:16px;align-items:center}
header a{color:#cfe3ff} main{padding:16px 20px;max-width:1200px}
table{border-collapse:collapse;width:100%;background:#fff} td,th{padding:6px 8px;border-bottom:1px solid #e3e6ea;text-align:left;vertical-align:top}
th{background:#eef1f5} .block{color:#b3261e;font-weight:600} .pseudonymize,.redact{color:#8a5a00} .flag{color:#3b5bdb}
form.filters{display:flex;flex-wrap:wrap;gap:8px;margin-bottom:12px} input,select{padding:4px}
pre{white-space:pre-wrap;background:#fff;border:1px solid #e3e6ea;padding:10px}
mark{background:#ffe08a;padding:0 2px} mark.replaced{background:#ffd0cc}
.card{background:#fff;border:1px solid #e3e6ea;padding:12px;margin:12px 0} .muted{color:#66707c}
button{padding:5px 12px}
"""


def page(title: str, body: str, *, who: str | None = None, csrf: str | None = None) -> str:
    logout = ""
    if who and csrf:
        logout = (
            f'<form method="post" action="/review/logout" style="margin-left:auto">'
            f'<input type="hidden" name="csrf" value="{escape(csrf)}">'
            f'<span>{escape(who)}</span> <button type="submit">Sign out</button></form>'
        )
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        f"<title>{escape(title)} · guard review</title><style>{STYLE}</style></head><body>"
        f'<header><strong>guard review</strong><a href="/review">Decisions</a>{logout}</header>'
        f"<main>{body}</main></body></html>"
    )


def login(csrf: str, error: str | None = None) -> str:
    problem = f'<p class="block" role="alert">{escape(error)}</p>' if error else ""
    return page(
        "Sign in",
        f"<h1>Sign in</h1>{problem}"
        '<form method="post" action="/review/login" class="card">'
        f'<input type="hidden" name="csrf" value="{escape(csrf)}">'
        '<label>Reviewer key <input type="password" name="key" autocomplete="off" size="60" required></label> '
        '<button type="submit">Sign in</button></form>'
        '<p class="muted">Use a reviewer or admin key (guard keys create --role reviewer). '
        "The page keeps its own session; the key is not stored in the browser.</p>",
    )


def chart(buckets: list[dict[str, Any]]) -> str:
    """Decisions over time as an inline SVG bar chart, stacked by action."""
    if not buckets:
        return '<p class="muted">No decisions in this range.</p>'
    colors = {
        "allow": "#8fbf8f",
        "flag": "#7b9bf0",
        "redact": "#e0b04c",
        "pseudonymize": "#e0b04c",
        "block": "#d9534f",
    }
    width, height, gap = 760, 140, 2
    step = width / len(buckets)
    peak = max(sum(b["counts"].values()) for b in buckets) or 1
    bars = []
    for i, bucket in enumerate(buckets):
        y = height
        for action in ("allow", "flag", "redact", "pseudonymize", "block"):
            count = bucket["counts"].get(action, 0)
            if not count:
                continue
            h = count / peak * (height - 10)
            y -= h
            bars.append(
                f'<rect x="{i * step:.1f}" y="{y:.1f}" width="{max(step - gap, 1):.1f}" height="{h:.1f}" '
                f'fill="{colors[action]}"><title>{escape(bucket["bucket"])}: {count} {action}</title></rect>'
            )
    labels = f'<text x="0" y="{height + 14}" font-size="11">{escape(buckets[0]["bucket"])}</text>'
    labels += f'<text x="{width}" y="{height + 14}" font-size="11" text-anchor="end">{escape(buckets[-1]["bucket"])}</text>'
    return (
        f'<svg role="img" aria-label="Decisions over time" width="{width}" height="{height + 20}" '
        f'viewBox="0 0 {width} {height + 20}" xmlns="http://www.w3.org/2000/svg">{"".join(bars)}{labels}</svg>'
    )


def decision_list(
    rows: list[dict[str, Any]],
    filters: dict[str, str],
    next_cursor: str | None,
    buckets: list[dict[str, Any]],
) -> str:
    def field(name: str, label: str, options: tuple[str, ...] | None = None) -> str:
        value = filters.get(name, "")
        if options is None:
            return f'<label>{label} <input name="{name}" value="{escape(value)}"></label>'
        choices = "".join(
            f'<option value="{o}"{" selected" if o == value else ""}>{o or "any"}</option>'
            for o in options
        )
        return f'<label>{label} <select name="{name}">{choices}</select></label>'

    form = (
        '<form class="filters" method="get" action="/review">'
        + field("action", "Action", ("", "allow", "flag", "redact", "pseudonymize", "block"))
        + field("app", "App")
        + field("rule", "Rule")
        + field(
            "review_status",
            "Review",
            ("", "unreviewed", "confirmed", "false_positive", "needs_policy_change"),
        )
        + field("q", "Text")
        + field("since", "Since (UTC)")
        + field("until", "Until (UTC)")
        + '<button type="submit">Filter</button></form>'
    )
    query = urlencode({k: v for k, v in filters.items() if v})
    exports = (
        f'<p>Export: <a href="/review/export?format=csv&{query}">CSV</a> · '
        f'<a href="/review/export?format=jsonl&{query}">JSONL</a></p>'
    )
    body_rows = "".join(
        "<tr>"
        f'<td><a href="/review/decisions/{escape(r["id"])}">{escape(r["time"][:19].replace("T", " "))}</a></td>'
        f'<td class="{escape(r["action"])}">{escape(r["action"])}</td>'
        f"<td>{escape(r['app'])}</td><td>{escape(', '.join(r['rules']))}</td>"
        f"<td>{escape(r['outcome'])}</td><td>{escape(r['review_status'])}</td></tr>"
        for r in rows
    )
    table = (
        "<table><thead><tr><th>Time (UTC)</th><th>Action</th><th>App</th><th>Rules</th>"
        f"<th>Outcome</th><th>Review</th></tr></thead><tbody>{body_rows}</tbody></table>"
    )
    more = ""
    if next_cursor:
        more = f'<p><a href="/review?{urlencode({**{k: v for k, v in filters.items() if v}, "cursor": next_cursor})}">Older →</a></p>'
    return f"<h1>Decisions</h1>{form}<div class=card>{chart(buckets)}</div>{exports}{table}{more}"


def highlighted(text: str, marks: list[dict[str, Any]]) -> str:
    out, cursor = [], 0
    for mark in sorted(marks, key=lambda m: m["start"]):
        out.append(escape(text[cursor : mark["start"]]))
        cls = ' class="replaced"' if mark.get("replaced") else ""
        title = escape(", ".join(mark["rules"]) + ": " + ", ".join(mark["categories"]))
        out.append(f'<mark{cls} title="{title}">{escape(text[mark["start"] : mark["end"]])}</mark>')
        cursor = mark["end"]
    out.append(escape(text[cursor:]))
    return "".join(out)


def policy_text(name: str | None, version: str | None, files: dict[str, str] | None) -> str:
    """The exact policy files a decision was made under, from the policy history."""
    if not name:
        return ""
    if files is None:
        body = (
            "<p>This version is not in the policy history (it served before history was kept).</p>"
        )
    else:
        body = "".join(
            f"<details><summary>{escape(file)}</summary><pre>{escape(text)}</pre></details>"
            for file, text in sorted(files.items())
        )
    return (
        f"<div class=card><h3>Policy {escape(name)} {escape(version or '')} as it was</h3>"
        f"{body}</div>"
    )


def decision(row: dict[str, Any], csrf: str, policy_files: dict[str, str] | None = None) -> str:
    stages = "".join(
        f'<div class=card><h3>{escape(s["stage"])}: <span class="{escape(s["action"])}">{escape(s["action"])}</span></h3>'
        + "".join(
            f"<pre>{highlighted(text, marks)}</pre>"
            for text, marks in zip(
                s.get("texts", []),
                s.get("highlights", []) or [[]] * len(s.get("texts", [])),
                strict=False,
            )
        )
        + "</div>"
        for s in row["stages"]
    )
    sentences = "".join(
        f"<li>{escape(sentence)}</li>"
        for item in row["explanation"]
        for sentence in item["sentences"]
    )
    history = "".join(
        f"<tr><td>{escape(r['time'][:19].replace('T', ' '))}</td><td>{escape(r['reviewer'])}</td>"
        f"<td>{escape(r['verdict'])}</td><td>{escape(r['note'])}</td></tr>"
        for r in row.get("reviews", [])
    )
    verdicts = "".join(
        f'<label><input type="radio" name="verdict" value="{v}" required> {v.replace("_", " ")}</label> '
        for v in ("confirmed", "false_positive", "needs_policy_change")
    )
    return (
        f"<h1>Decision {escape(row['id'])}</h1>"
        f'<p><span class="{escape(row["action"])}">{escape(row["action"])}</span> · {escape(row["time"])} · '
        f"app {escape(row['app'])} · model {escape(row['model'])} · policy {escape(row['policy'] or '-')} "
        f"{escape(row['policy_version'] or '')} · outcome {escape(row['outcome'])}</p>"
        f"{stages}<div class=card><h3>Explanation</h3><ul>{sentences or '<li>No rule fired.</li>'}</ul></div>"
        f"{policy_text(row.get('policy'), row.get('policy_version'), policy_files)}"
        f"<div class=card><h3>Review history</h3><table><tr><th>Time</th><th>Reviewer</th><th>Verdict</th><th>Note</th></tr>{history}</table>"
        f'<form method="post" action="/review/decisions/{escape(row["id"])}/reviews">'
        f'<input type="hidden" name="csrf" value="{escape(csrf)}"><p>{verdicts}</p>'
        '<p><label>Note <input name="note" size="80"></label></p><button type="submit">Record verdict</button></form></div>'
    )
