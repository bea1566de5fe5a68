using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Vigie.Formats.Evtx;

namespace Vigie.Formats.Tests.Evtx;

/// <summary>
/// Vigie against two independent readers from Debian, on every .evtx available: libevtx's <c>evtxexport</c>
/// (package libevtx-utils) and python-evtx (package python3-evtx). Record ids, event ids, timestamps, channels,
/// computers and every data value must be equal (up to each tool's documented presentation, see <see cref="EvtxValueComparison"/>).
/// </summary>
public sealed partial class EvtxIndependentReadersTests
{
    private static readonly XNamespace Events = "http://schemas.microsoft.com/win/2004/08/events/event";

    [SkippableFact]
    public void Evtxexport_reads_the_same_records_and_values()
    {
        var tool = FindOnPath("evtxexport");
        Skip.If(tool is null, "evtxexport not installed (Debian package libevtx-utils)");
        var mismatches = new List<string>();
        var compared = 0;
        foreach (var file in EvtxTestData.RegressionFiles())
        {
            var name = Path.GetRelativePath(EvtxTestData.RegressionData, file);
            var records = EvtxTestData.ReadAll(file).Records;
            var text = Run(tool!, ["-f", "text", file]);
            var ids = EventNumber().Matches(text).Select(m => ulong.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToList();
            var events = ParseEvents(Run(tool!, ["-f", "xml", file]), name, mismatches);
            if (events.Count != records.Count || ids.Count != records.Count)
            {
                mismatches.Add($"{name}: Vigie read {records.Count} records, evtxexport {events.Count} (xml) and {ids.Count} (text)");
                continue;
            }
            for (var i = 0; i < records.Count; i++)
            {
                if (ids[i] != records[i].RecordId)
                    mismatches.Add($"{name} record {i + 1}: record id Vigie {records[i].RecordId}, evtxexport {ids[i]}");
                CompareEvent(records[i], events[i], $"{name} record {records[i].RecordId}", "evtxexport", mismatches);
                compared++;
            }
        }
        compared.ShouldBeGreaterThan(0);
        mismatches.ShouldBeEmpty($"{mismatches.Count} differences with evtxexport over {compared} records:\n" + string.Join("\n", mismatches.Take(50)));
    }

    [SkippableFact]
    public void Python_evtx_reads_the_same_records_and_values()
    {
        Skip.IfNot(File.Exists("/usr/bin/python3") && RunExitCode("/usr/bin/python3", ["-c", "import Evtx.Evtx"]) == 0,
            "python-evtx not installed (Debian package python3-evtx)");
        var files = EvtxTestData.RegressionFiles();
        // One Python process for all files: record number, header timestamp and XML of every record, as JSON lines.
        const string Script = """
            import sys, json
            from Evtx.Evtx import Evtx
            for path in sys.argv[1:]:
                with Evtx(path) as log:
                    for record in log.records():
                        print(json.dumps({"file": path, "id": record.record_num(), "time": str(record.timestamp()), "xml": record.xml()}))
            """;
        var output = Run("/usr/bin/python3", ["-c", Script, .. files]);
        var theirs = output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonDocument.Parse(line).RootElement)
            .GroupBy(e => e.GetProperty("file").GetString()!)
            .ToDictionary(g => g.Key, g => g.ToList());
        var mismatches = new List<string>();
        var compared = 0;
        foreach (var file in files)
        {
            var name = Path.GetRelativePath(EvtxTestData.RegressionData, file);
            var records = EvtxTestData.ReadAll(file).Records;
            var expected = theirs.GetValueOrDefault(file) ?? [];
            if (expected.Count != records.Count)
            {
                mismatches.Add($"{name}: Vigie read {records.Count} records, python-evtx {expected.Count}");
                continue;
            }
            for (var i = 0; i < records.Count; i++)
            {
                var where = $"{name} record {records[i].RecordId}";
                if (expected[i].GetProperty("id").GetUInt64() != records[i].RecordId)
                    mismatches.Add($"{where}: record id python-evtx {expected[i].GetProperty("id")}");
                var time = expected[i].GetProperty("time").GetString()!;
                if (!EvtxValueComparison.Same(records[i].Timestamp.ToString("O", CultureInfo.InvariantCulture), time))
                    mismatches.Add($"{where}: timestamp Vigie {records[i].Timestamp:O}, python-evtx {time}");
                XElement xml;
                try
                {
                    xml = XElement.Parse(expected[i].GetProperty("xml").GetString()!);
                }
                catch (System.Xml.XmlException e)
                {
                    mismatches.Add($"{where}: python-evtx XML does not parse: {e.Message}");
                    continue;
                }
                CompareEvent(records[i], xml, where, "python-evtx", mismatches);
                compared++;
            }
        }
        compared.ShouldBeGreaterThan(0);
        mismatches.ShouldBeEmpty($"{mismatches.Count} differences with python-evtx over {compared} records:\n" + string.Join("\n", mismatches.Take(50)));
    }

    private static List<XElement> ParseEvents(string xml, string name, List<string> mismatches)
    {
        var events = new List<XElement>();
        foreach (Match match in EventBlock().Matches(xml))
        {
            try
            {
                events.Add(XElement.Parse(match.Value));
            }
            catch (System.Xml.XmlException e)
            {
                mismatches.Add($"{name}: evtxexport XML does not parse: {e.Message}");
            }
        }
        return events;
    }

    private static void CompareEvent(EvtxRecord record, XElement theirs, string where, string tool, List<string> mismatches)
    {
        var system = theirs.Element(Events + "System");
        if (system is null)
        {
            mismatches.Add($"{where}: {tool} rendered no System element");
            return;
        }
        void Check(string field, string? expected)
        {
            if (expected is null)
                return;
            var ours = record.TryGetField(field, out var f) ? EvtxValueComparison.Describe(f) : "<missing>";
            if (!EvtxValueComparison.Same(ours, expected))
                mismatches.Add($"{where}: {field}: Vigie \"{ours}\", {tool} \"{expected}\"");
        }
        Check("EventID", system.Element(Events + "EventID")?.Value);
        Check("EventRecordID", system.Element(Events + "EventRecordID")?.Value);
        Check("TimeCreated", system.Element(Events + "TimeCreated")?.Attribute("SystemTime")?.Value);
        Check("Channel", system.Element(Events + "Channel")?.Value);
        Check("Computer", system.Element(Events + "Computer")?.Value);
        Check("Provider_Name", system.Element(Events + "Provider")?.Attribute("Name")?.Value);

        var eventData = theirs.Element(Events + "EventData");
        if (eventData is not null)
        {
            var unnamed = new List<string>();
            foreach (var data in eventData.Elements())
            {
                var dataName = data.Attribute("Name")?.Value;
                if (data.Name.LocalName == "Data" && string.IsNullOrEmpty(dataName))
                    unnamed.Add(data.Value);
                else
                    Check(dataName ?? data.Name.LocalName, data.Value);
            }
            if (unnamed.Count > 0)
            {
                var ours = record.TryGetField("Data", out var f) ? f.Values.ToArray().Select(v => v.ToString()).ToList() : [];
                if (ours.Count != unnamed.Count || ours.Zip(unnamed).Any(p => !EvtxValueComparison.Same(p.First, p.Second)))
                    mismatches.Add($"{where}: unnamed Data: Vigie [{string.Join(", ", ours)}], {tool} [{string.Join(", ", unnamed)}]");
            }
        }
        var userData = theirs.Element(Events + "UserData");
        if (userData is not null)
            foreach (var leaf in userData.Descendants().Where(e => !e.HasElements))
                Check(leaf.Name.LocalName, leaf.Value);
    }

    private static string? FindOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, program)).FirstOrDefault(File.Exists);

    private static string Run(string program, string[] arguments)
    {
        using var process = Start(program, arguments);
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        process.WaitForExit(TimeSpan.FromMinutes(5)).ShouldBeTrue($"{program} did not finish in 5 minutes");
        process.ExitCode.ShouldBe(0, $"{program} failed: {errors.Result}");
        return output.Result;
    }

    private static int RunExitCode(string program, string[] arguments)
    {
        using var process = Start(program, arguments);
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode;
    }

    private static Process Start(string program, string[] arguments)
    {
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
            info.ArgumentList.Add(argument);
        return Process.Start(info) ?? throw new InvalidOperationException($"cannot start {program}");
    }

    [GeneratedRegex(@"^Event number\s*:\s*(\d+)", RegexOptions.Multiline)]
    private static partial Regex EventNumber();

    [GeneratedRegex(@"<Event[ >].*?</Event>|<Event [^>]*/>", RegexOptions.Singleline)]
    private static partial Regex EventBlock();
}
