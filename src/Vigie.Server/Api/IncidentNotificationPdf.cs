using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;

namespace Vigie.Server.Api;

/// <summary>
/// Renders a draft notification's Markdown (headings, paragraphs, lists, two-column tables, bold) as an A4 PDF.
/// Vigie writes the PDF itself: a TrueType font of the system (DejaVu Sans, else Liberation Sans) is embedded
/// whole as a CID font with a ToUnicode map, so accented French, and any script the font covers, print and can be
/// searched and copied. Bold is drawn by stroking the outline, which keeps one font per file.
/// </summary>
/// <remarks>
/// PDFsharp was the first choice; from version 6.5 its use requires loading an AGPL or a commercial licence at
/// run time, a decision for the project's owners rather than for a notification draft. The subset of PDF needed
/// here (text on pages, one embedded font) is small enough to write directly.
/// </remarks>
internal static partial class IncidentNotificationPdf
{
    private const double PageWidth = 595.28;
    private const double PageHeight = 841.89;
    private const double Margin = 56;

    private static readonly string[] FontFiles =
    [
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
        "/usr/share/fonts/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/TTF/DejaVuSans.ttf",
    ];

    private static readonly Lazy<TrueTypeFont?> SystemFont = new(() =>
    {
        foreach (var file in FontFiles)
        {
            if (File.Exists(file))
                return TrueTypeFont.Load(file);
        }
        return null;
    });

    /// <summary>The PDF's bytes; throws <see cref="InvalidOperationException"/> naming the package to install when no font is found.</summary>
    public static byte[] Render(string markdown, string title)
    {
        var font = SystemFont.Value ?? throw new InvalidOperationException("no TrueType font for PDF drafts: install Debian's fonts-dejavu-core (or fonts-liberation)");
        var layout = new Layout(font);
        foreach (var raw in markdown.Replace("\r", "", StringComparison.Ordinal).Split('\n'))
        {
            var line = raw.TrimEnd();
            if (line.Length == 0)
                layout.Space(6);
            else if (line.StartsWith("# ", StringComparison.Ordinal))
            {
                layout.Paragraph(line[2..], 16, bold: true, indent: 0);
                layout.Space(4);
            }
            else if (line.StartsWith("## ", StringComparison.Ordinal))
            {
                layout.Space(6);
                layout.Paragraph(line[3..], 12.5, bold: true, indent: 0);
                layout.Space(2);
            }
            else if (line.StartsWith("- ", StringComparison.Ordinal))
                layout.Paragraph("•  " + Plain(line[2..]), 10, bold: false, indent: 12);
            else if (line.StartsWith('|'))
            {
                var cells = line.Trim('|').Split('|').Select(c => c.Trim()).ToList();
                if (cells.All(c => c.Length == 0 || c.All(ch => ch is '-' or ':')))
                    continue;
                layout.Row(Plain(cells[0]), cells.Count > 1 ? Plain(string.Join(" | ", cells.Skip(1))) : "");
            }
            else
                layout.Paragraph(Plain(line), 10, bold: line.StartsWith("**", StringComparison.Ordinal), indent: 0);
        }
        return Write(layout.Pages, font, title);
    }

    private static string Plain(string text) => Emphasis().Replace(text, "$1");

    [GeneratedRegex(@"\*\*(.+?)\*\*")]
    private static partial Regex Emphasis();

    private sealed record Run(double X, double Y, double Size, bool Bold, string Text);

    /// <summary>Places text on A4 pages: words wrapped to the width, a new page when one is full.</summary>
    private sealed class Layout(TrueTypeFont font)
    {
        private double _y = PageHeight - Margin;

        public List<List<Run>> Pages { get; } = [[]];

        private double Width => PageWidth - 2 * Margin;

        public void Space(double points) => _y -= points;

        public void Paragraph(string text, double size, bool bold, double indent)
        {
            foreach (var line in Wrap(text, size, Width - indent))
                Put(Margin + indent, size, bold, line);
        }

        public void Row(string label, string value)
        {
            const double column = 150;
            var lines = Wrap(value, 10, Width - column).ToList();
            for (var i = 0; i < Math.Max(1, lines.Count); i++)
            {
                Room(10);
                if (i == 0)
                    Pages[^1].Add(new Run(Margin, _y - 10, 10, true, label));
                if (i < lines.Count)
                    Pages[^1].Add(new Run(Margin + column, _y - 10, 10, false, lines[i]));
                _y -= 10 * 1.4;
            }
        }

        private void Put(double x, double size, bool bold, string text)
        {
            Room(size);
            Pages[^1].Add(new Run(x, _y - size, size, bold, text));
            _y -= size * 1.4;
        }

        private void Room(double size)
        {
            if (_y - size * 1.4 < Margin)
            {
                Pages.Add([]);
                _y = PageHeight - Margin;
            }
        }

        private IEnumerable<string> Wrap(string text, double size, double width)
        {
            var line = "";
            foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                var candidate = line.Length == 0 ? word : line + " " + word;
                if (line.Length > 0 && font.Width(candidate, size) > width)
                {
                    yield return line;
                    line = word;
                }
                else
                {
                    line = candidate;
                }
                // A single word wider than the line (a URL, a hash) is cut where it overflows.
                while (line.Length > 1 && font.Width(line, size) > width)
                {
                    var cut = line.Length - 1;
                    while (cut > 1 && font.Width(line[..cut], size) > width)
                        cut--;
                    yield return line[..cut];
                    line = line[cut..];
                }
            }
            if (line.Length > 0)
                yield return line;
        }
    }

    private static byte[] Write(List<List<Run>> pages, TrueTypeFont font, string title)
    {
        var pdf = new PdfFile();
        var catalog = pdf.Reserve();
        var pagesId = pdf.Reserve();
        var fontId = pdf.Reserve();
        var used = new SortedDictionary<ushort, int>();
        var pageIds = new List<int>();
        foreach (var page in pages)
        {
            var content = new StringBuilder();
            foreach (var run in page)
            {
                var hex = new StringBuilder(run.Text.Length * 4);
                foreach (var rune in run.Text.EnumerateRunes())
                {
                    var glyph = font.Glyph(rune.Value);
                    used.TryAdd(glyph, rune.Value);
                    hex.Append(glyph.ToString("X4", CultureInfo.InvariantCulture));
                }
                content.Append("BT /F1 ").Append(N(run.Size)).Append(" Tf ");
                content.Append(run.Bold ? "2 Tr " + N(run.Size / 30) + " w " : "0 Tr ");
                content.Append(N(run.X)).Append(' ').Append(N(run.Y)).Append(" Td <").Append(hex).Append("> Tj ET\n");
            }
            var contentId = pdf.Stream("", Encoding.ASCII.GetBytes(content.ToString()));
            pageIds.Add(pdf.Add($"<< /Type /Page /Parent {pagesId} 0 R /MediaBox [0 0 {N(PageWidth)} {N(PageHeight)}] /Resources << /Font << /F1 {fontId} 0 R >> >> /Contents {contentId} 0 R >>"));
        }
        pdf.Set(pagesId, $"<< /Type /Pages /Kids [{string.Join(' ', pageIds.Select(p => $"{p} 0 R"))}] /Count {pageIds.Count} >>");
        pdf.Set(catalog, $"<< /Type /Catalog /Pages {pagesId} 0 R >>");

        var file = pdf.Stream($"/Length1 {font.Data.Length}", font.Data);
        var scale = 1000.0 / font.UnitsPerEm;
        var descriptor = pdf.Add($"<< /Type /FontDescriptor /FontName /{font.Name} /Flags 32 /FontBBox [{N(font.XMin * scale)} {N(font.YMin * scale)} {N(font.XMax * scale)} {N(font.YMax * scale)}] " +
            $"/ItalicAngle 0 /Ascent {N(font.Ascender * scale)} /Descent {N(font.Descender * scale)} /CapHeight {N(font.Ascender * scale)} /StemV 80 /FontFile2 {file} 0 R >>");
        var widths = new StringBuilder();
        foreach (var glyph in used.Keys)
            widths.Append(glyph).Append(" [").Append(N(font.Advance(glyph) * scale)).Append("] ");
        var cid = pdf.Add($"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /{font.Name} /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> " +
            $"/FontDescriptor {descriptor} 0 R /CIDToGIDMap /Identity /DW 1000 /W [{widths}] >>");
        var toUnicode = pdf.Stream("", Encoding.ASCII.GetBytes(ToUnicode(used)));
        pdf.Set(fontId, $"<< /Type /Font /Subtype /Type0 /BaseFont /{font.Name} /Encoding /Identity-H /DescendantFonts [{cid} 0 R] /ToUnicode {toUnicode} 0 R >>");
        var info = pdf.Add($"<< /Title {PdfFile.Text(title)} /Producer (Vigie) /CreationDate (D:{DateTime.UtcNow:yyyyMMddHHmmss}Z) >>");
        return pdf.Build(catalog, info);
    }

    /// <summary>The glyph → Unicode map that lets readers extract and search the text.</summary>
    private static string ToUnicode(SortedDictionary<ushort, int> used)
    {
        var sb = new StringBuilder();
        sb.Append("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n");
        sb.Append("/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n");
        sb.Append("1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n");
        foreach (var chunk in used.Chunk(100))
        {
            sb.Append(chunk.Length).Append(" beginbfchar\n");
            foreach (var (glyph, codePoint) in chunk)
            {
                var utf16 = Convert.ToHexString(Encoding.BigEndianUnicode.GetBytes(char.ConvertFromUtf32(codePoint)));
                sb.Append('<').Append(glyph.ToString("X4", CultureInfo.InvariantCulture)).Append("> <").Append(utf16).Append(">\n");
            }
            sb.Append("endbfchar\n");
        }
        sb.Append("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
        return sb.ToString();
    }

    private static string N(double v) => Math.Round(v, 2).ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>PDF objects, their offsets and the cross-reference table.</summary>
    private sealed class PdfFile
    {
        private readonly List<byte[]?> _objects = [];

        public int Reserve()
        {
            _objects.Add(null);
            return _objects.Count;
        }

        public int Add(string dictionary)
        {
            _objects.Add(Encoding.ASCII.GetBytes(dictionary));
            return _objects.Count;
        }

        public void Set(int id, string dictionary) => _objects[id - 1] = Encoding.ASCII.GetBytes(dictionary);

        /// <summary>A Flate-compressed stream object.</summary>
        public int Stream(string extra, byte[] data)
        {
            using var compressed = new MemoryStream();
            using (var z = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
                z.Write(data);
            var head = Encoding.ASCII.GetBytes($"<< /Filter /FlateDecode /Length {compressed.Length} {extra} >>\nstream\n");
            var tail = "\nendstream"u8.ToArray();
            _objects.Add([.. head, .. compressed.ToArray(), .. tail]);
            return _objects.Count;
        }

        /// <summary>A PDF text string: UTF-16 with a byte-order mark, in hex, so any title survives.</summary>
        public static string Text(string text) => "<FEFF" + Convert.ToHexString(Encoding.BigEndianUnicode.GetBytes(text)) + ">";

        public byte[] Build(int catalog, int info)
        {
            using var output = new MemoryStream();
            void W(string s) => output.Write(Encoding.ASCII.GetBytes(s));
            W("%PDF-1.7\n%\u00e2\u00e3\u00cf\u00d3\n");
            var offsets = new long[_objects.Count];
            for (var i = 0; i < _objects.Count; i++)
            {
                offsets[i] = output.Position;
                W($"{i + 1} 0 obj\n");
                output.Write(_objects[i] ?? throw new InvalidOperationException($"PDF object {i + 1} was reserved but never written"));
                W("\nendobj\n");
            }
            var xref = output.Position;
            W($"xref\n0 {_objects.Count + 1}\n0000000000 65535 f \n");
            foreach (var offset in offsets)
                W($"{offset:D10} 00000 n \n");
            W($"trailer\n<< /Size {_objects.Count + 1} /Root {catalog} 0 R /Info {info} 0 R >>\nstartxref\n{xref}\n%%EOF\n");
            return output.ToArray();
        }
    }

    /// <summary>What the PDF needs from a TrueType font file: glyph of a character, advance widths, bounding box.</summary>
    private sealed class TrueTypeFont
    {
        private readonly Dictionary<int, ushort> _glyphs = [];
        private ushort[] _advances = [];

        private TrueTypeFont(byte[] data, string name)
        {
            Data = data;
            Name = name;
        }

        public byte[] Data { get; }
        public string Name { get; }
        public int UnitsPerEm { get; private set; }
        public short XMin { get; private set; }
        public short YMin { get; private set; }
        public short XMax { get; private set; }
        public short YMax { get; private set; }
        public short Ascender { get; private set; }
        public short Descender { get; private set; }

        public ushort Glyph(int codePoint) => _glyphs.TryGetValue(codePoint, out var g) ? g : (ushort)0;

        public int Advance(ushort glyph) => _advances.Length == 0 ? 0 : _advances[Math.Min(glyph, _advances.Length - 1)];

        public double Width(string text, double size)
        {
            var units = 0;
            foreach (var rune in text.EnumerateRunes())
                units += Advance(Glyph(rune.Value));
            return units * size / UnitsPerEm;
        }

        public static TrueTypeFont Load(string path)
        {
            var data = File.ReadAllBytes(path);
            var name = new string(Path.GetFileNameWithoutExtension(path).Where(char.IsAsciiLetterOrDigit).ToArray());
            var font = new TrueTypeFont(data, name);
            var span = data.AsSpan();
            int Table(string tag)
            {
                var count = BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(4));
                for (var i = 0; i < count; i++)
                {
                    var record = 12 + 16 * i;
                    if (Encoding.ASCII.GetString(data, record, 4) == tag)
                        return (int)BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(record + 8));
                }
                throw new InvalidDataException($"font '{path}' has no '{tag}' table");
            }
            var head = Table("head");
            font.UnitsPerEm = BinaryPrimitives.ReadUInt16BigEndian(span[(head + 18)..]);
            font.XMin = BinaryPrimitives.ReadInt16BigEndian(span[(head + 36)..]);
            font.YMin = BinaryPrimitives.ReadInt16BigEndian(span[(head + 38)..]);
            font.XMax = BinaryPrimitives.ReadInt16BigEndian(span[(head + 40)..]);
            font.YMax = BinaryPrimitives.ReadInt16BigEndian(span[(head + 42)..]);
            var hhea = Table("hhea");
            font.Ascender = BinaryPrimitives.ReadInt16BigEndian(span[(hhea + 4)..]);
            font.Descender = BinaryPrimitives.ReadInt16BigEndian(span[(hhea + 6)..]);
            var metrics = BinaryPrimitives.ReadUInt16BigEndian(span[(hhea + 34)..]);
            var glyphCount = BinaryPrimitives.ReadUInt16BigEndian(span[(Table("maxp") + 4)..]);
            var hmtx = Table("hmtx");
            font._advances = new ushort[glyphCount];
            for (var g = 0; g < glyphCount; g++)
                font._advances[g] = g < metrics ? BinaryPrimitives.ReadUInt16BigEndian(span[(hmtx + 4 * g)..]) : font._advances[metrics - 1];
            ReadCmap(span, Table("cmap"), font._glyphs, path);
            return font;
        }

        /// <summary>Reads the Unicode BMP subtable (platform 3 encoding 1, or platform 0), format 4.</summary>
        private static void ReadCmap(ReadOnlySpan<byte> span, int cmap, Dictionary<int, ushort> glyphs, string path)
        {
            var count = BinaryPrimitives.ReadUInt16BigEndian(span[(cmap + 2)..]);
            var subtable = -1;
            for (var i = 0; i < count; i++)
            {
                var record = cmap + 4 + 8 * i;
                var platform = BinaryPrimitives.ReadUInt16BigEndian(span[record..]);
                var encoding = BinaryPrimitives.ReadUInt16BigEndian(span[(record + 2)..]);
                var offset = cmap + (int)BinaryPrimitives.ReadUInt32BigEndian(span[(record + 4)..]);
                if (BinaryPrimitives.ReadUInt16BigEndian(span[offset..]) == 4 && ((platform == 3 && encoding == 1) || platform == 0))
                {
                    subtable = offset;
                    break;
                }
            }
            if (subtable < 0)
                throw new InvalidDataException($"font '{path}' has no Unicode (format 4) character map");
            var segments = BinaryPrimitives.ReadUInt16BigEndian(span[(subtable + 6)..]) / 2;
            var ends = subtable + 14;
            var starts = ends + 2 * segments + 2;
            var deltas = starts + 2 * segments;
            var ranges = deltas + 2 * segments;
            for (var s = 0; s < segments; s++)
            {
                var end = BinaryPrimitives.ReadUInt16BigEndian(span[(ends + 2 * s)..]);
                var start = BinaryPrimitives.ReadUInt16BigEndian(span[(starts + 2 * s)..]);
                var delta = BinaryPrimitives.ReadInt16BigEndian(span[(deltas + 2 * s)..]);
                var rangeOffset = BinaryPrimitives.ReadUInt16BigEndian(span[(ranges + 2 * s)..]);
                for (var c = start; c <= end && c != 0xFFFF; c++)
                {
                    int glyph;
                    if (rangeOffset == 0)
                    {
                        glyph = (c + delta) & 0xFFFF;
                    }
                    else
                    {
                        var at = ranges + 2 * s + rangeOffset + 2 * (c - start);
                        glyph = BinaryPrimitives.ReadUInt16BigEndian(span[at..]);
                        if (glyph != 0)
                            glyph = (glyph + delta) & 0xFFFF;
                    }
                    if (glyph != 0)
                        glyphs[c] = (ushort)glyph;
                }
            }
        }
    }
}
