using System.Text.Encodings.Web;
using System.Text.Json;

namespace Vigie.Formats.Evtx;

/// <summary>JSON settings for rendering EVTX records.</summary>
public static class EvtxJson
{
    /// <summary>
    /// Compact output that keeps non-ASCII text and characters such as <c>&lt;</c>, <c>&amp;</c> and <c>'</c> as they are
    /// (the output is JSON lines for tools, not HTML), and skips validation (the writer is driven by the reader only).
    /// </summary>
    public static JsonWriterOptions WriterOptions { get; } = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
        SkipValidation = true,
    };
}
