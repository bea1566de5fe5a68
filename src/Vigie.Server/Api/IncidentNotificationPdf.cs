using System.Text.RegularExpressions;
using PdfSharp.Drawing;
using PdfSharp.Fonts;
using PdfSharp.Pdf;

namespace Vigie.Server.Api;

/// <summary>
/// Renders a draft notification's Markdown (headings, paragraphs, lists, two-column tables, bold) as an A4 PDF
/// with PDFsharp, in DejaVu Sans (or Liberation Sans) read from the system's fonts, so accented French prints.
/// </summary>
internal static partial class IncidentNotificationPdf
{
    private const double Margin = 56;
    private static readonly Lock FontLock = new();

    /// <summary>The PDF's bytes; throws <see cref="InvalidOperationException"/> naming the package to install when no font is found.</summary>
    public static byte[] Render(string markdown, string title)
    {
        EnsureFonts();
        using var document = new PdfDocument();
        document.Info.Title = title;
        document.Info.Creator = "Vigie";
        var writer = new PageWriter(document);
        foreach (var raw in markdown.Replace("\r", "", StringComparison.Ordinal).Split('\n'))
        {
            var line = raw.TrimEnd();
            if (line.Length == 0)
            {
                writer.Space(6);
            }
            else if (line.StartsWith("# ", StringComparison.Ordinal))
            {
                writer.Paragraph(line[2..], 17, bold: true, indent: 0);
                writer.Space(4);
            }
            else if (line.StartsWith("## ", StringComparison.Ordinal))
            {
                writer.Space(6);
                writer.Paragraph(line[3..], 13, bold: true, indent: 0);
                writer.Space(2);
            }
            else if (line.StartsWith("- ", StringComparison.Ordinal))
            {
                writer.Paragraph("•  " + Plain(line[2..]), 10, bold: false, indent: 12);
            }
            else if (line.StartsWith('|'))
            {
                var cells = line.Trim('|').Split('|').Select(c => c.Trim()).ToList();
                if (cells.All(c => c.Length == 0 || c.All(ch => ch is '-' or ':')))
                    continue;
                writer.Row(Plain(cells[0]), cells.Count > 1 ? Plain(string.Join(" | ", cells.Skip(1))) : "");
            }
            else
            {
                var bold = line.StartsWith("**", StringComparison.Ordinal);
                writer.Paragraph(Plain(line), 10, bold, indent: 0);
            }
        }
        using var stream = new MemoryStream();
        document.Save(stream, closeStream: false);
        return stream.ToArray();
    }

    private static string Plain(string text) => Emphasis().Replace(text, "$1");

    [GeneratedRegex(@"\*\*(.+?)\*\*")]
    private static partial Regex Emphasis();

    private static void EnsureFonts()
    {
        lock (FontLock)
        {
            if (GlobalFontSettings.FontResolver is null)
                GlobalFontSettings.FontResolver = new SystemFontResolver();
        }
    }

    /// <summary>Lays text out on A4 pages, wrapping words and starting a new page when one is full.</summary>
    private sealed class PageWriter
    {
        private readonly PdfDocument _document;
        private XGraphics? _graphics;
        private PdfPage? _page;
        private double _y;

        public PageWriter(PdfDocument document) => _document = document;

        private XGraphics Graphics => _graphics ?? NewPage();

        private XGraphics NewPage()
        {
            _graphics?.Dispose();
            _page = _document.AddPage();
            _page.Size = PdfSharp.PageSize.A4;
            _graphics = XGraphics.FromPdfPage(_page);
            _y = Margin;
            return _graphics;
        }

        private double Width => (_page?.Width.Point ?? 595) - 2 * Margin;

        public void Space(double points) => _y += points;

        public void Paragraph(string text, double size, bool bold, double indent)
        {
            var font = new XFont(SystemFontResolver.Family, size, bold ? XFontStyleEx.Bold : XFontStyleEx.Regular);
            foreach (var line in Wrap(text, font, Width - indent))
                Write(line, font, Margin + indent);
        }

        public void Row(string label, string value)
        {
            var labelFont = new XFont(SystemFontResolver.Family, 10, XFontStyleEx.Bold);
            var valueFont = new XFont(SystemFontResolver.Family, 10, XFontStyleEx.Regular);
            const double column = 150;
            var lines = Wrap(value, valueFont, Width - column).ToList();
            var first = true;
            foreach (var line in lines.Count == 0 ? [""] : lines)
            {
                EnsureRoom(valueFont);
                if (first)
                    Graphics.DrawString(label, labelFont, XBrushes.Black, new XPoint(Margin, _y + valueFont.Size));
                Graphics.DrawString(line, valueFont, XBrushes.Black, new XPoint(Margin + column, _y + valueFont.Size));
                _y += valueFont.Size * 1.35;
                first = false;
            }
        }

        private void Write(string line, XFont font, double x)
        {
            EnsureRoom(font);
            Graphics.DrawString(line, font, XBrushes.Black, new XPoint(x, _y + font.Size));
            _y += font.Size * 1.35;
        }

        private void EnsureRoom(XFont font)
        {
            if (_graphics is null || _y + font.Size * 1.35 > (_page!.Height.Point - Margin))
                NewPage();
        }

        private IEnumerable<string> Wrap(string text, XFont font, double width)
        {
            var words = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var line = "";
            foreach (var word in words)
            {
                var candidate = line.Length == 0 ? word : line + " " + word;
                if (line.Length > 0 && Graphics.MeasureString(candidate, font).Width > width)
                {
                    yield return line;
                    line = word;
                }
                else
                {
                    line = candidate;
                }
                // A single word wider than the line (a URL, a hash) is cut where it overflows.
                while (Graphics.MeasureString(line, font).Width > width && line.Length > 1)
                {
                    var cut = line.Length - 1;
                    while (cut > 1 && Graphics.MeasureString(line[..cut], font).Width > width)
                        cut--;
                    yield return line[..cut];
                    line = line[cut..];
                }
            }
            if (line.Length > 0)
                yield return line;
        }
    }

    /// <summary>Finds a sans-serif TrueType family among the system's fonts (Debian's fonts-dejavu-core, else fonts-liberation).</summary>
    private sealed class SystemFontResolver : IFontResolver
    {
        public const string Family = "VigieSans";

        private static readonly (string Regular, string Bold)[] Candidates =
        [
            ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
            ("/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf", "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf"),
            ("/usr/share/fonts/dejavu/DejaVuSans.ttf", "/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf"),
            ("/Library/Fonts/Arial.ttf", "/Library/Fonts/Arial Bold.ttf"),
            (@"C:\Windows\Fonts\arial.ttf", @"C:\Windows\Fonts\arialbd.ttf"),
        ];

        private readonly (string Regular, string Bold) _files = Candidates.FirstOrDefault(c => File.Exists(c.Regular) && File.Exists(c.Bold));

        public FontResolverInfo? ResolveTypeface(string familyName, bool bold, bool italic)
        {
            if (_files.Regular is null)
                throw new InvalidOperationException("no TrueType font for PDF drafts: install Debian's fonts-dejavu-core (or fonts-liberation)");
            return new FontResolverInfo(bold ? "vigie-bold" : "vigie-regular");
        }

        public byte[]? GetFont(string faceName) => File.ReadAllBytes(faceName == "vigie-bold" ? _files.Bold : _files.Regular);
    }
}
