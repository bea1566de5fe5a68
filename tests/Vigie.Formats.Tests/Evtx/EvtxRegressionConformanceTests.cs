using System.Text.Json;
using Vigie.Formats.Evtx;

namespace Vigie.Formats.Tests.Evtx;

/// <summary>
/// Every .evtx of SigmaHQ's regression data read by Vigie agrees with the case's .json, which an independent tool
/// rendered: same number of records, same System values, same EventData (or UserData) values, field by field.
/// </summary>
public sealed class EvtxRegressionConformanceTests
{
    [SkippableFact]
    public void Every_regression_evtx_matches_its_json_rendering()
    {
        var files = EvtxTestData.RegressionFiles();
        var mismatches = new List<string>();
        var compared = 0;
        foreach (var file in files)
        {
            var json = Path.ChangeExtension(file, ".json");
            if (!File.Exists(json))
                continue;
            var expected = EvtxTestData.ReadConcatenatedJson(json);
            var (records, diagnostics) = EvtxTestData.ReadAll(file);
            var name = Path.GetRelativePath(EvtxTestData.RegressionData, file);
            foreach (var diagnostic in diagnostics)
                mismatches.Add($"{name}: unexpected diagnostic: {diagnostic}");
            if (records.Count != expected.Count)
            {
                mismatches.Add($"{name}: {records.Count} records read, {expected.Count} in the .json");
                continue;
            }
            for (var i = 0; i < records.Count; i++)
            {
                var where = $"{name} record {i + 1} (record id {records[i].RecordId})";
                CompareEvent(expected[i].GetProperty("Event"), records[i], where, mismatches);
                compared++;
            }
        }
        compared.ShouldBeGreaterThan(0);
        mismatches.ShouldBeEmpty($"{mismatches.Count} differences over {compared} records:\n" + string.Join("\n", mismatches.Take(50)));
    }

    private static void CompareEvent(JsonElement expected, EvtxRecord record, string where, List<string> mismatches)
    {
        foreach (var element in expected.GetProperty("System").EnumerateObject())
        {
            var value = element.Value;
            if (value.ValueKind == JsonValueKind.Object)
            {
                if (value.TryGetProperty("#attributes", out var attributes))
                    foreach (var attribute in attributes.EnumerateObject())
                        Compare(record, FieldBuilder.SystemAttributeName(element.Name, attribute.Name), EvtxSection.System, attribute.Value, where, mismatches);
                if (value.TryGetProperty("#text", out var text))
                    Compare(record, element.Name, EvtxSection.System, text, where, mismatches);
            }
            else if (value.ValueKind != JsonValueKind.Null)
                Compare(record, element.Name, EvtxSection.System, value, where, mismatches);
        }

        if (expected.TryGetProperty("EventData", out var eventData) && eventData.ValueKind == JsonValueKind.Object)
        {
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var data in eventData.EnumerateObject())
            {
                if (data.Name == "#attributes")
                    continue;
                names.Add(data.Name);
                Compare(record, data.Name, EvtxSection.EventData, data.Value, where, mismatches);
            }
            foreach (var field in record.Fields)
                if (field.Section == EvtxSection.EventData && !names.Contains(field.Name))
                    mismatches.Add($"{where}: EventData field {field.Name} = {EvtxValueComparison.Describe(field)} is not in the .json");
        }
        if (expected.TryGetProperty("UserData", out var userData))
            CompareLeaves(userData, record, where, mismatches);
    }

    private static void CompareLeaves(JsonElement element, EvtxRecord record, string where, List<string> mismatches)
    {
        foreach (var child in element.EnumerateObject())
        {
            if (child.Name == "#attributes")
                continue;
            if (child.Value.ValueKind == JsonValueKind.Object)
                CompareLeaves(child.Value, record, where, mismatches);
            else
                Compare(record, child.Name, EvtxSection.UserData, child.Value, where, mismatches);
        }
    }

    private static void Compare(EvtxRecord record, string name, EvtxSection section, JsonElement expected, string where, List<string> mismatches)
    {
        if (!record.TryGetField(name, out var field) || field.Section != section)
        {
            mismatches.Add($"{where}: {section} field {name} missing (expected {expected.GetRawText()})");
            return;
        }
        if (expected.ValueKind == JsonValueKind.Array)
        {
            var items = expected.EnumerateArray().Select(EvtxValueComparison.FromJson).ToList();
            var ours = field.Values.ToArray().Select(v => v.ToString()).ToList();
            if (items.Count != ours.Count || items.Zip(ours).Any(pair => !EvtxValueComparison.Same(pair.Second, pair.First)))
                mismatches.Add($"{where}: {section} field {name}: Vigie [{string.Join(", ", ours)}], .json {expected.GetRawText()}");
            return;
        }
        var theirs = EvtxValueComparison.FromJson(expected);
        var mine = EvtxValueComparison.Describe(field);
        if (!EvtxValueComparison.Same(mine, theirs))
            mismatches.Add($"{where}: {section} field {name}: Vigie \"{mine}\", .json \"{theirs}\"");
    }
}
