"""The report's charts as SVG markup, hand-made like the dashboard's (ascolto/web/static/js/charts.js) and drawn
by the PDF engine. Every label that comes from data is escaped: a platform name is crawled text too."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from markupsafe import Markup, escape

from storage.story import CrisisStory

W, H, PAD_L, PAD_R, PAD_T, PAD_B = 720, 220, 44, 44, 16, 26
PALETTE = ("#c0392b", "#2471a3", "#229954", "#b9770e", "#7d3c98", "#566573", "#17a589", "#a04000")


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1
    power = 10 ** len(str(int(value))) / 10
    for step in (1, 2, 2.5, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power


def _svg(body: list[str], label: str) -> Markup:
    return Markup(f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" width="{W}" height="{H}" '
                  f'font-family="Report Sans" class="chart" role="img" aria-label="{escape(label)}">'
                  + "".join(body) + "</svg>")


def _axis(body: list[str], starts: Sequence[datetime], peak: float, label: Callable[[datetime], str]) -> None:
    plot_h = H - PAD_T - PAD_B
    for f in (0, 0.5, 1):
        y = PAD_T + plot_h * (1 - f)
        body.append(f'<line x1="{PAD_L}" x2="{W - PAD_R}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
        body.append(f'<text x="{PAD_L - 4}" y="{y + 4:.1f}" font-size="10" text-anchor="end">{peak * f:g}</text>')
    n = len(starts)
    ticks = min(5, n)
    bar_w = (W - PAD_L - PAD_R) / max(n, 1)
    for k in range(ticks):
        i = round(k * (n - 1) / max(ticks - 1, 1))
        x = PAD_L + (i + 0.5) * bar_w
        body.append(f'<text x="{x:.1f}" y="{H - 8}" font-size="10" text-anchor="middle">{escape(label(starts[i]))}'
                    "</text>")


def timeline_svg(story: CrisisStory, label: Callable[[datetime], str], title: str) -> Markup:
    """Volume bars, the negative share as a line (right axis 0-100%), and the alerts as red markers."""
    rows = story.timeline
    peak = _nice_max(max((r.volume for r in rows), default=0))
    plot_w, plot_h = W - PAD_L - PAD_R, H - PAD_T - PAD_B
    bar_w = plot_w / max(len(rows), 1)
    body = [f"<title>{escape(title)}</title>"]
    _axis(body, [r.start for r in rows], peak, label)
    for i, r in enumerate(rows):
        if not r.volume:
            continue
        h, neg_h = r.volume / peak * plot_h, r.negative / peak * plot_h
        x = PAD_L + i * bar_w
        body.append(f'<rect x="{x:.1f}" y="{PAD_T + plot_h - h:.1f}" width="{max(bar_w - 1, 0.6):.1f}" '
                    f'height="{h:.1f}" fill="#aab7c4"/>')
        body.append(f'<rect x="{x:.1f}" y="{PAD_T + plot_h - neg_h:.1f}" width="{max(bar_w - 1, 0.6):.1f}" '
                    f'height="{neg_h:.1f}" fill="#e6a19a"/>')
    points = [f"{PAD_L + (i + 0.5) * bar_w:.1f},{PAD_T + plot_h * (1 - r.negative_share):.1f}"
              for i, r in enumerate(rows) if r.negative_share is not None]
    if len(points) > 1:
        body.append(f'<polyline points="{" ".join(points)}" fill="none" stroke="#c0392b" stroke-width="2"/>')
    body.append(f'<text x="{W - PAD_R + 4}" y="{PAD_T + 4}" font-size="10">100%</text>')
    if rows:
        t0, step = rows[0].start, (rows[1].start - rows[0].start if len(rows) > 1 else None)
        for alert in story.alerts:
            if step is None:
                break
            offset = (alert.opened_at - t0) / step
            if 0 <= offset <= len(rows):
                x = PAD_L + offset * bar_w
                body.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{PAD_T}" y2="{PAD_T + plot_h}" stroke="#922b21" '
                            'stroke-dasharray="4 3"/>')
                body.append(f'<path d="M{x - 5:.1f},{PAD_T - 10} L{x + 5:.1f},{PAD_T - 10} L{x:.1f},{PAD_T - 1} Z" '
                            f'fill="#922b21"><title>{escape(alert.title)}</title></path>')
    return _svg(body, title)


def spread_svg(story: CrisisStory, label: Callable[[datetime], str], title: str) -> Markup:
    """One line per platform: mentions per bucket."""
    starts = [r.start for r in story.timeline]
    peak = _nice_max(max((c for p in story.spread for c in p.counts), default=0))
    plot_w, plot_h = W - PAD_L - PAD_R, H - PAD_T - PAD_B
    step = plot_w / max(len(starts), 1)
    body = [f"<title>{escape(title)}</title>"]
    _axis(body, starts, peak, label)
    for k, platform in enumerate(story.spread):
        colour = PALETTE[k % len(PALETTE)]
        points = " ".join(f"{PAD_L + (i + 0.5) * step:.1f},{PAD_T + plot_h * (1 - c / peak):.1f}"
                          for i, c in enumerate(platform.counts))
        body.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="1.6">'
                    f"<title>{escape(platform.platform)}</title></polyline>")
    return _svg(body, title)


def legend(story: CrisisStory) -> list[tuple[str, str, int]]:
    """(colour, platform, total) in the spread chart's order."""
    return [(PALETTE[k % len(PALETTE)], p.platform, p.total) for k, p in enumerate(story.spread)]
