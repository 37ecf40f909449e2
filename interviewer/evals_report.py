"""Eval reports for people: Markdown and a self-contained HTML page (every value
escaped), for one run and for the comparison of two runs. Pure functions of the
result models; nothing here grades or scores."""

from __future__ import annotations

import html
from typing import Literal

from interviewer.evals import HIGHER_IS_BETTER, CaseResult, Comparison, Metrics, Results

ReportFormat = Literal["md", "html"]

METRIC_LABELS: dict[str, str] = {
    "missing_recall": "missing recall",
    "incorrect_recall": "incorrect recall",
    "false_flag_rate": "false flag rate",
    "score_in_range": "score in range",
    "citation_precision": "citation precision",
    "cite_recall": "cite recall",
    "grounded_accuracy": "grounded accuracy",
    "pass_rate": "pass rate",
    "latency_p50_ms": "latency p50 (ms)",
    "latency_p95_ms": "latency p95 (ms)",
    "invalid_model_output_rate": "invalid model output rate",
    "correct_false_flag_rate": "false flags on correct answers",
    "correct_advisory_rate": "correct answers with a claim to check",
    "correct_score_ok": "correct answers scoring >= 6",
    "reversed_score_ok": "reversed answers scoring <= 5",
    "claim_precision": "wrong-claim precision",
}

# The metrics shown per corpus: the grader's targets first.
CORPUS_METRICS: tuple[str, ...] = (
    "correct_false_flag_rate",
    "correct_advisory_rate",
    "missing_recall",
    "score_in_range",
    "correct_score_ok",
    "reversed_score_ok",
    "claim_precision",
    "false_flag_rate",
    "incorrect_recall",
    "cite_recall",
    "pass_rate",
    "latency_p95_ms",
)


def fmt_metric(name: str, value: float | None) -> str:
    if value is None:
        return "n/a"
    if name.endswith("_ms"):
        return f"{value:,.0f}"
    return f"{value:.1%}"


def fmt_delta(name: str, delta: float | None) -> str:
    if delta is None:
        return ""
    if name.endswith("_ms"):
        return f"{delta:+,.0f}"
    return f"{delta * 100:+.1f} pt"


def metric_rows(metrics: Metrics) -> list[tuple[str, str]]:
    rows = [(METRIC_LABELS[n], fmt_metric(n, getattr(metrics, n))) for n in HIGHER_IS_BETTER]
    rows.append(("cases", str(metrics.cases)))
    rows.append(("errors", str(metrics.errors)))
    return rows


def corpus_table(results: Results) -> tuple[list[str], list[list[str]]]:
    """Header and rows: one row per metric, a column per corpus, then all of them."""
    names = list(results.by_corpus)
    columns = [results.by_corpus[n] for n in names] + [results.metrics]
    header = ["metric", *names, "all"]
    rows = [
        [METRIC_LABELS[m], *(fmt_metric(m, getattr(c, m)) for c in columns)] for m in CORPUS_METRICS
    ]
    rows.append(["cases", *(str(c.cases) for c in columns)])
    return header, rows


def rule_rows(metrics: Metrics) -> list[list[str]]:
    """Rule, flags, right, wrong, advisory, precision ("unknown" when none was judged;
    the rule "unknown" gathers the flags of a grader that does not name its rules)."""
    return [
        [
            name,
            str(r.flags),
            str(r.right),
            str(r.wrong),
            str(r.advisory),
            "unknown" if r.precision is None else f"{r.precision:.1%}",
        ]
        for name, r in metrics.rules.items()
    ]


RULE_HEADER = ["rule", "flags", "right", "wrong", "advisory", "precision"]


def failed_checks(case: CaseResult) -> list[str]:
    out = []
    for att_no, att in enumerate(case.all_attempts(), 1):
        prefix = f"#{att_no} " if case.attempts else ""
        if att.error:
            out.append(f"{prefix}error: {att.error}")
        for check in att.checks:
            if not check.passed:
                detail = f" ({check.detail})" if check.detail else ""
                out.append(f"{prefix}{check.kind} {check.item}{detail}")
    if not out and case.error:
        out.append(f"error: {case.error}")
    return out


def case_status(case: CaseResult) -> str:
    if case.error and case.feedback is None:
        return "ERROR"
    if case.pass_fraction is not None:
        return f"{case.pass_fraction:.0%}"
    return "pass" if case.passed else "FAIL"


def run_header(results: Results) -> list[tuple[str, str]]:
    run = results.run
    rows = [("partial", f"yes: {run.completed} of {run.total} cases graded")] if run.partial else []
    return rows + [
        ("engine", run.engine),
        ("model", run.model or "-"),
        ("prompts hash", run.prompts_hash[:12] or "-"),
        ("started", run.started),
        ("duration", f"{run.duration:.1f} s"),
        ("repeat", str(run.repeat)),
        ("fixtures", run.fixtures),
        ("idea threshold", f"{run.idea_threshold:g} ({run.embedder or '-'})"),
    ]


# ---- Markdown -----------------------------------------------------------------------


def _md(text: object) -> str:
    """A table cell: pipes escaped, newlines flattened."""
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").strip()


def results_markdown(results: Results) -> str:
    lines = ["# Eval results", ""]
    lines += [f"- **{k}**: {_md(v)}" for k, v in run_header(results)]
    lines += ["", "## Metrics", "", "| metric | value |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in metric_rows(results.metrics)]
    if results.by_corpus:
        header, rows = corpus_table(results)
        lines += ["", "## Per corpus", "", _md_row(header), "|" + "---|" * len(header)]
        lines += [_md_row(r) for r in rows]
    lines += ["", "## Wrong-claim rules", ""]
    if results.metrics.rules:
        lines += [_md_row(RULE_HEADER), "|" + "---|" * len(RULE_HEADER)]
        lines += [_md_row(r) for r in rule_rows(results.metrics)]
        for name, m in results.by_corpus.items():
            if m.rules:
                lines += ["", f"### {_md(name)}", "", _md_row(RULE_HEADER)]
                lines += ["|" + "---|" * len(RULE_HEADER)]
                lines += [_md_row(r) for r in rule_rows(m)]
    else:
        lines.append("No wrong claims were flagged.")
    lines += ["", "## Cases", "", "| case | status | score | failed checks |", "|---|---|---|---|"]
    for case in results.cases:
        score = f"{case.feedback.score:g}" if case.feedback else "-"
        failed = "<br>".join(_md(f) for f in failed_checks(case)) or ""
        lines.append(f"| {_md(case.id)} | {case_status(case)} | {score} | {failed} |")
    if results.unscored:
        lines += ["", "Fixtures without stored feedback: " + ", ".join(results.unscored)]
    return "\n".join(lines) + "\n"


def _md_row(cells: list[str]) -> str:
    return "| " + " | ".join(_md(c) for c in cells) + " |"


def comparison_markdown(cmp: Comparison) -> str:
    lines = [
        "# Eval comparison",
        "",
        f"- **A**: {_md(cmp.a.engine)} ({_md(cmp.a.started)})",
        f"- **B**: {_md(cmp.b.engine)} ({_md(cmp.b.started)})",
        f"- **regressions**: {cmp.regressions}, **improvements**: {cmp.improvements}",
    ]
    if cmp.prompts_changed:
        lines.append("- prompts differ between the runs")
    if cmp.settings_changed:
        lines.append(f"- settings that differ: {_md(settings_line(cmp))}")
    lines += ["", "## Metrics", "", "| metric | A | B | delta |", "|---|---|---|---|"]
    for d in cmp.metrics:
        mark = "" if d.better is None else (" (better)" if d.better else " (worse)")
        lines.append(
            f"| {METRIC_LABELS[d.name]} | {fmt_metric(d.name, d.a)} | "
            f"{fmt_metric(d.name, d.b)} | {fmt_delta(d.name, d.delta)}{mark} |"
        )
    changed = [c for c in cmp.cases if c.change != "same"]
    lines += ["", "## Changed cases", ""]
    if not changed:
        lines.append("No case changed.")
    else:
        lines += ["| case | change | score A | score B | checks |", "|---|---|---|---|---|"]
        for c in changed:
            checks = [f"broke: {b}" for b in c.broke] + [f"fixed: {f}" for f in c.fixed]
            lines.append(
                f"| {_md(c.id)} | {c.change} | {_score(c.score_a)} | {_score(c.score_b)} | "
                + "<br>".join(_md(x) for x in checks)
                + " |"
            )
    return "\n".join(lines) + "\n"


def _score(v: float | None) -> str:
    return "-" if v is None else f"{v:g}"


# ---- HTML ---------------------------------------------------------------------------

_CSS = """
body{font-family:system-ui,sans-serif;margin:2rem;color:#222;max-width:1100px}
table{border-collapse:collapse;margin:1rem 0;width:100%}
th,td{border:1px solid #ccc;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f3f3}.pass{color:#17692e}.fail{color:#b3261e;font-weight:600}
.better{color:#17692e}.worse{color:#b3261e}details{margin:.2rem 0}
pre{white-space:pre-wrap;background:#f8f8f8;padding:.5rem;margin:.3rem 0}
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _page(title: str, body: list[str]) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>\n"
        + "\n".join(body)
        + "\n</body></html>\n"
    )


def _kv_table(rows: list[tuple[str, str]]) -> str:
    cells = "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in rows)
    return f"<table>{cells}</table>"


def _grid(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def results_html(results: Results) -> str:
    body = [f"<h1>{_e('Eval results')}</h1>", _kv_table(run_header(results))]
    body += ["<h2>Metrics</h2>", _kv_table(metric_rows(results.metrics))]
    if results.by_corpus:
        header, rows = corpus_table(results)
        body += ["<h2>Per corpus</h2>", _grid(header, rows)]
    body.append("<h2>Wrong-claim rules</h2>")
    body.append(
        _grid(RULE_HEADER, rule_rows(results.metrics))
        if results.metrics.rules
        else "<p>No wrong claims were flagged.</p>"
    )
    body += [
        "<h2>Cases</h2><table><tr><th>case</th><th>status</th><th>score</th>"
        "<th>failed checks</th><th>feedback</th></tr>"
    ]
    for case in results.cases:
        status = case_status(case)
        css = "pass" if status in ("pass", "100%") else "fail"
        score = f"{case.feedback.score:g}" if case.feedback else "-"
        failed = "<br>".join(_e(f) for f in failed_checks(case))
        detail = ""
        if case.feedback is not None:
            fb = case.feedback
            parts = [
                f"<b>answer</b><pre>{_e(case.answer)}</pre>",
                "<b>missed</b><ul>"
                + "".join(f"<li>{_e(p.text)}</li>" for p in fb.missed)
                + "</ul>",
                "<b>incorrect</b><ul>"
                + "".join(f"<li>{_e(c.text)} &rarr; {_e(c.correction)}</li>" for c in fb.incorrect)
                + "</ul>",
                f"<b>critique</b><pre>{_e(fb.critique)}</pre>",
            ]
            detail = f"<details><summary>show</summary>{''.join(parts)}</details>"
        body.append(
            f'<tr><td>{_e(case.id)}</td><td class="{css}">{_e(status)}</td>'
            f"<td>{_e(score)}</td><td>{failed}</td><td>{detail}</td></tr>"
        )
    body.append("</table>")
    return _page("Eval results", body)


def comparison_html(cmp: Comparison) -> str:
    body = [
        "<h1>Eval comparison</h1>",
        _kv_table(
            [
                ("A", f"{cmp.a.engine} ({cmp.a.started})"),
                ("B", f"{cmp.b.engine} ({cmp.b.started})"),
                ("regressions", str(cmp.regressions)),
                ("improvements", str(cmp.improvements)),
                ("prompts changed", "yes" if cmp.prompts_changed else "no"),
                ("settings that differ", settings_line(cmp) or "none"),
            ]
        ),
        "<h2>Metrics</h2><table><tr><th>metric</th><th>A</th><th>B</th><th>delta</th></tr>",
    ]
    for d in cmp.metrics:
        css = "" if d.better is None else ("better" if d.better else "worse")
        body.append(
            f"<tr><td>{_e(METRIC_LABELS[d.name])}</td><td>{_e(fmt_metric(d.name, d.a))}</td>"
            f"<td>{_e(fmt_metric(d.name, d.b))}</td>"
            f'<td class="{css}">{_e(fmt_delta(d.name, d.delta))}</td></tr>'
        )
    body.append(
        "</table><h2>Changed cases</h2><table><tr><th>case</th><th>change</th>"
        "<th>score A</th><th>score B</th><th>checks</th></tr>"
    )
    for c in cmp.cases:
        if c.change == "same":
            continue
        css = "worse" if c.change == "regression" else "better" if c.change == "improvement" else ""
        checks = [f"broke: {b}" for b in c.broke] + [f"fixed: {f}" for f in c.fixed]
        body.append(
            f'<tr><td>{_e(c.id)}</td><td class="{css}">{_e(c.change)}</td>'
            f"<td>{_e(_score(c.score_a))}</td><td>{_e(_score(c.score_b))}</td>"
            f"<td>{'<br>'.join(_e(x) for x in checks)}</td></tr>"
        )
    body.append("</table>")
    return _page("Eval comparison", body)


def render_results(results: Results, fmt: ReportFormat) -> str:
    return results_html(results) if fmt == "html" else results_markdown(results)


def render_comparison(cmp: Comparison, fmt: ReportFormat) -> str:
    return comparison_html(cmp) if fmt == "html" else comparison_markdown(cmp)


def settings_line(cmp: Comparison) -> str:
    """``top_k 5 → 2; bm25_weight 0.5 → 0.8``: the settings that differ, A to B."""
    return "; ".join(f"{c.name} {c.a!r} → {c.b!r}" for c in cmp.settings_changed)
