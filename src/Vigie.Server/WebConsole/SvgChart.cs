using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Html;

namespace Vigie.Server.WebConsole;

/// <summary>
/// Charts drawn on the server as SVG: no script and no inline style, so the Content-Security-Policy stays strict,
/// and the page reads the same with scripts off. Colours come from CSS classes in vigie.css; every bar carries a
/// title (shown on hover, read by screen readers) and every chart a label.
/// </summary>
internal static class SvgChart
{
    /// <summary>One bar: its axis label, its value, the text of its title, and where a click leads.</summary>
    public sealed record Bar(string Label, long Value, string Title, string? Href = null);

    /// <summary>One part of a stacked bar, drawn with the series' class.</summary>
    public sealed record Segment(string Series, long Value);

    /// <summary>A stacked bar: its label, its parts in drawing order (bottom first), and where a click leads.</summary>
    public sealed record Stack(string Label, IReadOnlyList<Segment> Segments, string? Href = null);

    /// <summary>A series of a stacked chart: its key (the segments' <see cref="Segment.Series"/>), its legend text and CSS class.</summary>
    public sealed record Series(string Key, string Label, string CssClass);

    private const int Width = 720;
    private const int Left = 56;
    private const int Right = 8;
    private const int Top = 10;
    private const int Bottom = 28;

    private static readonly HtmlEncoder Encoder = HtmlEncoder.Default;

    /// <summary>Vertical bars over time or categories (a histogram); an empty series still draws its axis.</summary>
    public static IHtmlContent Histogram(IReadOnlyList<Bar> bars, string label, string cssClass = "bar", int height = 170)
    {
        var stacks = bars.Select(b => new Stack(b.Label, [new Segment("v", b.Value)], b.Href)).ToList();
        var titles = bars.Select(b => b.Title).ToList();
        return Draw(stacks, [new Series("v", "", cssClass)], titles, label, height, legend: false);
    }

    /// <summary>Stacked vertical bars with a legend (alerts per severity, split by status).</summary>
    public static IHtmlContent Stacked(IReadOnlyList<Stack> stacks, IReadOnlyList<Series> series, string label, int height = 190)
    {
        var titles = stacks.Select(s => s.Label + ": " + string.Join(", ", s.Segments.Where(x => x.Value > 0)
            .Select(x => $"{series.FirstOrDefault(l => l.Key == x.Series)?.Label ?? x.Series} {Number(x.Value)}"))).ToList();
        return Draw(stacks, series, titles, label, height, legend: true);
    }

    /// <summary>Horizontal bars, one per line with its label and value (establishments, rules).</summary>
    public static IHtmlContent Ranking(IReadOnlyList<Bar> bars, string label, string cssClass = "bar")
    {
        const int row = 30;
        const int labelWidth = 290;
        const int valueWidth = 70;
        var height = Math.Max(row, bars.Count * row) + 4;
        var max = Math.Max(1, bars.Count == 0 ? 1 : bars.Max(b => b.Value));
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"<svg class=\"chart ranking\" viewBox=\"0 0 {Width} {height}\" role=\"img\" aria-label=\"{Encoder.Encode(label)}\">");
        sb.Append("<title>").Append(Encoder.Encode(label)).Append("</title>");
        for (var i = 0; i < bars.Count; i++)
        {
            var b = bars[i];
            var y = 2 + i * row;
            var w = (int)Math.Round((Width - labelWidth - valueWidth) * (double)b.Value / max);
            if (b.Href is not null)
                sb.Append("<a href=\"").Append(Encoder.Encode(b.Href)).Append("\">");
            sb.Append(CultureInfo.InvariantCulture, $"<text class=\"label\" x=\"0\" y=\"{y + 20}\">{Encoder.Encode(Shorten(b.Label, 32))}</text>");
            sb.Append(CultureInfo.InvariantCulture, $"<rect class=\"{cssClass}\" x=\"{labelWidth}\" y=\"{y + 4}\" width=\"{Math.Max(b.Value > 0 ? 2 : 0, w)}\" height=\"{row - 8}\"><title>{Encoder.Encode(b.Title)}</title></rect>");
            sb.Append(CultureInfo.InvariantCulture, $"<text class=\"value\" x=\"{labelWidth + Math.Max(2, w) + 6}\" y=\"{y + 20}\">{Number(b.Value)}</text>");
            if (b.Href is not null)
                sb.Append("</a>");
        }
        sb.Append("</svg>");
        return new HtmlString(sb.ToString());
    }

    private static IHtmlContent Draw(IReadOnlyList<Stack> stacks, IReadOnlyList<Series> series, IReadOnlyList<string> titles, string label, int height, bool legend)
    {
        var plotWidth = Width - Left - Right;
        var plotHeight = height - Top - Bottom;
        var total = stacks.Select(s => s.Segments.Sum(x => Math.Max(0, x.Value))).DefaultIfEmpty(0).Max();
        var max = NiceCeiling(Math.Max(1, total));
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"<svg class=\"chart\" viewBox=\"0 0 {Width} {height}\" role=\"img\" aria-label=\"{Encoder.Encode(label)}\">");
        sb.Append("<title>").Append(Encoder.Encode(label)).Append("</title>");
        // Grid: zero, half and the top, labelled on the left.
        foreach (var fraction in new[] { 0.0, 0.5, 1.0 })
        {
            var y = Top + plotHeight - fraction * plotHeight;
            sb.Append(CultureInfo.InvariantCulture, $"<line class=\"grid\" x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{y:0.#}\" y2=\"{y:0.#}\"/>");
            sb.Append(CultureInfo.InvariantCulture, $"<text class=\"axis\" x=\"{Left - 6}\" y=\"{y + 4:0.#}\" text-anchor=\"end\">{Number((long)Math.Round(max * fraction))}</text>");
        }
        var n = Math.Max(1, stacks.Count);
        var slot = (double)plotWidth / n;
        var gap = slot > 6 ? Math.Min(4, slot * 0.15) : 0;
        var every = Math.Max(1, (int)Math.Ceiling(n / (plotWidth / 80.0)));
        for (var i = 0; i < stacks.Count; i++)
        {
            var s = stacks[i];
            var x = Left + i * slot;
            if (s.Href is not null)
                sb.Append("<a href=\"").Append(Encoder.Encode(s.Href)).Append("\">");
            sb.Append("<g>");
            sb.Append("<title>").Append(Encoder.Encode(i < titles.Count ? titles[i] : s.Label)).Append("</title>");
            // A transparent column makes the whole slot hoverable and clickable, even above a short bar.
            sb.Append(CultureInfo.InvariantCulture, $"<rect class=\"hit\" x=\"{x:0.##}\" y=\"{Top}\" width=\"{slot:0.##}\" height=\"{plotHeight}\"/>");
            double bottom = Top + plotHeight;
            foreach (var segment in s.Segments)
            {
                if (segment.Value <= 0)
                    continue;
                var h = plotHeight * (double)segment.Value / max;
                bottom -= h;
                var css = series.FirstOrDefault(l => l.Key == segment.Series)?.CssClass ?? "bar";
                sb.Append(CultureInfo.InvariantCulture,
                    $"<rect class=\"{css}\" x=\"{x + gap / 2:0.##}\" y=\"{bottom:0.##}\" width=\"{Math.Max(1, slot - gap):0.##}\" height=\"{Math.Max(1, h):0.##}\"/>");
            }
            sb.Append("</g>");
            if (s.Href is not null)
                sb.Append("</a>");
            if (i % every == 0)
                sb.Append(CultureInfo.InvariantCulture, $"<text class=\"axis\" x=\"{x + slot / 2:0.#}\" y=\"{height - 6}\" text-anchor=\"middle\">{Encoder.Encode(s.Label)}</text>");
        }
        sb.Append(CultureInfo.InvariantCulture, $"<line class=\"axis-line\" x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{Top + plotHeight}\" y2=\"{Top + plotHeight}\"/>");
        sb.Append("</svg>");
        if (legend)
        {
            sb.Append("<ul class=\"legend\">");
            foreach (var l in series)
                sb.Append("<li><span class=\"swatch ").Append(l.CssClass).Append("\"></span>").Append(Encoder.Encode(l.Label)).Append("</li>");
            sb.Append("</ul>");
        }
        return new HtmlString(sb.ToString());
    }

    /// <summary>1, 2 or 5 times a power of ten at or above <paramref name="value"/>, so the axis reads in round numbers.</summary>
    public static long NiceCeiling(long value)
    {
        if (value <= 5)
            return Math.Max(1, value);
        var power = (long)Math.Pow(10, Math.Floor(Math.Log10(value)));
        foreach (var step in new long[] { 1, 2, 5, 10 })
        {
            if (step * power >= value)
                return step * power;
        }
        return 10 * power;
    }

    public static string Number(long value) => value.ToString("#,0", CultureInfo.InvariantCulture).Replace(',', '\u202F');

    private static string Shorten(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";
}
